import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadJoinTokenKey, serviceAuthorization } from '@cc/runtime';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub.js';

let hub: TestHub;
afterEach(async () => hub?.close());

const SOS_DEVICE = '11010500001320000001';
const COURTS = [
  { code: '110000', name: '北京市高级人民法院', level: 'high', parentCode: null, lat: 39.8977, lon: 116.3956 },
  { code: '110105', name: '北京市朝阳区人民法院', level: 'basic', parentCode: '110000', lat: 39.9219, lon: 116.4437 },
  { code: '110108', name: '北京市海淀区人民法院', level: 'basic', parentCode: '110000', lat: 39.9593, lon: 116.2981 },
];

async function setup(): Promise<{ admin: Record<string, string>; bridge: Record<string, string>; unitA: string; unitB: string }> {
  hub = await startTestHub();
  const admin = await hub.login('admin', ADMIN_PASSWORD);
  for (const court of COURTS) await hub.call('POST', '/api/v1/courts', court, admin);
  const a = await hub.call(
    'POST',
    '/api/v1/units',
    { name: '朝阳单兵1', kind: 'individual', court: '110105', devices: [SOS_DEVICE] },
    admin,
  );
  const b = await hub.call('POST', '/api/v1/units', { name: '海淀执行车', kind: 'vehicle', court: '110108' }, admin);
  await hub.call('POST', `/api/v1/units/${b.body.id}/position`, { lat: 39.96, lon: 116.3 }, admin);
  const bridge = { authorization: serviceAuthorization(loadJoinTokenKey(hub.dataDir), 'device-bridge') };
  return { admin, bridge, unitA: a.body.id, unitB: b.body.id };
}

const alarmEvent = (extra: object = {}) => ({
  eventId: randomUUID(),
  at: new Date().toISOString(),
  type: 'alarm',
  deviceId: SOS_DEVICE,
  channelId: SOS_DEVICE,
  priority: 1,
  method: 1,
  description: '一键报警',
  position: { longitude: 116.45, latitude: 39.92 },
  sn: 7,
  ...extra,
});

/** Subscribes to the event stream; `ready` once the hub said hello, `event` with the first event of `type`. */
function watchFor(hubUrl: string, token: string, type: string): { ready: Promise<void>; event: Promise<any> } {
  const socket = new WebSocket(`${hubUrl.replace('http', 'ws')}/api/v1/events?token=${token}`);
  const ready = new Promise<void>((resolve) => socket.once('message', () => resolve()));
  const event = new Promise((resolve, reject) => {
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw));
      if (frame.type === 'event' && frame.event.type === type) {
        socket.close();
        resolve(frame.event);
      }
    });
    socket.on('error', reject);
  });
  return { ready, event };
}

