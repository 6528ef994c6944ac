/**
 * Device wiring between hub and bridge, against a fake bridge (a small HTTP server speaking
 * the bridge's route table) and a real SQLite file: catalog status events, media transport,
 * recorder playback, live views across a hub or bridge restart, call timeline and courts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadJoinTokenKey, serviceAuthorization } from '@cc/runtime';
import { FakeBridge } from '../bridge-link/fake-bridge.js';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub.js';

const CAM = '11010500001320000001';
const CH1 = '11010500001310000001';
const CH2 = '11010500001310000002';
const INTERCOM = '1001';
const COURT = { code: '110105', name: '北京市朝阳区人民法院', level: 'basic', parentCode: null, lat: 39.92, lon: 116.44 };
const OTHER = { code: '110108', name: '北京市海淀区人民法院', level: 'basic', parentCode: null, lat: 39.95, lon: 116.29 };

let hub: TestHub | undefined;
let bridge: FakeBridge | undefined;
afterEach(async () => {
  await hub?.close();
  await bridge?.close();
  hub = undefined;
  bridge = undefined;
});

type Headers = Record<string, string>;
interface World {
  hub: TestHub;
  bridge: FakeBridge;
  tech: Headers;
  officer: Headers;
  /** Court user of 海淀 (the devices belong to 朝阳). */
  other: Headers;
  service: Headers;
}

async function world(dataDir = mkdtempSync(join(tmpdir(), 'cc-hub-wiring-')), existing?: FakeBridge): Promise<World> {
  bridge = existing ?? (await FakeBridge.start(loadJoinTokenKey(dataDir)));
  hub = await startTestHub({ dataDir, settings: { bridgeUrl: bridge.url, sfuUrl: 'http://127.0.0.1:8701' } });
  if (!existing) {
    const admin = await hub.login('admin', ADMIN_PASSWORD);
    for (const court of [COURT, OTHER]) expect((await hub.call('POST', '/api/v1/courts', court, admin)).status).toBe(201);
    const people = [
      { username: 'tech', name: '技术员', role: 'technician', court: null },
      { username: 'officer', name: '值班员', role: 'duty_officer', court: null },
      { username: 'haidian', name: '海淀法院', role: 'court_user', court: OTHER.code },
    ];
    for (const p of people) expect((await hub.call('POST', '/api/v1/people', { ...p, password: 'password-123' }, admin)).status).toBe(201);
  }
  return {
    hub,
    bridge,
    tech: await hub.login('tech', 'password-123'),
    officer: await hub.login('officer', 'password-123'),
    other: await hub.login('haidian', 'password-123'),
    service: { authorization: serviceAuthorization(loadJoinTokenKey(dataDir), 'device-bridge') },
  };
}

const camera = { kind: 'gb28181', name: '朝阳球机1', court: COURT.code, mediaTransport: 'tcp_passive' };

async function ingest(w: World, events: Record<string, unknown>[]): Promise<void> {
  const body = { events: events.map((e) => ({ eventId: randomUUID(), at: new Date().toISOString(), ...e })) };
  expect((await w.hub.call('POST', '/api/v1/ingest/bridge', body, w.service)).status).toBe(200);
}

const channel = (channelId: string, name: string, extra: Record<string, unknown> = {}) => ({
  channelId,
  name,
  parentId: CAM,
  parental: false,
  status: 'on',
  ...extra,
});

