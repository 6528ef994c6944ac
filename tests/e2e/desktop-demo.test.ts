/**
 * The console and wall on the demo dataset (26 Beijing courts, 100 field units, 50,000 cases):
 * what `npm start` shows. Checks the map holds every court and located unit, an alarm reaches
 * the console live, and the wall's case figures match the hub's statistics. Prints the time to a
 * live console and the alarm-to-screen latency (figures, not assertions).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';

const DEMO_PASSWORD = 'demo-2026';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

let env: TestEnv;
let hub: Running;
let browser: Browser;
const external: string[] = [];

async function call(method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const response = await fetch(`${env.hubUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
  return response.json();
}

async function signIn(hash: string, username: string): Promise<{ page: Page; readyMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!LOCAL_HOSTS.has(url.hostname) && url.protocol !== 'data:' && url.protocol !== 'blob:') external.push(request.url());
  });
  await page.goto(`${env.hubUrl}/${hash}`);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
  const started = performance.now();
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('[data-link-state="online"]').waitFor({ timeout: 30_000 });
  await page.locator('[data-map-ready="true"]').waitFor({ timeout: 60_000 });
  return { page, readyMs: performance.now() - started };
}

beforeAll(async () => {
  env = await testEnv({ CC_HUB_ADMIN_PASSWORD: 'admin-pass-123', CC_HUB_DEMO: 'auto', CC_LOG_LEVEL: 'warn' });
  hub = startNode('hub/dist/main.js', [], env.env);
  await waitFor('demo hub healthy', () => health(env.hubUrl), 110_000);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (hub && hub.child.exitCode === null) {
    hub.child.kill('SIGTERM');
    await hub.exited;
  }
});

describe('desktop on the demo dataset', () => {
  it('shows every court and located unit, and alarms arrive live', async () => {
    const officer = (await call('POST', '/api/v1/auth/login', { username: 'duty02', password: DEMO_PASSWORD })).token as string;
    const units = (await call('GET', '/api/v1/units', undefined, officer)).units as {
      id: string;
      court: string;
      name: string;
      position: { lat: number; lon: number } | null;
    }[];
    const located = units.filter((u) => u.position);
    const { page, readyMs } = await signIn('#/console', 'duty01');
    await page.locator(`[data-map][data-courts="26"][data-units="${located.length}"]`).waitFor();
    const before = Number(await page.locator('[data-active-count]').innerText());

    const latencies: number[] = [];
    for (const unit of located.slice(0, 5)) {
      const sent = performance.now();
      const alarm = await call(
        'POST',
        '/api/v1/alarms',
        {
          kind: 'sos',
          priority: 1,
          description: `${unit.name}紧急求助`,
          court: unit.court,
          unitId: unit.id,
          lat: unit.position!.lat,
          lon: unit.position!.lon,
        },
        officer,
      );
      await page.locator(`[data-panel="incidents"] [data-incident="${alarm.incidentId}"]`).waitFor({ timeout: 10_000 });
      latencies.push(performance.now() - sent);
    }
    expect(Number(await page.locator('[data-active-count]').innerText())).toBe(before + 5);
    latencies.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        figure: 'desktop.demo',
        consoleReadyMs: Math.round(readyMs),
        alarmToScreenMs: { median: Math.round(latencies[2]!), max: Math.round(latencies[4]!) },
      }),
    );
    await page.close();
  });

  it('shows the wall with the hub’s case statistics and its overdue ranking', async () => {
    const officer = (await call('POST', '/api/v1/auth/login', { username: 'duty03', password: DEMO_PASSWORD })).token as string;
    const stats = await call('GET', '/api/v1/stats', undefined, officer);
    const { page } = await signIn('#/wall?display=1', 'duty03');
    const cases = page.locator('[data-wall-cases]');
    const pct = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
    await expect
      .poll(() => cases.locator('[data-figure="close-rate"] .v').innerText(), { timeout: 15_000 })
      .toBe(pct(stats.total.closeRate));
    expect(await cases.locator('[data-figure="recovery-rate"] .v').innerText()).toBe(pct(stats.total.recoveryRate));
    expect(Number(await cases.locator('[data-figure="overdue"] .v').innerText())).toBeGreaterThan(0);
    // Ties in the ranking are broken by due-soon nodes and code: compare the leader's count.
    const most = Math.max(...stats.courts.map((c: { overdueNodes: number }) => c.overdueNodes));
    expect(Number(await cases.locator('[data-overdue-ranking] li .n.overdue').first().innerText())).toBe(most);

    // The wall follows the hub's active scene: 日常值守 now, 应急处置 once a duty officer activates it.
    const [wall] = (await call('GET', '/api/v1/walls', undefined, officer)).walls as { id: string }[];
    const { scenes } = (await call('GET', `/api/v1/walls/${wall!.id}/scenes`, undefined, officer)) as {
      scenes: { id: string; body: { name: string } }[];
    };
    const emergency = scenes.find((s) => s.body.name === '应急处置')!;
    const banner = page.locator('[data-wall-active]');
    await expect.poll(() => banner.innerText()).toBe('预案：日常值守');
    await call('POST', `/api/v1/walls/${wall!.id}/activate`, { kind: 'scene', id: emergency.id }, officer);
    await expect.poll(() => banner.innerText(), { timeout: 10_000 }).toBe('预案：应急处置');
    await page.close();
    expect(external).toEqual([]);
  });
});
