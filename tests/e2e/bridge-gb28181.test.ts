/**
 * The bridge's GB/T 28181 SIP server against real peers over loopback: sipsak (REGISTER
 * with digest over UDP and TCP, a Keepalive MESSAGE from a file) and the bridge's own
 * simulated devices (raw UDP). The hub is a stub that checks auth and schemas like the
 * hub must ("stub hub" below), because the hub's ingest is built separately.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJoinTokenKey, serviceAuthorization } from '../../runtime/src/join-token.js';
import { GbFleet } from '../../device-bridge/src/sim/gb-fleet.js';
import { SimGbDevice } from '../../device-bridge/src/sim/gb-device.js';
import { startHubStub, type HubStub } from '../../device-bridge/src/sim/hub-stub.js';
import { freePort } from './support/ports.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';

const run = promisify(execFile);
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const SERVER_ID = '34020000002000000001';
const DOMAIN = '3402000000';
const CAM = '34020000001320000001';
const BODYCAM = '34020000001320000002';
const QUIET = '34020000001320000003';
const SIPSAK_TCP = '34020000001320000004';

interface Bridge {
  t: TestEnv;
  hub: HubStub;
  bridge: Running;
  sipPort: number;
}

async function startBridge(extra: NodeJS.ProcessEnv): Promise<Bridge> {
  const sipPort = await freePort();
  const hubPort = await freePort();
  const t = await testEnv({ CC_BRIDGE_SIP_PORT: String(sipPort), CC_BRIDGE_HUB_URL: `http://127.0.0.1:${hubPort}`, ...extra });
  const devicesFile = join(t.dataDir, 'devices.json');
  writeFileSync(
    devicesFile,
    JSON.stringify({
      devices: [
        { deviceId: CAM, password: '12345678' },
        { deviceId: BODYCAM, password: 'body-pw', name: '执法记录仪02' },
        { deviceId: QUIET, password: 'quiet-pw' },
        { deviceId: SIPSAK_TCP, password: 'tcp-pw' },
      ],
    }),
  );
  const hub = await startHubStub(t.dataDir, hubPort);
  const bridge = startNode('device-bridge/dist/main.js', [], { ...t.env, CC_BRIDGE_DEVICES_FILE: devicesFile });
  await waitFor('bridge healthy', () => health(t.bridgeUrl), 30_000);
  return { t, hub, bridge, sipPort };
}

async function stopBridge(b: Bridge | undefined): Promise<void> {
  if (!b) return;
  b.bridge.child.kill('SIGTERM');
  await b.bridge.exited;
  await b.hub.close();
}

async function sipsak(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('sipsak', args, { timeout: 20_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const register = (sipPort: number, user: string, password: string, extra: string[] = []): Promise<{ code: number; out: string }> =>
  sipsak([
    '-U',
    '-C',
    `sip:${user}@127.0.0.1:${5000 + Math.floor(Math.random() * 900)}`,
    '-s',
    `sip:${user}@127.0.0.1:${sipPort}`,
    '-a',
    password,
    '-vv',
    ...extra,
  ]);

describe('GB/T 28181 SIP server with sipsak and simulated devices (stub hub)', () => {
  let b: Bridge;
  let fleet: GbFleet;
  // The body camera keeps alive (the timeout is 5 s here); the quiet device does not.
  let heartbeat: NodeJS.Timeout | undefined;
  const auth = (): string => serviceAuthorization(loadJoinTokenKey(b.t.dataDir), 'hub');

  beforeAll(async () => {
    b = await startBridge({ CC_BRIDGE_KEEPALIVE_INTERVAL_S: '5', CC_BRIDGE_KEEPALIVE_MAX_MISSED: '1', CC_BRIDGE_AUTH_MAX_FAILURES: '3' });
    fleet = await GbFleet.create({
      bridgeHost: '127.0.0.1',
      bridgePort: b.sipPort,
      bindHost: '127.0.0.2',
      serverId: SERVER_ID,
      domain: DOMAIN,
      answerQueries: true,
      devices: [
        { deviceId: BODYCAM, password: 'body-pw', name: '执法记录仪02 萳' },
        { deviceId: QUIET, password: 'quiet-pw' },
        { deviceId: '34020000001320000099', password: 'guess' },
        { deviceId: CAM, password: 'wrong' },
      ],
    });
  });

  afterAll(async () => {
    clearInterval(heartbeat);
    await fleet?.close();
    await stopBridge(b);
  });

  it('registers sipsak with MD5 digest without qop over UDP and over TCP, and tells the hub', async () => {
    const udp = await register(b.sipPort, CAM, '12345678');
    expect(udp.out).toContain('OK');
    expect(udp.code).toBe(0);
    const tcp = await register(b.sipPort, SIPSAK_TCP, 'tcp-pw', ['-E', 'tcp']);
    expect(tcp.code).toBe(0);
    const registered = await waitFor('registered events', () => {
      const events = b.hub.of('device.registered').filter((e) => e.deviceId === CAM || e.deviceId === SIPSAK_TCP);
      return events.length >= 2 ? events : undefined;
    });
    expect(new Set(registered.map((e) => e.transport))).toEqual(new Set(['udp', 'tcp']));
    await waitFor('online events', () => {
      const ids = b.hub.of('device.online').map((e) => e.deviceId);
      return ids.includes(CAM) && ids.includes(SIPSAK_TCP) ? true : undefined;
    });
  });

  it('accepts a Keepalive MESSAGE sent by sipsak from a file', async () => {
    const file = join(b.t.dataDir, 'keepalive.sip');
    const body = `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>43</SN>\r\n<DeviceID>${CAM}</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n`;
    const text = [
      `MESSAGE sip:${SERVER_ID}@127.0.0.1:${b.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5097;rport;branch=z9hG4bK$replace$`,
      `From: <sip:${CAM}@${DOMAIN}>;tag=1234`,
      `To: <sip:${SERVER_ID}@${DOMAIN}>`,
      `Call-ID: ka-$replace$@127.0.0.1`,
      `CSeq: 20 MESSAGE`,
      `Max-Forwards: 70`,
      `Content-Type: Application/MANSCDP+xml`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    writeFileSync(file, text);
    const result = await sipsak(['-f', file, '-s', `sip:${SERVER_ID}@127.0.0.1:${b.sipPort}`, '-g', 'x', '-vv']);
    expect(result.out).toMatch(/200 OK/);
    const status = (await health(b.t.bridgeUrl))?.details.messages as { accepted: number };
    expect(status.accepted).toBeGreaterThan(0);
  });

  it('refuses unknown devices and wrong passwords, and locks out a source after repeated failures', async () => {
    const before = b.hub.events.length;
    expect(await fleet.register(2)).toBe(false);
    expect(await fleet.register(3)).toBe(false);
    // sipsak from 127.0.0.1: wrong password three times, then even the right one is refused.
    for (let i = 0; i < 3; i++) expect((await register(b.sipPort, QUIET, 'nope')).code).not.toBe(0);
    const locked = await register(b.sipPort, QUIET, 'quiet-pw');
    expect(locked.code).not.toBe(0);
    expect(locked.out).toContain('403');
    // Another source address is not affected.
    expect(await fleet.register(1)).toBe(true);
    const newEvents = b.hub.events.slice(before).map((e) => e.event);
    expect(newEvents.every((e) => 'deviceId' in e && e.deviceId === QUIET)).toBe(true);
    expect(b.hub.refused).toBe(0);
  });

  it('registers a simulated body camera, queries it, and publishes its info and catalog decoded from GB18030', async () => {
    expect(await fleet.register(0)).toBe(true);
    heartbeat = setInterval(() => fleet.keepalive(0), 1000);
    expect(fleet.lastChallenge).toMatch(/^Digest realm="3402000000", nonce="[0-9a-f]+", algorithm=MD5$/);
    const catalog = await waitFor('catalog event', () => b.hub.of('device.catalog').find((e) => e.deviceId === BODYCAM));
    expect(catalog.complete).toBe(true);
    expect(catalog.channels[0]?.name).toBe('执法记录仪02 萳');
    const info = await waitFor('info event', () => b.hub.of('device.info').find((e) => e.deviceId === BODYCAM));
    expect(info.model).toBe('BodyCam');
    // The bridge SUBSCRIBEs to MobilePosition; the device's NOTIFY becomes a position at the hub.
    await waitFor('subscribed', () => (fleet.stats.subscriptions > 0 ? true : undefined));
    const notified = await waitFor('NOTIFY position', () =>
      b.hub
        .of('positions')
        .flatMap((e) => e.positions)
        .find((p) => p.deviceId === BODYCAM && p.longitude === 116.397128),
    );
    expect(notified.latitude).toBe(39.916527);
  });

  it('forwards an SOS alarm with its position to the hub and answers it per the standard', async () => {
    const answersBefore = fleet.stats.alarmAnswers;
    fleet.alarm(0, 'SOS 一键报警', { longitude: 116.397128, latitude: 39.916527 });
    const alarm = await waitFor('alarm event', () => b.hub.of('alarm').find((e) => e.deviceId === BODYCAM));
    expect(alarm).toMatchObject({
      priority: 1,
      method: 1,
      alarmType: 2,
      description: 'SOS 一键报警',
      position: { longitude: 116.397128, latitude: 39.916527 },
    });
    await waitFor('alarm Response', () => (fleet.stats.alarmAnswers > answersBefore ? true : undefined));
  });

  it('batches mobile positions into positions events', async () => {
    fleet.position(0, 116.4, 39.9, 30, 90);
    fleet.position(0, 116.41, 39.91, 30, 90);
    const positions = await waitFor('positions', () => {
      const moved = b.hub
        .of('positions')
        .flatMap((e) => e.positions)
        .filter((p) => p.deviceId === BODYCAM && p.speedKmh === 30);
      return moved.length >= 2 ? moved : undefined;
    });
    expect(positions.map((p) => [p.longitude, p.latitude, p.directionDeg])).toEqual([
      [116.4, 39.9, 90],
      [116.41, 39.91, 90],
    ]);
  });

  it('marks a silent device offline after the keepalive timeout and online again on its next keepalive', async () => {
    const offline = await waitFor('offline', () => b.hub.of('device.offline').find((e) => e.deviceId === QUIET), 30_000);
    expect(offline.reason).toBe('keepalive_timeout');
    const onlineBefore = b.hub.of('device.online').filter((e) => e.deviceId === QUIET).length;
    fleet.keepalive(1);
    await waitFor('online again', () =>
      b.hub.of('device.online').filter((e) => e.deviceId === QUIET).length > onlineBefore ? true : undefined,
    );
  });

  it('refuses MESSAGEs from unregistered devices and unreadable bodies without touching hub state', async () => {
    const before = b.hub.events.length;
    const refused = fleet.stats.refused;
    fleet.message(2, `<?xml version="1.0"?><Notify><CmdType>Alarm</CmdType><SN>1</SN><DeviceID>34020000001320000099</DeviceID></Notify>`);
    await waitFor('403', () => (fleet.stats.refused > refused ? true : undefined));
    const statuses: number[] = [];
    fleet.message(0, '<Notify><CmdType>Alarm</CmdType><SN>x</SN></Notify>', (status) => statuses.push(status));
    fleet.message(0, '<!DOCTYPE a [<!ENTITY b SYSTEM "file:///etc/passwd">]><Notify>&b;</Notify>', (status) => statuses.push(status));
    await waitFor('two answers', () => (statuses.length === 2 ? true : undefined));
    expect(statuses).toEqual([400, 400]);
    expect(b.hub.events.slice(before).filter((e) => e.event.type === 'alarm')).toEqual([]);
  });

  it('serves the control API only to services: lists devices, sends PTZ, refuses unknown devices', async () => {
    expect((await fetch(`${b.t.bridgeUrl}/api/v1/devices`)).status).toBe(401);
    const list = (await (await fetch(`${b.t.bridgeUrl}/api/v1/devices`, { headers: { authorization: auth() } })).json()) as {
      devices: { deviceId: string; online: boolean }[];
    };
    expect(list.devices.find((d) => d.deviceId === BODYCAM)?.online).toBe(true);
    const ptz = await fetch(`${b.t.bridgeUrl}/api/v1/ptz`, {
      method: 'POST',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: BODYCAM, channelId: BODYCAM, command: { action: 'move', pan: 1, tilt: 0 } }),
    });
    expect(ptz.status).toBe(200);
    const unknown = await fetch(`${b.t.bridgeUrl}/api/v1/ptz`, {
      method: 'POST',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: '34020000001320000077', channelId: '34020000001320000077', command: { action: 'stop' } }),
    });
    expect(unknown.status).toBe(404);
    const bad = await fetch(`${b.t.bridgeUrl}/api/v1/ptz`, {
      method: 'POST',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: BODYCAM, channelId: BODYCAM, command: { action: 'move', pan: 9, tilt: 0 } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
  });

  it('searches the recordings of a device (RecordInfo answered in two parts with one SN)', async () => {
    const response = await fetch(`${b.t.bridgeUrl}/api/v1/records/query`, {
      method: 'POST',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: BODYCAM, channelId: BODYCAM, startTime: '2026-11-21T00:00:00', endTime: '2026-11-21T23:59:59' }),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { complete: boolean; records: { startTime: string; endTime: string; fileSize: number }[] };
    expect(answer.complete).toBe(true);
    expect(answer.records).toEqual([
      expect.objectContaining({ startTime: '2026-11-21T08:00:00', endTime: '2026-11-21T08:30:00', fileSize: 1048576 }),
      expect.objectContaining({ startTime: '2026-11-21T09:00:00', endTime: '2026-11-21T09:45:00' }),
    ]);
  });

  it('unregisters on Expires: 0', async () => {
    clearInterval(heartbeat);
    expect(await fleet.register(0, 0)).toBe(true);
    const offline = await waitFor('unregistered', () => b.hub.of('device.offline').find((e) => e.deviceId === BODYCAM));
    expect(offline.reason).toBe('unregistered');
  });
});

describe('GB/T 28181 digest with qop=auth (stub hub)', () => {
  let b: Bridge | undefined;
  afterAll(async () => stopBridge(b));

  it('offers qop="auth" with algorithm=MD5 and accepts sipsak and a device answering with qop', async () => {
    b = await startBridge({ CC_BRIDGE_DIGEST_QOP: 'true' });
    const result = await register(b.sipPort, CAM, '12345678');
    expect(result.code).toBe(0);
    const fleet = await GbFleet.create({
      bridgeHost: '127.0.0.1',
      bridgePort: b.sipPort,
      bindHost: '127.0.0.2',
      serverId: SERVER_ID,
      domain: DOMAIN,
      useQop: true,
      devices: [{ deviceId: BODYCAM, password: 'body-pw' }],
    });
    try {
      expect(await fleet.register(0)).toBe(true);
      expect(fleet.lastChallenge).toContain('algorithm=MD5');
      expect(fleet.lastChallenge).toContain('qop="auth"');
    } finally {
      await fleet.close();
    }
    await waitFor('both registered', () => (b!.hub.of('device.registered').length >= 2 ? true : undefined));
    // A bridge that stops tells the hub its devices are gone.
    b.bridge.child.kill('SIGTERM');
    await b.bridge.exited;
    expect(b.hub.of('device.offline').map((e) => e.reason)).toEqual(['bridge_shutdown', 'bridge_shutdown']);
  });
});

describe('GB/T 28181 Catalog and MobilePosition subscriptions (stub hub)', () => {
  let b: Bridge | undefined;
  let device: SimGbDevice | undefined;
  afterAll(async () => {
    await device?.close();
    await stopBridge(b);
  });

  it('subscribes on registration, turns catalog NOTIFYs into incremental tree changes, refreshes in the dialog, unsubscribes on unregister', async () => {
    b = await startBridge({ CC_BRIDGE_SUBSCRIPTION_EXPIRES_S: '10' });
    const bridge = b;
    device = await SimGbDevice.create({
      bridgeHost: '127.0.0.1',
      bridgePort: bridge.sipPort,
      bindHost: '127.0.0.3',
      serverId: SERVER_ID,
      domain: DOMAIN,
      deviceId: BODYCAM,
      password: 'body-pw',
      name: '执法记录仪02',
    });
    const sim = device;
    expect(await sim.register()).toBe(200);
    await waitFor('full catalog', () => bridge.hub.of('device.catalog').find((e) => e.deviceId === BODYCAM && e.complete));
    await waitFor('two subscriptions', () => (sim.subscriptions.size === 2 ? true : undefined));
    expect(new Set([...sim.subscriptions.values()].map((s) => s.event))).toEqual(new Set(['Catalog', 'MobilePosition']));
    expect([...sim.subscriptions.values()].every((s) => s.expiresS === 10)).toBe(true);

    const NEW = '34020000001310000021';
    expect(
      await sim.catalogNotify([
        { channelId: NEW, name: '新增通道', parentId: BODYCAM, event: 'ADD' },
        { channelId: BODYCAM, event: 'OFF', bare: true },
      ]),
    ).toBe(200);
    expect(await sim.catalogNotify([{ channelId: NEW, name: '更名通道', parentId: BODYCAM, event: 'UPDATE' }])).toBe(200);
    expect(
      await sim.catalogNotify([
        { channelId: NEW, event: 'DEL' },
        { channelId: BODYCAM, event: 'ON', bare: true },
      ]),
    ).toBe(200);
    const changes = await waitFor('three incremental catalog events', () => {
      const partial = bridge.hub.of('device.catalog').filter((e) => e.deviceId === BODYCAM && !e.complete);
      return partial.length >= 3 ? partial : undefined;
    });
    expect(changes.map((e) => e.channels.map((c) => [c.channelId, c.change, c.status]))).toEqual([
      [
        [NEW, 'ADD', 'on'],
        [BODYCAM, 'OFF', 'off'],
      ],
      [[NEW, 'UPDATE', 'on']],
      [
        [NEW, 'DEL', 'on'],
        [BODYCAM, 'ON', 'on'],
      ],
    ]);
    expect(changes[1]!.channels[0]!.name).toBe('更名通道');

    // Bad input: a NOTIFY outside any subscription, and an unreadable one inside; the hub sees nothing of them.
    const before = bridge.hub.events.length;
    expect(await sim.notify('never-subscribed', 'Catalog', '<Notify><CmdType>Catalog</CmdType><SN>1</SN></Notify>')).toBe(481);
    const catalogSub = [...sim.subscriptions.values()].find((s) => s.event === 'Catalog')!;
    expect(await sim.notify(catalogSub.callId, 'Catalog', '<Notify><CmdType>Catalog</CmdType><SN>x', catalogSub)).toBe(400);
    expect(bridge.hub.events.slice(before).filter((e) => e.event.type === 'device.catalog')).toEqual([]);

    // Expires 10 s: both are refreshed in their dialogs (same Call-ID) before they lapse.
    await waitFor('refreshed', () => ([...sim.subscriptions.values()].every((s) => s.refreshes >= 1) ? true : undefined), 30_000);
    expect(sim.stats.subscribes).toBe(2);

    expect(await sim.register(0)).toBe(200);
    await waitFor('unsubscribed', () => (sim.stats.unsubscribes === 2 ? true : undefined));
    expect(sim.subscriptions.size).toBe(0);
    expect(await sim.notify(catalogSub.callId, 'Catalog', '<Notify><CmdType>Catalog</CmdType><SN>2</SN></Notify>', catalogSub)).toBe(481);
  });
});

describe('GB/T 28181 provisioned devices survive a bridge restart (stub hub)', () => {
  let b: Bridge | undefined;
  afterAll(async () => stopBridge(b));

  it('keeps API-provisioned devices (as digest HA1, never the password) and config-file removals across a restart', async () => {
    b = await startBridge({});
    const bridge = b;
    const NEW = '34020000001320000031';
    const auth = (): string => serviceAuthorization(loadJoinTokenKey(bridge.t.dataDir), 'hub');
    const api = (method: string, path: string, body?: unknown): Promise<Response> =>
      fetch(`${bridge.t.bridgeUrl}${path}`, {
        method,
        headers: { authorization: auth(), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const put = await api('PUT', `/api/v1/devices/${NEW}`, {
      kind: 'gb28181',
      name: '单兵31',
      password: 'new-pw',
      mediaTransport: 'tcp_passive',
    });
    expect(put.status).toBe(200);
    expect((await api('DELETE', `/api/v1/devices/${QUIET}`)).status).toBe(200);
    const bad = await api('PUT', `/api/v1/devices/${NEW}`, { kind: 'gb28181', password: '' });
    expect(bad.status).toBe(400);
    const stored = readFileSync(join(bridge.t.dataDir, 'bridge-provisioned-devices.json'), 'utf8');
    expect(stored).not.toContain('new-pw');
    expect(JSON.parse(stored)).toMatchObject({
      realm: DOMAIN,
      devices: [{ deviceId: NEW, name: '单兵31', ha1: md5(`${NEW}:${DOMAIN}:new-pw`), mediaTransport: 'tcp_passive' }],
      removed: [QUIET],
    });

    bridge.bridge.child.kill('SIGTERM');
    await bridge.bridge.exited;
    bridge.bridge = startNode('device-bridge/dist/main.js', [], {
      ...bridge.t.env,
      CC_BRIDGE_DEVICES_FILE: join(bridge.t.dataDir, 'devices.json'),
    });
    await waitFor('bridge healthy again', () => health(bridge.t.bridgeUrl), 30_000);

    const list = (await (await api('GET', '/api/v1/devices')).json()) as { devices: { deviceId: string; name?: string }[] };
    expect(list.devices.find((d) => d.deviceId === NEW)?.name).toBe('单兵31');
    expect(list.devices.some((d) => d.deviceId === QUIET)).toBe(false);
    const fleet = await GbFleet.create({
      bridgeHost: '127.0.0.1',
      bridgePort: bridge.sipPort,
      bindHost: '127.0.0.2',
      serverId: SERVER_ID,
      domain: DOMAIN,
      devices: [
        { deviceId: NEW, password: 'new-pw' },
        { deviceId: QUIET, password: 'quiet-pw' },
        { deviceId: NEW, password: 'wrong-pw' },
      ],
    });
    try {
      expect(await fleet.register(0)).toBe(true);
      expect(await fleet.register(1)).toBe(false);
      expect(await fleet.register(2)).toBe(false);
    } finally {
      await fleet.close();
    }
  });
});