describe('catalog status events (fake bridge, real SQLite)', () => {
  it('updates only the status of a channel named in a DeviceID + Event notification, keeping its name and parent', async () => {
    const w = await world();
    await ingest(w, [
      { type: 'device.catalog', deviceId: CAM, complete: true, sumNum: 2, channels: [channel(CH1, '大门'), channel(CH2, '后院')] },
    ]);
    // What the bridge makes of <Item><DeviceID>…</DeviceID><Event>OFF</Event></Item>: the id as the name, no parent.
    const statusOnly = (id: string, change: string, status: string) => ({ channelId: id, name: id, parental: false, status, change });
    await ingest(w, [{ type: 'device.catalog', deviceId: CAM, complete: false, sumNum: 1, channels: [statusOnly(CH1, 'VLOST', 'off')] }]);
    const channels = async () =>
      w.hub.context.db.prepare('SELECT channel_id, name, parent_id, status FROM device_channels ORDER BY channel_id').all();
    expect(await channels()).toEqual([
      { channel_id: CH1, name: '大门', parent_id: CAM, status: 'off' },
      { channel_id: CH2, name: '后院', parent_id: CAM, status: 'on' },
    ]);
    await ingest(w, [{ type: 'device.catalog', deviceId: CAM, complete: false, sumNum: 1, channels: [statusOnly(CH1, 'ON', 'on')] }]);
    expect((await channels())[0]).toEqual({ channel_id: CH1, name: '大门', parent_id: CAM, status: 'on' });
    // A status event for a channel the hub never saw adds it (its id is all there is to show).
    const CH3 = '11010500001310000003';
    await ingest(w, [{ type: 'device.catalog', deviceId: CAM, complete: false, sumNum: 1, channels: [statusOnly(CH3, 'OFF', 'off')] }]);
    expect((await channels())[2]).toEqual({ channel_id: CH3, name: CH3, parent_id: null, status: 'off' });
    // An UPDATE carries the whole item: its name replaces the old one.
    await ingest(w, [
      { type: 'device.catalog', deviceId: CAM, complete: false, sumNum: 1, channels: [channel(CH2, '后院东', { change: 'UPDATE' })] },
    ]);
    expect((await channels())[1]).toMatchObject({ name: '后院东' });
  });
});

describe('media transport and recorder playback through the hub (fake bridge, real SQLite)', () => {
  it('pushes the provisioned mediaTransport, passes a live view’s transport on and refuses an unknown one', async () => {
    const w = await world();
    const put = await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    expect(put.body.device.mediaTransport).toBe('tcp_passive');
    expect(w.bridge.of('provisionDevice')[0]?.body).toMatchObject({ mediaTransport: 'tcp_passive' });
    const bad = await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, { ...camera, mediaTransport: 'tcp-active' }, w.tech);
    expect(bad.status).toBe(400);
    expect(w.bridge.of('provisionDevice')).toHaveLength(1);

    expect((await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM }, w.officer)).status).toBe(201);
    expect(w.bridge.of('startStream')[0]?.body).not.toHaveProperty('transport'); // the bridge applies the provisioned one
    expect((await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM, transport: 'tcp_active' }, w.officer)).status).toBe(201);
    expect(w.bridge.of('startStream')[1]?.body).toMatchObject({ transport: 'tcp_active' });
    expect((await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM, transport: 'sctp' }, w.officer)).status).toBe(400);
    expect(w.bridge.of('startStream')).toHaveLength(2);
  });

  it('lists recordings, opens a playback view and relays pause / speed; refuses bad ranges and control of a live view', async () => {
    const w = await world();
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    const range = { startTime: '2026-11-21T08:00:00', endTime: '2026-11-21T09:00:00' };
    const records = await w.hub.call('POST', `/api/v1/devices/${CAM}/records`, { channelId: CH1, ...range }, w.officer);
    expect(records.status).toBe(200);
    expect(records.body).toEqual({ records: [{ channelId: CH1, ...range, type: 'time' }], complete: true });
    expect(w.bridge.of('queryRecords')[0]?.body).toEqual({ deviceId: CAM, channelId: CH1, ...range, type: 'all' });

    const badQueries: [string, unknown][] = [
      [CAM, { startTime: '2026-11-21 08:00', endTime: range.endTime }],
      [CAM, { startTime: range.endTime, endTime: range.startTime }],
      ['1001', range], // not a GB28181 device
    ];
    for (const [id, body] of badQueries)
      expect((await w.hub.call('POST', `/api/v1/devices/${id}/records`, body, w.officer)).status).toBe(400);
    expect((await w.hub.call('POST', `/api/v1/devices/${CAM}/records`, range, w.other)).status).toBe(403);
    expect(w.bridge.of('queryRecords')).toHaveLength(1);

    const open = await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM, channelId: CH1, mode: 'playback', ...range }, w.officer);
    expect(open.status).toBe(201);
    expect(open.body).toMatchObject({ mode: 'playback', ...range });
    expect(w.bridge.of('startStream')[0]?.body).toMatchObject({ mode: 'playback', ...range, channelId: CH1 });
    const viewId = open.body.viewId as string;
    for (const control of [{ action: 'pause' }, { action: 'speed', scale: 2 }]) {
      const answer = await w.hub.call('POST', `/api/v1/live-views/${viewId}/playback`, control, w.officer);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ viewId, state: 'live' });
    }
    expect(w.bridge.of('playbackControl').map((c) => [c.params.streamId, c.body])).toEqual([
      [open.body.streamId, { action: 'pause' }],
      [open.body.streamId, { action: 'speed', scale: 2 }],
    ]);
    expect((await w.hub.call('POST', `/api/v1/live-views/${viewId}/playback`, { action: 'speed', scale: 9 }, w.officer)).status).toBe(400);
    expect((await w.hub.call('POST', `/api/v1/live-views/${viewId}/playback`, { action: 'pause' }, w.tech)).status).toBe(404); // not the owner

    const badViews: unknown[] = [
      { deviceId: CAM, mode: 'playback' }, // no range
      { deviceId: CAM, mode: 'playback', startTime: range.endTime, endTime: range.startTime },
      { deviceId: CAM, ...range }, // a range needs mode playback
    ];
    for (const body of badViews) expect((await w.hub.call('POST', '/api/v1/live-views', body, w.officer)).status).toBe(400);
    const live = await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM }, w.officer);
    const refused = await w.hub.call('POST', `/api/v1/live-views/${live.body.viewId}/playback`, { action: 'pause' }, w.officer);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBeTruthy();
    expect(w.bridge.of('playbackControl')).toHaveLength(2);
  });
});

