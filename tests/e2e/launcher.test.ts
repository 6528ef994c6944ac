/** `npm start -- --headless`: the launcher starts and supervises the three services and stops them all. */
import { afterEach, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import {
  descendants,
  health,
  isAlive,
  isRunning,
  startNode,
  testEnv,
  waitFor,
  type HealthAnswer,
  type Running,
  type TestEnv,
} from './support/processes.js';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
let running: Running | undefined;

afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  running = undefined;
});

async function allHealthy(urls: string[]): Promise<HealthAnswer[] | undefined> {
  const answers = await Promise.all(urls.map((u) => health(u)));
  return answers.every((a) => a !== undefined) ? (answers as HealthAnswer[]) : undefined;
}

/** `npm start -- --headless` on a fresh environment, once hub, SFU and bridge answer their health checks. */
async function launched(): Promise<{ t: TestEnv; launcher: Running; hub: HealthAnswer; sfu: HealthAnswer; bridge: HealthAnswer }> {
  const t = await testEnv();
  const launcher = startNode('launcher/dist/main.js', ['--headless'], t.env);
  running = launcher;
  const [hub, sfu, bridge] = (await waitFor('three healthy services', () => allHealthy([t.hubUrl, t.sfuUrl, t.bridgeUrl]), 90_000))!;
  return { t, launcher, hub: hub!, sfu: sfu!, bridge: bridge! };
}

describe('launcher', () => {
  it('starts hub, SFU and bridge, serves a console that shows them online, and leaves no process after SIGTERM', async () => {
    const { t, launcher, hub, sfu, bridge } = await launched();
    expect(hub?.service).toBe('hub');
    expect(sfu?.service).toBe('sfu');
    expect(bridge?.service).toBe('device-bridge');
    await waitFor('URLs printed', () => (launcher.output().includes(`${t.hubUrl}/#/console`) ? true : undefined));

    const launcherPid = launcher.child.pid ?? 0;
    const family = descendants(launcherPid);
    const workerPids = (sfu?.details.workerPids as number[]) ?? [];
    expect(workerPids.length).toBe(1);
    for (const pid of [hub?.pid, sfu?.pid, bridge?.pid, ...workerPids]) expect(family).toContain(pid);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.protocol.startsWith('http') && !LOCAL_HOSTS.has(url.hostname)) external.push(request.url());
      });
      await page.goto(`${t.hubUrl}/#/console`);
      await page.getByRole('heading', { name: '执行指挥中心' }).waitFor();
      for (const service of ['hub', 'sfu', 'device-bridge']) {
        await page.locator(`[data-service="${service}"][data-state="online"]`).waitFor({ timeout: 15_000 });
      }
      expect(await page.locator('[data-service="sfu"]').innerText()).toContain('在线');
      // English is one click away.
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'Enforcement Command Center' }).waitFor();
      expect(external).toEqual([]);
    } finally {
      await browser.close();
    }

    launcher.child.kill('SIGTERM');
    const exit = await launcher.exited;
    expect(exit.code).toBe(0);
    await waitFor('every child gone', () => (family.every((pid) => !isAlive(pid)) ? true : undefined), 15_000);
    expect(await health(t.hubUrl)).toBeUndefined();
  });

  it('when the launcher itself is killed (SIGKILL), its services and workers stop by themselves and free their ports', async () => {
    const { t, launcher, hub, sfu, bridge } = await launched();
    const workerPids = (sfu?.details.workerPids as number[]) ?? [];
    const family = [hub?.pid, sfu?.pid, bridge?.pid, ...workerPids].filter((pid): pid is number => pid !== undefined);
    expect(family).toHaveLength(4);

    launcher.child.kill('SIGKILL');
    await launcher.exited;
    // Their stdout (the launcher's pipe) is broken now: shutting down must not wait on it.
    const left = await waitFor('every service gone', () => (family.every((pid) => !isRunning(pid)) ? true : undefined), 20_000).catch(() =>
      family.filter(isRunning),
    );
    // Whatever is left must not hold ports for the next tests.
    for (const pid of family) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    expect(left).toBe(true);
    expect(await allHealthy([t.hubUrl])).toBeUndefined();
    expect(await health(t.sfuUrl)).toBeUndefined();
    expect(await health(t.bridgeUrl)).toBeUndefined();
  });

  it('restarts a service killed with SIGKILL, with backoff, and logs the restart', async () => {
    const { t, launcher, sfu, bridge } = await launched();

    process.kill(bridge?.pid ?? 0, 'SIGKILL');
    const revived = await waitFor('bridge healthy again', async () => {
      const answer = await health(t.bridgeUrl);
      return answer && answer.pid !== bridge?.pid ? answer : undefined;
    });
    expect(revived.service).toBe('device-bridge');

    // The SFU's mediasoup workers must not outlive a killed SFU.
    const oldWorkers = (sfu?.details.workerPids as number[]) ?? [];
    process.kill(sfu?.pid ?? 0, 'SIGKILL');
    const newSfu = await waitFor('sfu healthy again', async () => {
      const answer = await health(t.sfuUrl);
      return answer && answer.pid !== sfu?.pid ? answer : undefined;
    });
    expect(newSfu.details.workers).toBe(1);
    await waitFor('old workers gone', () => (oldWorkers.every((pid) => !isAlive(pid)) ? true : undefined), 10_000);

    const log = launcher.output();
    expect(log).toMatch(/"service":"device-bridge".*"signal":"SIGKILL".*service exited unexpectedly; restarting/);
    expect(log).toMatch(/"service":"sfu".*"signal":"SIGKILL".*service exited unexpectedly; restarting/);
    launcher.child.kill('SIGTERM');
    expect((await launcher.exited).code).toBe(0);
  });

  it('refuses to start with an invalid setting and names it', async () => {
    const t = await testEnv({ CC_SFU_PORT: '70000' });
    const launcher = startNode('launcher/dist/main.js', ['--headless'], t.env);
    running = launcher;
    const exit = await launcher.exited;
    expect(exit.code).toBe(78);
    expect(launcher.output()).toContain('sfu.port');
    expect(launcher.output()).toContain('CC_SFU_PORT');
    expect(await health(t.hubUrl)).toBeUndefined();
  });

  it('refuses a config file that is not JSON, naming the file', async () => {
    const t = await testEnv();
    const { writeFileSync } = await import('node:fs');
    const file = `${t.dataDir}/broken.json`;
    writeFileSync(file, '{ "hub": { "port": 8700, } ');
    const launcher = startNode('launcher/dist/main.js', ['--headless', '--config', file], t.env);
    running = launcher;
    const exit = await launcher.exited;
    expect(exit.code).toBe(78);
    expect(launcher.output()).toContain(file);
    expect(launcher.output()).toContain('not valid JSON');
  });
});
