/**
 * Hub device APIs against a fake bridge (a small HTTP server speaking the bridge's route
 * table) and a real SQLite file: provisioning pushed to the bridge and re-pushed when it
 * comes back, live views with SFU join tokens, PTZ, intercom calls, audit and timeline.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, ProtocolError } from '@cc/protocol';
import { loadJoinTokenKey, serviceAuthorization, verifyJoinToken } from '@cc/runtime';
import { FakeBridge } from '../bridge-link/fake-bridge.js';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub.js';

const CAM = '11010500001320000001';
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
  admin: Headers;
  tech: Headers;
  officer: Headers;
  courtUser: Headers;
}

/** The hub's clock: real time plus what a test skipped. */
let skippedMs = 0;
const clock = (): number => Date.now() + skippedMs;

async function world(options: { serving?: boolean } = {}): Promise<World> {
  skippedMs = 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'cc-hub-dev-'));
  bridge = await FakeBridge.start(loadJoinTokenKey(dataDir), options);
  hub = await startTestHub({ dataDir, now: clock, settings: { bridgeUrl: bridge.url, sfuUrl: 'http://127.0.0.1:8701' } });
  const admin = await hub.login('admin', ADMIN_PASSWORD);
  for (const court of [COURT, OTHER]) expect((await hub.call('POST', '/api/v1/courts', court, admin)).status).toBe(201);
  const people = [
    { username: 'tech', name: '技术员', role: 'technician', court: null },
    { username: 'officer', name: '值班员', role: 'duty_officer', court: null },
    { username: 'haidian', name: '海淀法院', role: 'court_user', court: OTHER.code },
  ];
  for (const p of people) expect((await hub.call('POST', '/api/v1/people', { ...p, password: 'password-123' }, admin)).status).toBe(201);
  return {
    hub,
    bridge,
    admin,
    tech: await hub.login('tech', 'password-123'),
    officer: await hub.login('officer', 'password-123'),
    courtUser: await hub.login('haidian', 'password-123'),
  };
}

const camera = { kind: 'gb28181', name: '朝阳执法记录仪1', court: COURT.code, password: 'cam-secret-1' };

async function auditActions(w: World): Promise<string[]> {
  const rows = w.hub.context.db.prepare('SELECT action FROM audit_log ORDER BY seq').all() as { action: string }[];
  return rows.map((r) => r.action);
}