describe('live views across restarts (fake bridge, real SQLite)', () => {
  it('keeps views over a hub restart, drops bridge viewers the hub does not know, forgets views a restarted bridge lost', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cc-hub-wiring-'));
    let w = await world(dataDir);
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    const kept = (await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM }, w.officer)).body;
    // A viewer of the hub's that it no longer knows (say, closed while the bridge was unreachable), and someone else's.
    w.bridge.viewers.get(`${CAM}:${CAM}`)!.add('view-lost').add('wall-tile-1');

    await w.hub.close();
    hub = undefined;
    w = await world(dataDir, w.bridge);
    await vi.waitFor(() => expect(w.bridge.of('dropViewers').length).toBeGreaterThan(0), { timeout: 15_000, interval: 200 });
    expect(w.bridge.of('dropViewers')[0]?.body).toEqual({ prefix: 'view-', keep: [kept.viewId] });
    expect([...w.bridge.viewers.get(`${CAM}:${CAM}`)!].sort()).toEqual([kept.viewId, 'wall-tile-1'].sort());
    // The console goes on renewing and closing the view it had before the restart.
    expect((await w.hub.call('POST', `/api/v1/live-views/${kept.viewId}/token`, {}, w.officer)).status).toBe(200);

    const second = (await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM, channelId: CH1 }, w.officer)).body;
    await w.bridge.restart(); // its streams and viewers are gone
    await vi.waitFor(
      async () => expect((await w.hub.call('POST', `/api/v1/live-views/${second.viewId}/token`, {}, w.officer)).status).toBe(404),
      { timeout: 15_000, interval: 300 },
    );
    expect((await w.hub.call('POST', `/api/v1/live-views/${kept.viewId}/token`, {}, w.officer)).status).toBe(404);
    expect(w.hub.context.db.prepare('SELECT COUNT(*) AS n FROM live_views').get()).toEqual({ n: 0 });
  });
});

async function openIncident(w: World): Promise<string> {
  const alarm = await w.hub.call('POST', '/api/v1/alarms', { kind: 'sos', description: '测试报警', court: COURT.code }, w.officer);
  expect(alarm.status).toBe(201);
  return alarm.body.incidentId as string;
}

/** An SOS from the body camera of a field unit that also carries the intercom. */
async function sosFromUnit(w: World): Promise<string> {
  const unit = { name: '朝阳单兵1', kind: 'individual', court: COURT.code, devices: [CAM, INTERCOM] };
  expect((await w.hub.call('POST', '/api/v1/units', unit, w.officer)).status).toBe(201);
  await ingest(w, [{ type: 'alarm', deviceId: CAM, channelId: CAM, priority: 1, method: 1, description: 'SOS', sn: 7 }]);
  return (w.hub.context.db.prepare('SELECT incident_id FROM alarms WHERE device_id = ?').get(CAM) as { incident_id: string }).incident_id;
}

