/**
 * Serial hardware through the bridge over real pty pairs (socat): a VISCA camera, a
 * Pelco-D camera, an audio processor and a matrix switcher, each played by the bridge's
 * byte-exact emulator on the far end. PTZ and serial commands go through the control
 * API; a silent device and an unplugged port go offline and come back by themselves.
 * The hub is a stub that checks auth and schemas ("stub hub").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJoinTokenKey, serviceAuthorization } from '../../runtime/src/join-token.js';
import { startHubStub, type HubStub } from '../../device-bridge/src/sim/hub-stub.js';
import {
  AudioProcessorEmulator,
  MatrixEmulator,
  PelcoEmulator,
  ViscaEmulator,
  type SerialEmulator,
} from '../../device-bridge/src/sim/serial-emulators.js';
import { freePort } from './support/ports.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';

const NAMES = ['visca', 'pelco', 'audio', 'matrix'] as const;
type Name = (typeof NAMES)[number];

function startSocat(dir: string, name: string): ChildProcess {
  return spawn('socat', [`pty,raw,echo=0,link=${join(dir, `${name}-bridge`)}`, `pty,raw,echo=0,link=${join(dir, `${name}-device`)}`], {
    stdio: 'ignore',
  });
}

describe('serial devices over socat ptys (stub hub)', () => {
  let t: TestEnv;
  let hub: HubStub;
  let bridge: Running;
  const socats = new Map<Name, ChildProcess>();
  const emulators = new Map<Name, SerialEmulator>();
  const visca = new ViscaEmulator(1);
  const pelco = new PelcoEmulator();
  const audio = new AudioProcessorEmulator();
  let matrix = new MatrixEmulator();
  const auth = (): string => serviceAuthorization(loadJoinTokenKey(t.dataDir), 'hub');
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${t.bridgeUrl}${path}`, {
      method: 'POST',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const statuses = (deviceId: string) => hub.of('serial.status').filter((e) => e.deviceId === deviceId);

  beforeAll(async () => {
    const hubPort = await freePort();
    t = await testEnv({ CC_BRIDGE_HUB_URL: `http://127.0.0.1:${hubPort}` });
    hub = await startHubStub(t.dataDir, hubPort);
    for (const name of NAMES) socats.set(name, startSocat(t.dataDir, name));
    await waitFor('ptys', () => (NAMES.every((n) => existsSync(join(t.dataDir, `${n}-device`))) ? true : undefined));
    emulators.set('visca', await visca.open(join(t.dataDir, 'visca-device')));
    emulators.set('pelco', await pelco.open(join(t.dataDir, 'pelco-device')));
    emulators.set('audio', await audio.open(join(t.dataDir, 'audio-device')));
    emulators.set('matrix', await matrix.open(join(t.dataDir, 'matrix-device')));
    const common = { pollMs: 300, maxMissed: 2, replyTimeoutMs: 300 };
    const serialDevices = [
      { deviceId: 'ptz-visca', driver: 'visca', path: join(t.dataDir, 'visca-bridge'), ...common },
      { deviceId: 'ptz-pelco', driver: 'pelco_d', path: join(t.dataDir, 'pelco-bridge'), address: 1, ...common },
      { deviceId: 'audio-1', driver: 'audio_processor', path: join(t.dataDir, 'audio-bridge'), preset: 'generic-ascii', ...common },
      { deviceId: 'matrix-1', driver: 'matrix', path: join(t.dataDir, 'matrix-bridge'), preset: 'sis-style', ...common },
    ];
    bridge = startNode('device-bridge/dist/main.js', [], { ...t.env, CC_BRIDGE_SERIAL_DEVICES: JSON.stringify(serialDevices) });
    await waitFor('bridge healthy', () => health(t.bridgeUrl), 30_000);
  });

  afterAll(async () => {
    bridge?.child.kill('SIGTERM');
    await bridge?.exited;
    for (const emulator of emulators.values()) await emulator.close();
    await matrix.close();
    for (const socat of socats.values()) socat.kill('SIGTERM');
    await hub?.close();
  });

  it('brings all four devices online and reports it to the hub', async () => {
    for (const id of ['ptz-visca', 'ptz-pelco', 'audio-1', 'matrix-1']) {
      await waitFor(`${id} online`, () => (statuses(id).some((e) => e.online) ? true : undefined));
    }
    expect(hub.refused).toBe(0);
  });

  it('drives the VISCA and Pelco-D cameras with byte-exact commands', async () => {
    const move = await post('/api/v1/ptz', { deviceId: 'ptz-visca', channelId: 'ptz-visca', command: { action: 'move', pan: 1, tilt: 0 } });
    expect(move.status).toBe(200);
    expect(visca.received.map((b) => b.toString('hex').toUpperCase())).toContain('8101060118010203FF');
    expect(
      (await post('/api/v1/ptz', { deviceId: 'ptz-visca', channelId: 'ptz-visca', command: { action: 'presetCall', preset: 5 } })).status,
    ).toBe(200);
    expect(visca.received.at(-1)?.toString('hex').toUpperCase()).toBe('8101043F0205FF');

    expect(
      (await post('/api/v1/ptz', { deviceId: 'ptz-pelco', channelId: 'ptz-pelco', command: { action: 'presetCall', preset: 3 } })).status,
    ).toBe(200);
    await waitFor('pelco frame', () => (pelco.received.length > 0 ? true : undefined));
    expect(pelco.received.at(-1)?.toString('hex').toUpperCase()).toBe('FF01000700030B');
  });

  it('mutes and sets gain on the audio processor, and routes the matrix', async () => {
    expect((await post('/api/v1/serial/audio-1', { action: 'mute', channel: 2, muted: true })).status).toBe(200);
    expect(audio.muted.get(2)).toBe(true);
    expect((await post('/api/v1/serial/audio-1', { action: 'gain', channel: 1, gainDb: -6 })).status).toBe(200);
    expect(audio.gains.get(1)).toBe(-6);

    expect((await post('/api/v1/serial/matrix-1', { action: 'route', input: 3, output: 1 })).status).toBe(200);
    expect(matrix.routes.get(1)).toBe(3);
    const query = await post('/api/v1/serial/matrix-1', { action: 'queryRoutes' });
    expect(((await query.json()) as { routes: Record<string, number> }).routes).toEqual({ 1: 3, 2: 2, 3: 3, 4: 4 });

    const bad = await post('/api/v1/serial/audio-1', { action: 'mute', channel: 0, muted: true });
    expect(bad.status).toBe(400);
    expect((await post('/api/v1/serial/nope', { action: 'queryRoutes' })).status).toBe(404);
  });

  it('marks a silent VISCA camera offline and online again when it answers', async () => {
    visca.silent = true;
    await waitFor('visca offline', () => (statuses('ptz-visca').at(-1)?.online === false ? true : undefined));
    expect((await post('/api/v1/ptz', { deviceId: 'ptz-visca', channelId: 'ptz-visca', command: { action: 'stop' } })).status).toBe(503);
    visca.silent = false;
    await waitFor('visca online', () => (statuses('ptz-visca').at(-1)?.online === true ? true : undefined));
  });

  it('marks the matrix offline when its port disappears and recovers when it returns', async () => {
    await matrix.close();
    socats.get('matrix')?.kill('SIGTERM');
    await waitFor('matrix offline', () => (statuses('matrix-1').at(-1)?.online === false ? true : undefined));
    socats.set('matrix', startSocat(t.dataDir, 'matrix'));
    await waitFor('pty back', () => (existsSync(join(t.dataDir, 'matrix-device')) ? true : undefined));
    await new Promise((r) => setTimeout(r, 200));
    matrix = await new MatrixEmulator().open(join(t.dataDir, 'matrix-device'));
    await waitFor('matrix online', () => (statuses('matrix-1').at(-1)?.online === true ? true : undefined), 30_000);
  });
});