describe('device provisioning through the hub (fake bridge, real SQLite)', () => {
  it('stores a device with its password sealed, never returns it, pushes it to the bridge and audits it', async () => {
    const w = await world();
    const put = await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    expect(put.status).toBe(200);
    expect(put.body.pushed).toBe(true);
    expect(put.body.device).toMatchObject({ id: CAM, kind: 'gb28181', court: COURT.code, hasPassword: true });
    expect(put.body.device.pushedAt).not.toBeNull();
    expect(JSON.stringify(put.body)).not.toContain('cam-secret-1');
    expect(w.bridge.of('provisionDevice')[0]).toMatchObject({
      params: { deviceId: CAM },
      body: { kind: 'gb28181', password: 'cam-secret-1' },
    });
    const stored = w.hub.context.db.prepare('SELECT password FROM provisioned_devices WHERE id = ?').get(CAM) as { password: string };
    expect(stored.password).toMatch(/^v1\./);
    expect(stored.password).not.toContain('cam-secret-1');
    const list = await w.hub.call('GET', '/api/v1/provisioned-devices', undefined, w.tech);
    expect(JSON.stringify(list.body)).not.toContain('cam-secret');
    expect(await auditActions(w)).toContain('device.provision');

    // An update without a password keeps the stored one.
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, { ...camera, password: undefined, name: '改名' }, w.tech);
    expect(w.bridge.of('provisionDevice')[1]?.body).toMatchObject({ name: '改名', password: 'cam-secret-1' });

    const del = await w.hub.call('DELETE', `/api/v1/provisioned-devices/${CAM}`, undefined, w.tech);
    expect(del.status).toBe(200);
    expect(w.bridge.of('removeDevice')).toHaveLength(1);
    expect((await w.hub.call('GET', `/api/v1/provisioned-devices/${CAM}`, undefined, w.tech)).status).toBe(404);
    expect(await auditActions(w)).toContain('device.remove');
  });

  it('refuses bad input with clear errors and stores nothing', async () => {
    const w = await world();
    const bad: [string, unknown, Headers, number][] = [
      ['12345', camera, w.tech, 400], // not a 20-digit GB28181 id
      [CAM, { ...camera, court: '999999' }, w.tech, 400], // unknown court
      [CAM, { ...camera, unitId: 'nope' }, w.tech, 400], // unknown unit
      [CAM, { ...camera, colour: 'red' }, w.tech, 400], // unknown field
      [CAM, { ...camera, kind: 'toaster' }, w.tech, 400],
      ['bad id!', { ...camera, kind: 'intercom' }, w.tech, 400],
      [CAM, camera, w.officer, 403], // duty officers do not set up devices
    ];
    for (const [id, body, who, status] of bad) {
      const answer = await w.hub.call('PUT', `/api/v1/provisioned-devices/${encodeURIComponent(id)}`, body, who);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.body.error.message).toBeTruthy();
    }
    const malformed = await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, '{"kind":', {
      ...w.tech,
      'content-type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    expect((await w.hub.call('GET', '/api/v1/provisioned-devices', undefined, w.tech)).body.devices).toEqual([]);
    expect(w.bridge.commands).toEqual([]);
    expect((await w.hub.call('DELETE', `/api/v1/provisioned-devices/${CAM}`, undefined, w.tech)).status).toBe(404);
  });

  it('keeps devices while the bridge is down and pushes all of them when it comes up, and again after it restarts', async () => {
    const w = await world({ serving: false });
    const put = await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ pushed: false, bridgeError: { code: 'unavailable' } });
    expect(put.body.device.pushedAt).toBeNull();
    await w.hub.call(
      'PUT',
      `/api/v1/provisioned-devices/${INTERCOM}`,
      { kind: 'intercom', name: '大厅对讲', password: 'ic-pass-1' },
      w.tech,
    );

    await w.bridge.restart();
    await vi.waitFor(
      () => expect(new Set(w.bridge.of('provisionDevice').map((c) => c.params.deviceId))).toEqual(new Set([CAM, INTERCOM])),
      {
        timeout: 15_000,
        interval: 200,
      },
    );
    const pushed = (await w.hub.call('GET', '/api/v1/provisioned-devices', undefined, w.tech)).body.devices as {
      pushedAt: string | null;
    }[];
    expect(pushed.every((d) => d.pushedAt !== null)).toBe(true);

    // A device the bridge refused once is pushed again while the bridge stays up (at most once a minute).
    w.bridge.answers.provisionDevice = () => {
      throw new ProtocolError(ErrorCode.ValidationFailed, { reason: 'refused for the test' });
    };
    const refused = await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, { ...camera, name: '改名' }, w.tech);
    expect(refused.body).toMatchObject({ pushed: false, bridgeError: { code: 'validation_failed' } });
    delete w.bridge.answers.provisionDevice;
    skippedMs += 61_000;
    await vi.waitFor(
      async () => expect((await w.hub.call('GET', `/api/v1/provisioned-devices/${CAM}`, undefined, w.tech)).body.pushedAt).not.toBeNull(),
      { timeout: 15_000, interval: 300 },
    );

    const before = w.bridge.of('provisionDevice').length;
    await w.bridge.restart();
    await vi.waitFor(() => expect(w.bridge.of('provisionDevice').length).toBeGreaterThanOrEqual(before + 2), {
      timeout: 15_000,
      interval: 200,
    });
  });
});

async function openIncident(w: World): Promise<string> {
  const alarm = await w.hub.call('POST', '/api/v1/alarms', { kind: 'sos', description: '测试报警', court: COURT.code }, w.officer);
  expect(alarm.status).toBe(201);
  return alarm.body.incidentId as string;
}