const kinds = async (w: World, incidentId: string) =>
  (
    (await w.hub.call('GET', `/api/v1/incidents/${incidentId}`, undefined, w.officer)).body.timeline as { kind: string; data: object }[]
  ).map((e) => [e.kind, e.data]);

describe('intercom calls on the incident timeline, courts and names (fake bridge, real SQLite)', () => {
  it('logs answered and ended once on the call’s incident, whoever reports them first', async () => {
    const w = await world();
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${INTERCOM}`, { kind: 'intercom', name: '大厅对讲', court: COURT.code }, w.tech);
    const incidentId = await openIncident(w);
    await w.hub.call('POST', '/api/v1/calls', { deviceId: INTERCOM, incidentId }, w.officer);
    // The intercom picks up (bridge event), the console hangs up, then the bridge reports the end too.
    await ingest(w, [{ type: 'call.state', callId: 'call-1', deviceId: INTERCOM, direction: 'outbound', state: 'answered' }]);
    w.bridge.answers.hangUp = (c) => ({ callId: c.params.callId, state: 'ended', deviceId: INTERCOM });
    expect((await w.hub.call('DELETE', '/api/v1/calls/call-1', undefined, w.officer)).body).toMatchObject({ deviceId: INTERCOM });
    await ingest(w, [{ type: 'call.state', callId: 'call-1', deviceId: INTERCOM, direction: 'outbound', state: 'ended', by: 'console' }]);
    const target = { target: '大厅对讲', callId: 'call-1' };
    expect((await kinds(w, incidentId)).slice(1)).toEqual([
      ['call_made', { target: '大厅对讲' }],
      ['call_answered', target],
      ['call_ended', target],
    ]);
  });

  it('puts an inbound call on the open incident its device raised; court users handle only their court’s calls', async () => {
    const w = await world();
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${INTERCOM}`, { kind: 'intercom', name: '大厅对讲', court: COURT.code }, w.tech);
    const incidentId = await sosFromUnit(w);
    await ingest(w, [
      { type: 'call.state', callId: 'in-1', deviceId: INTERCOM, direction: 'inbound', state: 'ringing', room: `intercom:${INTERCOM}` },
    ]);
    const event = w.hub.context.db.prepare("SELECT data FROM events WHERE type = 'call.state'").get() as { data: string };
    expect(JSON.parse(event.data)).toMatchObject({ callId: 'in-1', deviceId: INTERCOM, deviceName: '大厅对讲' });

    for (const [method, path] of [
      ['POST', '/api/v1/calls/in-1/answer'],
      ['DELETE', '/api/v1/calls/in-1'],
    ] as const) {
      const refused = await w.hub.call(method, path, method === 'POST' ? {} : undefined, w.other);
      expect(refused.status).toBe(403);
    }
    expect(w.bridge.of('answerCall')).toEqual([]);
    expect(w.bridge.of('hangUp')).toEqual([]);
    expect((await w.hub.call('POST', '/api/v1/calls/in-1/answer', { incidentId: 'nope' }, w.officer)).status).toBe(404);

    const answered = await w.hub.call('POST', '/api/v1/calls/in-1/answer', {}, w.officer);
    expect(answered.body).toMatchObject({ callId: 'in-1', state: 'answered', deviceId: INTERCOM });
    expect(w.bridge.of('answerCall')[0]?.body).toEqual({});
    expect((await kinds(w, incidentId)).at(-1)).toEqual(['call_answered', { target: '大厅对讲', callId: 'in-1' }]);
  });

  it('names a device that was not provisioned from its catalog on call.state', async () => {
    const w = await world();
    const PHONE = '11010500001330000009';
    await ingest(w, [
      { type: 'device.catalog', deviceId: CAM, complete: true, sumNum: 1, channels: [channel(PHONE, '三号对讲机')] },
      { type: 'call.state', callId: 'in-2', deviceId: PHONE, direction: 'inbound', state: 'ringing' },
      { type: 'call.state', callId: 'in-3', deviceId: '2002', direction: 'inbound', state: 'ringing' },
    ]);
    const events = w.hub.context.db.prepare("SELECT data FROM events WHERE type = 'call.state' ORDER BY seq").all() as { data: string }[];
    const data = events.map((e) => JSON.parse(e.data) as { deviceName?: string });
    expect(data[0]?.deviceName).toBe('三号对讲机');
    expect(data[1]).not.toHaveProperty('deviceName');
  });
});
