/**
 * SIP intercom terminals (对讲) registering with the bridge: a real baresip registers with
 * digest as an intercom, a baresip with a wrong password is refused, and a baresip that
 * quits unregisters. (Calls and audio are not built yet.) Stub hub.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubStub, type HubStub } from '../../device-bridge/src/sim/hub-stub.js';
import { freePort } from './support/ports.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';

async function baresip(dir: string, user: string, password: string, sipPort: number): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true });
  const listen = await freePort();
  writeFileSync(join(dir, 'accounts'), `<sip:${user}@127.0.0.1:${sipPort};transport=udp>;auth_pass=${password};regint=60\n`);
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${listen}`,
      'audio_player alsa,null',
      'audio_alert alsa,null',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module alsa.so',
      'module_tmp uuid.so',
      'module_tmp account.so',
      'net_interface 127.0.0.1',
      '',
    ].join('\n'),
  );
  return spawn('baresip', ['-f', dir], { stdio: ['ignore', 'ignore', 'ignore'] });
}

describe('SIP intercoms register with digest (real baresip, stub hub)', () => {
  let t: TestEnv;
  let hub: HubStub;
  let bridge: Running;
  let sipPort: number;
  const phones: ChildProcess[] = [];

  beforeAll(async () => {
    sipPort = await freePort();
    const hubPort = await freePort();
    t = await testEnv({ CC_BRIDGE_SIP_PORT: String(sipPort), CC_BRIDGE_HUB_URL: `http://127.0.0.1:${hubPort}` });
    const devicesFile = join(t.dataDir, 'devices.json');
    writeFileSync(
      devicesFile,
      JSON.stringify({
        devices: [
          { deviceId: 'intercom-8001', kind: 'intercom', password: 'talk-8001', name: '审判庭对讲' },
          { deviceId: 'intercom-8002', kind: 'intercom', password: 'talk-8002' },
        ],
      }),
    );
    hub = await startHubStub(t.dataDir, hubPort);
    bridge = startNode('device-bridge/dist/main.js', [], { ...t.env, CC_BRIDGE_DEVICES_FILE: devicesFile });
    await waitFor('bridge healthy', () => health(t.bridgeUrl), 30_000);
  });

  afterAll(async () => {
    for (const phone of phones) phone.kill('SIGKILL');
    bridge?.child.kill('SIGTERM');
    await bridge?.exited;
    await hub?.close();
  });

  it('registers baresip as an intercom, refuses a wrong password, and sees the unregister when it quits', async () => {
    const good = await baresip(join(t.dataDir, 'phone-a'), 'intercom-8001', 'talk-8001', sipPort);
    phones.push(good);
    phones.push(await baresip(join(t.dataDir, 'phone-b'), 'intercom-8002', 'wrong', sipPort));
    const registered = await waitFor(
      'intercom registered',
      () => hub.of('device.registered').find((e) => e.deviceId === 'intercom-8001'),
      30_000,
    );
    expect(registered).toMatchObject({ kind: 'intercom', transport: 'udp' });
    await waitFor('online', () => (hub.of('device.online').some((e) => e.deviceId === 'intercom-8001') ? true : undefined));
    // Give the wrong-password phone time for its attempts: it must never register.
    await new Promise((r) => setTimeout(r, 1500));
    expect(hub.of('device.registered').some((e) => e.deviceId === 'intercom-8002')).toBe(false);
    good.kill('SIGTERM');
    const offline = await waitFor('unregistered', () => hub.of('device.offline').find((e) => e.deviceId === 'intercom-8001'), 20_000);
    expect(offline.reason).toBe('unregistered');
  });
});