describe('live views, PTZ and calls relayed to the bridge (fake bridge, real SQLite)', () => {
  it('opens a live view with an SFU viewer token, logs it on the incident, closes it; PTZ is relayed and audited', async () => {
    const w = await world();
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    const incidentId = await openIncident(w);
    const open = await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM, incidentId }, w.officer);
    expect(open.status).toBe(201);
    expect(open.body).toMatchObject({
      deviceId: CAM,
      deviceName: '朝阳执法记录仪1',
      channelId: CAM,
      room: `live:${CAM}:${CAM}`,
      videoProducerId: 'producer-video-1',
    });
    expect(open.body.sfuUrl).toBe('ws://127.0.0.1:8701/ws');
    const claims = verifyJoinToken(loadJoinTokenKey(w.hub.dataDir), open.body.token);
    expect(claims).toMatchObject({ room: open.body.room, role: 'viewer', sub: open.body.viewId });
    expect(w.bridge.of('startStream')[0]?.body).toMatchObject({ deviceId: CAM, channelId: CAM, viewerId: open.body.viewId, mode: 'live' });
    const incident = await w.hub.call('GET', `/api/v1/incidents/${incidentId}`, undefined, w.officer);
    expect(incident.body.timeline.map((e: { kind: string }) => e.kind)).toContain('video_opened');

    const ptz = await w.hub.call('POST', `/api/v1/devices/${CAM}/ptz`, { command: { action: 'move', pan: -0.5, tilt: 0 } }, w.officer);
    expect(ptz.status).toBe(200);
    expect(w.bridge.of('ptz')[0]?.body).toEqual({
      deviceId: CAM,
      channelId: CAM,
      command: { action: 'move', pan: -0.5, tilt: 0, zoom: 0 },
    });
    const badPtz = await w.hub.call('POST', `/api/v1/devices/${CAM}/ptz`, { command: { action: 'move', pan: 9, tilt: 0 } }, w.officer);
    expect(badPtz.status).toBe(400);
    expect(w.bridge.of('ptz')).toHaveLength(1);

    const fresh = await w.hub.call('POST', `/api/v1/live-views/${open.body.viewId}/token`, {}, w.officer);
    expect(verifyJoinToken(loadJoinTokenKey(w.hub.dataDir), fresh.body.token).room).toBe(open.body.room);
    expect((await w.hub.call('DELETE', `/api/v1/live-views/${open.body.viewId}`, undefined, w.tech)).status).toBe(404); // not the owner
    expect((await w.hub.call('DELETE', `/api/v1/live-views/${open.body.viewId}`, undefined, w.officer)).status).toBe(200);
    expect(w.bridge.of('leaveStream')[0]?.params).toEqual({ streamId: `${CAM}:${CAM}`, viewerId: open.body.viewId });
    expect(await auditActions(w)).toEqual(expect.arrayContaining(['incident.video_opened', 'device.ptz', 'live_view.close']));
  });

  it('closes a view whose lease ran out (the console stopped renewing it), keeps a renewed one', async () => {
    const w = await world();
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    const kept = (await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM }, w.officer)).body;
    const dropped = (await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM, channelId: '11010500001310000001' }, w.officer)).body;
    skippedMs += 6 * 60_000;
    expect((await w.hub.call('POST', `/api/v1/live-views/${kept.viewId}/token`, {}, w.officer)).status).toBe(200);
    skippedMs += 6 * 60_000;
    await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM }, w.officer); // any live-view call sweeps
    expect(w.bridge.of('leaveStream').map((c) => c.params.viewerId)).toEqual([dropped.viewId]);
    expect((await w.hub.call('DELETE', `/api/v1/live-views/${dropped.viewId}`, undefined, w.officer)).status).toBe(404);
    expect((await w.hub.call('DELETE', `/api/v1/live-views/${kept.viewId}`, undefined, w.officer)).status).toBe(200);
    expect(await auditActions(w)).toContain('live_view.expire');
  });

  it('answers unavailable (zh-CN and en) when the bridge is down, and logs nothing on the incident', async () => {
    const w = await world();
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    const incidentId = await openIncident(w);
    await w.bridge.stop();
    const open = await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM, incidentId }, w.officer);
    expect(open.status).toBe(503);
    expect(open.body.error).toMatchObject({ code: 'unavailable', message: '服务暂不可用' });
    expect(open.body.error.messageEn).toContain('device bridge');
    const call = await w.hub.call('POST', '/api/v1/calls', { deviceId: CAM, incidentId }, w.officer);
    expect(call.status).toBe(503);
    const incident = await w.hub.call('GET', `/api/v1/incidents/${incidentId}`, undefined, w.officer);
    expect(incident.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(['raised']);
  });

  it('keeps court users to their own court, refuses bad requests and passes the bridge’s own errors on', async () => {
    const w = await world();
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    expect((await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM }, w.courtUser)).status).toBe(403);
    expect((await w.hub.call('POST', '/api/v1/live-views', { deviceId: 'bad id' }, w.officer)).status).toBe(400);
    expect((await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM, incidentId: 'nope' }, w.officer)).status).toBe(404);
    expect((await w.hub.call('POST', `/api/v1/devices/${CAM}/ptz`, { command: { action: 'stop' } }, w.courtUser)).status).toBe(403);
    expect(w.bridge.of('startStream')).toEqual([]);
    w.bridge.answers.startStream = () => {
      throw new ProtocolError(ErrorCode.NotFound, { deviceId: CAM });
    };
    const missing = await w.hub.call('POST', '/api/v1/live-views', { deviceId: CAM }, w.officer);
    expect(missing.status).toBe(404);
    expect(missing.body.error.messageEn).toContain('Device bridge');
  });

  it('places, answers and hangs up intercom calls; call state from the bridge is published scoped to the device’s court', async () => {
    const w = await world();
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${INTERCOM}`, { kind: 'intercom', name: '大厅对讲', court: COURT.code }, w.tech);
    const incidentId = await openIncident(w);
    const media = await w.hub.call('POST', '/api/v1/calls/media', { deviceId: INTERCOM }, w.officer);
    expect(media.status).toBe(200);
    expect(verifyJoinToken(loadJoinTokenKey(w.hub.dataDir), media.body.token)).toMatchObject({
      room: `intercom:${INTERCOM}`,
      role: 'duty_officer',
    });
    const call = await w.hub.call('POST', '/api/v1/calls', { deviceId: INTERCOM, consoleProducerId: 'mic-1', incidentId }, w.officer);
    expect(call.status).toBe(201);
    expect(call.body).toMatchObject({ callId: 'call-1', state: 'ringing', deviceId: INTERCOM });
    expect(w.bridge.of('startCall')[0]?.body).toEqual({ deviceId: INTERCOM, consoleProducerId: 'mic-1', room: `intercom:${INTERCOM}` });
    const timeline = (await w.hub.call('GET', `/api/v1/incidents/${incidentId}`, undefined, w.officer)).body.timeline;
    expect(timeline.at(-1)).toMatchObject({ kind: 'call_made', data: { target: '大厅对讲' } });

    const listed = await w.hub.call('GET', '/api/v1/calls', undefined, w.officer);
    expect(listed.body.calls).toEqual([
      { callId: 'in-1', deviceId: INTERCOM, deviceName: '大厅对讲', state: 'ringing', direction: 'inbound', room: 'intercom:1001' },
    ]);
    const answered = await w.hub.call('POST', '/api/v1/calls/in-1/answer', { consoleProducerId: 'mic-2' }, w.officer);
    expect(answered.body).toMatchObject({ callId: 'in-1', state: 'answered', deviceId: INTERCOM });
    expect(w.bridge.of('answerCall')[0]).toMatchObject({ params: { callId: 'in-1' }, body: { consoleProducerId: 'mic-2' } });
    expect((await w.hub.call('DELETE', '/api/v1/calls/in-1', undefined, w.officer)).body).toMatchObject({
      state: 'ended',
      deviceId: INTERCOM,
    });
    expect((await w.hub.call('POST', '/api/v1/calls/call-9/answer', {}, w.officer)).status).toBe(404); // the bridge has no such call
    expect(await auditActions(w)).toEqual(
      expect.arrayContaining(['incident.call_made', 'call.answer', 'call.hang_up', 'call.media_token']),
    );

    // A call asked for the SOS camera goes to the intercom its field unit carries.
    const unit = await w.hub.call(
      'POST',
      '/api/v1/units',
      { name: '朝阳单兵1', kind: 'individual', court: COURT.code, devices: [CAM, INTERCOM] },
      w.officer,
    );
    expect(unit.status).toBe(201);
    await w.hub.call('PUT', `/api/v1/provisioned-devices/${CAM}`, camera, w.tech);
    expect((await w.hub.call('POST', '/api/v1/calls/media', { deviceId: CAM }, w.officer)).body).toMatchObject({
      deviceId: INTERCOM,
      room: `intercom:${INTERCOM}`,
    });
    await w.hub.call('POST', '/api/v1/calls', { deviceId: CAM, consoleProducerId: 'mic-3' }, w.officer);
    expect(w.bridge.of('startCall').at(-1)?.body).toEqual({ deviceId: INTERCOM, consoleProducerId: 'mic-3', room: `intercom:${INTERCOM}` });

    const service = { authorization: serviceAuthorization(loadJoinTokenKey(w.hub.dataDir), 'device-bridge') };
    const ingest = await w.hub.call(
      'POST',
      '/api/v1/ingest/bridge',
      {
        events: [
          {
            eventId: randomUUID(),
            at: new Date().toISOString(),
            type: 'call.state',
            callId: 'call-in-1',
            deviceId: INTERCOM,
            direction: 'inbound',
            state: 'ringing',
            room: `intercom:${INTERCOM}`,
          },
        ],
      },
      service,
    );
    expect(ingest.status).toBe(200);
    const event = w.hub.context.db.prepare("SELECT court, data FROM events WHERE type = 'call.state'").get() as {
      court: string;
      data: string;
    };
    expect(event.court).toBe(COURT.code);
    expect(JSON.parse(event.data)).toMatchObject({
      callId: 'call-in-1',
      direction: 'inbound',
      state: 'ringing',
      room: `intercom:${INTERCOM}`,
    });
  });
});