describe('alarms from the device bridge (real SQLite, real WebSocket)', () => {
  it('stores an SOS, attaches the nearest courts and units, and publishes alarm.raised', async () => {
    const { admin, bridge, unitA, unitB } = await setup();
    const raised = watchFor(hub.url, admin.authorization!.slice(7), 'alarm.raised');
    await raised.ready;
    const answer = await hub.call('POST', '/api/v1/ingest/bridge', { events: [alarmEvent()] }, bridge);
    expect(answer).toEqual({ status: 200, body: { accepted: 1 } });
    const event = await raised.event;
    const alarm = event.data.alarm;
    expect(event.court).toBe('110105');
    expect(alarm).toMatchObject({ kind: 'sos', priority: 1, unitId: unitA, court: '110105', lat: 39.92, lon: 116.45 });
    expect(alarm.nearestCourts.map((c: any) => c.code)).toEqual(['110105', '110000', '110108']);
    expect(alarm.nearestCourts[0].distanceKm).toBeLessThan(1);
    // The unit that raised it is not offered as help; the other one is, with the age of its position.
    expect(alarm.nearestUnits.map((u: any) => u.id)).toEqual([unitB]);
    expect(alarm.nearestUnits[0].positionAgeS).toBeGreaterThanOrEqual(0);

    const incident = (await hub.call('GET', `/api/v1/incidents/${alarm.incidentId}`, undefined, admin)).body;
    expect(incident).toMatchObject({ status: 'open', court: '110105', title: '一键报警：一键报警' });
    expect(incident.timeline.map((t: any) => t.kind)).toEqual(['raised']);
  });

  it('acknowledges a retried event once, and joins a repeated SOS to the open incident', async () => {
    const { admin, bridge } = await setup();
    const first = alarmEvent();
    await hub.call('POST', '/api/v1/ingest/bridge', { events: [first] }, bridge);
    expect((await hub.call('POST', '/api/v1/ingest/bridge', { events: [first] }, bridge)).body).toEqual({ accepted: 0 });
    await hub.call('POST', '/api/v1/ingest/bridge', { events: [alarmEvent({ sn: 8 })] }, bridge);
    const incidents = (await hub.call('GET', '/api/v1/incidents', undefined, admin)).body.incidents;
    expect(incidents).toHaveLength(1);
    const incident = (await hub.call('GET', `/api/v1/incidents/${incidents[0].id}`, undefined, admin)).body;
    expect(incident.alarms).toHaveLength(2);
    expect(incident.timeline.map((t: any) => t.kind)).toEqual(['raised', 'repeated']);
  });

  it('lists incidents with the latest alarm (kind, device, position, time, nearest units) and the alarm count', async () => {
    const { admin, bridge, unitB } = await setup();
    await hub.call('POST', '/api/v1/ingest/bridge', { events: [alarmEvent({ description: '第一次' })] }, bridge);
    await hub.call(
      'POST',
      '/api/v1/ingest/bridge',
      { events: [alarmEvent({ sn: 8, description: '第二次', position: { longitude: 116.31, latitude: 39.95 } })] },
      bridge,
    );
    const manual = await hub.call('POST', '/api/v1/alarms', { kind: 'other', priority: 3, description: '手工登记' }, admin);
    expect(manual.status).toBe(201);
    const { incidents } = (await hub.call('GET', '/api/v1/incidents', undefined, admin)).body;
    expect(incidents).toHaveLength(2);
    const [sos, byHand] = incidents;
    expect(sos).toMatchObject({ priority: 1, alarmCount: 2 });
    expect(sos.latestAlarm).toMatchObject({ kind: 'sos', deviceId: SOS_DEVICE, description: '第二次', lat: 39.95, lon: 116.31 });
    expect(sos.latestAlarm.receivedAt).toEqual(expect.any(String));
    expect(sos.latestAlarm.nearestUnits.map((u: any) => u.id)).toEqual([unitB]);
    expect(sos.latestAlarm.nearestCourts[0].code).toBe('110108');
    expect(byHand).toMatchObject({ alarmCount: 1, latestAlarm: { kind: 'other', deviceId: null, lat: null, nearestUnits: [] } });
    // The same figures as the detail.
    const detail = (await hub.call('GET', `/api/v1/incidents/${sos.id}`, undefined, admin)).body;
    expect(detail.alarmCount).toBe(2);
    expect(detail.alarms.at(-1)).toEqual(sos.latestAlarm);
  });

  it('records every step of handling in the incident timeline with who and when', async () => {
    const { admin, bridge, unitB } = await setup();
    await hub.call('POST', '/api/v1/ingest/bridge', { events: [alarmEvent()] }, bridge);
    const [{ id }] = (await hub.call('GET', '/api/v1/incidents', undefined, admin)).body.incidents;
    const act = (body: object) => hub.call('POST', `/api/v1/incidents/${id}/actions`, body, admin);
    expect((await act({ kind: 'acknowledge' })).body.status).toBe('acknowledged');
    await act({ kind: 'video_opened', deviceId: SOS_DEVICE });
    const badDispatch = await act({ kind: 'dispatch', unitIds: ['no-such-unit'] });
    expect(badDispatch.body.error.code).toBe('validation_failed');
    await act({ kind: 'dispatch', unitIds: [unitB], note: '就近支援' });
    await act({ kind: 'call_made', target: 'intercom 8001' });
    const closed = await act({ kind: 'close', result: '当事人已控制，现场处置完毕' });
    expect(closed.body).toMatchObject({ status: 'closed', result: '当事人已控制，现场处置完毕' });
    expect(closed.body.timeline.map((t: any) => t.kind)).toEqual([
      'raised',
      'acknowledged',
      'video_opened',
      'dispatched',
      'call_made',
      'closed',
    ]);
    expect(closed.body.timeline.every((t: any) => t.at && t.actorName)).toBe(true);
    expect((await act({ kind: 'note', note: 'late' })).body.error.code).toBe('conflict');
    const units = (await hub.call('GET', '/api/v1/units', undefined, admin)).body.units;
    expect(units.find((u: any) => u.id === unitB).status).toBe('busy');
    const trail = (await hub.call('GET', `/api/v1/audit?target=incident:${id}`, undefined, admin)).body.entries;
    expect(trail.map((e: any) => e.action)).toEqual([
      'alarm.raise',
      'incident.acknowledge',
      'incident.video_opened',
      'incident.dispatch',
      'incident.call_made',
      'incident.close',
    ]);
  });

  it('refuses ingest without a service token and malformed events, storing nothing', async () => {
    const { admin, bridge } = await setup();
    expect((await hub.call('POST', '/api/v1/ingest/bridge', { events: [alarmEvent()] })).status).toBe(401);
    expect((await hub.call('POST', '/api/v1/ingest/bridge', { events: [alarmEvent()] }, admin)).status).toBe(403);
    const bad = await hub.call('POST', '/api/v1/ingest/bridge', { events: [alarmEvent(), { ...alarmEvent(), deviceId: 'abc' }] }, bridge);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('events.1.deviceId');
    expect((await hub.call('GET', '/api/v1/incidents', undefined, admin)).body.incidents).toEqual([]);
  });

  it('tracks device presence and unit positions from the bridge', async () => {
    const { admin, bridge, unitA } = await setup();
    const at = new Date().toISOString();
    const registered = {
      eventId: randomUUID(),
      at,
      type: 'device.registered',
      deviceId: SOS_DEVICE,
      kind: 'gb28181',
      transport: 'udp',
      address: '127.0.0.1',
      port: 5062,
      expiresS: 3600,
    };
    const positions = {
      eventId: randomUUID(),
      at,
      type: 'positions',
      positions: [{ deviceId: SOS_DEVICE, time: '2026-11-21T10:00:00', longitude: 116.5, latitude: 39.93 }],
    };
    expect((await hub.call('POST', '/api/v1/ingest/bridge', { events: [registered, positions] }, bridge)).body.accepted).toBe(2);
    const device = (await hub.call('GET', `/api/v1/devices/${SOS_DEVICE}`, undefined, admin)).body;
    expect(device).toMatchObject({ online: true, kind: 'gb28181', address: 'udp:127.0.0.1:5062', position: { lat: 39.93, lon: 116.5 } });
    const unit = (await hub.call('GET', '/api/v1/units', undefined, admin)).body.units.find((u: any) => u.id === unitA);
    expect(unit.position).toMatchObject({ lat: 39.93, lon: 116.5, at });
    const offline = {
      eventId: randomUUID(),
      at,
      type: 'device.offline',
      deviceId: SOS_DEVICE,
      kind: 'gb28181',
      reason: 'keepalive_timeout',
    };
    await hub.call('POST', '/api/v1/ingest/bridge', { events: [offline] }, bridge);
    expect((await hub.call('GET', `/api/v1/devices/${SOS_DEVICE}`, undefined, admin)).body).toMatchObject({
      online: false,
      offlineReason: 'keepalive_timeout',
    });
  });
});

describe('consultation records from the SFU', () => {
  it('stores a roll-call record once and returns it by room', async () => {
    const { admin, bridge: service } = await setup();
    const now = new Date().toISOString();
    const record = {
      kind: 'roll_call',
      recordId: 'rc-1',
      room: 'consult-1',
      sessionId: 's-1',
      startedAt: now,
      endedAt: now,
      by: { sub: 'leader-1', name: '院领导' },
      participants: [],
      rollCall: {
        rollCallId: 'rc-1',
        mode: 'random',
        timeoutS: 30,
        lateWindowS: 30,
        results: [{ court: '110105', status: 'absent', promptedAt: now }],
      },
    };
    expect((await hub.call('POST', '/api/v1/consultations/records', record, service)).status).toBe(201);
    expect((await hub.call('POST', '/api/v1/consultations/records', record, service)).status).toBe(201);
    const listed = await hub.call('GET', '/api/v1/consultations/records?room=consult-1', undefined, admin);
    expect(listed.body.records).toEqual([record]);
    expect((await hub.call('POST', '/api/v1/consultations/records', { ...record, kind: 'bogus' }, service)).status).toBe(400);
  });
});
