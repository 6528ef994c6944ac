/**
 * `POST /api/v1/ingest/bridge`: events from the device bridge. Alarms are stored and
 * published first, one by one; everything else in the batch is applied in one
 * transaction. Events already seen (by eventId) are acknowledged and skipped.
 */
import {
  BRIDGE_INGEST_PATH,
  bridgeIngestRequestSchema,
  type BridgeEvent,
  type BridgeEventOf,
  type BridgeIngestResponse,
} from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import type { MutationScope } from '../app/mutation.js';
import { parse } from '../app/parse.js';
import { actorOf, requireService } from '../auth/auth.js';
import { alarmBySourceEvent } from '../alarms/repository.js';
import { raiseAlarm } from '../alarms/service.js';
import { findUnitByDevice, listUnits, setUnitPosition } from '../orgs/repository.js';
import type { Db } from '../store/database.js';
import { deviceName, linkCall, logCallState } from './call-log.js';
import { deviceCourt } from './device-court.js';

/** Keep seen event ids this long, for de-duplication of retries. */
const SEEN_RETENTION_MS = 24 * 3600_000;

function seen(db: Db, eventId: string): boolean {
  return db.prepare('SELECT 1 FROM bridge_event_ids WHERE event_id = ?').get(eventId) !== undefined;
}

function markSeen(db: Db, eventId: string, at: string): void {
  db.prepare('INSERT OR IGNORE INTO bridge_event_ids (event_id, at) VALUES (?, ?)').run(eventId, at);
}

const ALARM_KIND: Record<number, string> = { 1: 'sos', 2: 'device', 3: 'sms', 4: 'geofence', 5: 'video', 6: 'device_fault', 7: 'other' };

function ingestAlarm(ctx: HubContext, actor: Actor, event: BridgeEventOf<'alarm'>): void {
  const unit = findUnitByDevice(ctx.db, event.deviceId);
  // GB/T 28181 alarm method 1 (telephone/button) with priority 1 is the field SOS button.
  const kind = event.method === 1 ? 'sos' : (ALARM_KIND[event.method] ?? 'other');
  raiseAlarm(ctx, actor, {
    source: 'device',
    sourceEventId: event.eventId,
    deviceId: event.deviceId,
    channelId: event.channelId,
    unitId: unit?.id ?? null,
    court: unit?.court ?? deviceCourt(ctx.db, event.deviceId),
    priority: event.priority,
    kind,
    description: event.description ?? '',
    lat: event.position?.latitude ?? unit?.position?.lat ?? null,
    lon: event.position?.longitude ?? unit?.position?.lon ?? null,
    raisedAt: event.at,
  });
}

function upsertPresence(scope: MutationScope, event: BridgeEventOf<'device.registered' | 'device.online' | 'device.offline'>): void {
  const online = event.type !== 'device.offline';
  const reason = event.type === 'device.offline' ? event.reason : null;
  const address = event.type === 'device.registered' ? `${event.transport}:${event.address}:${event.port}` : null;
  const previous = scope.db.prepare('SELECT online FROM devices WHERE id = ?').get(event.deviceId) as { online: number } | undefined;
  scope.db
    .prepare(
      `INSERT INTO devices (id, kind, online, offline_reason, last_seen, address) VALUES (@id, @kind, @online, @reason, @at, @address)
       ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, online = excluded.online, offline_reason = excluded.offline_reason,
         last_seen = excluded.last_seen, address = COALESCE(excluded.address, devices.address)`,
    )
    .run({ id: event.deviceId, kind: event.kind, online: online ? 1 : 0, reason, at: event.at, address });
  if (previous?.online !== (online ? 1 : 0)) {
    const unit = findUnitByDevice(scope.db, event.deviceId);
    scope.emit({
      type: 'device.presence',
      court: unit?.court ?? null,
      data: { deviceId: event.deviceId, kind: event.kind, online, reason, at: event.at },
    });
  }
}

/** Catalog notification events that only say a channel's status (often DeviceID + Event alone, the name is then the id). */
const STATUS_ONLY = new Set(['ON', 'OFF', 'VLOST', 'DEFECT']);

function applyCatalog(db: Db, event: BridgeEventOf<'device.catalog'>): void {
  if (event.complete) db.prepare('DELETE FROM device_channels WHERE device_id = ?').run(event.deviceId);
  const upsert = db.prepare(
    `INSERT INTO device_channels (device_id, channel_id, name, parent_id, status, info) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(device_id, channel_id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, status = excluded.status, info = excluded.info`,
  );
  // A status event keeps what the full catalog said (name, parent, PTZ type): only the status and the event change.
  const setStatus = db.prepare(
    `UPDATE device_channels SET status = ?, info = json_set(info, '$.status', ?, '$.change', ?) WHERE device_id = ? AND channel_id = ?`,
  );
  for (const ch of event.channels) {
    if (ch.change === 'DEL') {
      db.prepare('DELETE FROM device_channels WHERE device_id = ? AND channel_id = ?').run(event.deviceId, ch.channelId);
      continue;
    }
    const statusOnly = !event.complete && ch.change !== undefined && STATUS_ONLY.has(ch.change);
    if (statusOnly && setStatus.run(ch.status, ch.status, ch.change, event.deviceId, ch.channelId).changes > 0) continue;
    upsert.run(event.deviceId, ch.channelId, ch.name, ch.parentId ?? null, ch.status, JSON.stringify(ch));
  }
}

function mergeInfo(db: Db, deviceId: string, kind: string, at: string, info: Record<string, unknown>): void {
  db.prepare(
    `INSERT INTO devices (id, kind, online, last_seen, info) VALUES (?, ?, 1, ?, ?)
     ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen, info = json_patch(devices.info, excluded.info)`,
  ).run(deviceId, kind, at, JSON.stringify(info));
}

/** Positions go out grouped by the owning unit's court, so court users see only their own units move. */
function applyPositions(scope: MutationScope, event: BridgeEventOf<'positions'>): void {
  const unitByDevice = new Map<string, { id: string; court: string }>();
  for (const unit of listUnits(scope.db, null))
    for (const device of unit.devices) unitByDevice.set(device, { id: unit.id, court: unit.court });
  const byCourt = new Map<string | null, { deviceId: string; unitId: string | null; lat: number; lon: number; at: string }[]>();
  const setDevice = scope.db.prepare('UPDATE devices SET lat = ?, lon = ?, position_at = ? WHERE id = ?');
  for (const p of event.positions) {
    // Device clocks are unreliable (local time, no zone): the bridge's receive time is what the hub trusts.
    const at = event.at;
    const unit = unitByDevice.get(p.deviceId);
    setDevice.run(p.latitude, p.longitude, at, p.deviceId);
    if (unit) setUnitPosition(scope.db, unit.id, p.latitude, p.longitude, at);
    const court = unit?.court ?? null;
    const list = byCourt.get(court) ?? [];
    list.push({ deviceId: p.deviceId, unitId: unit?.id ?? null, lat: p.latitude, lon: p.longitude, at });
    byCourt.set(court, list);
  }
  for (const [court, positions] of byCourt) scope.emit({ type: 'units.positions', court, data: { positions } });
}

/** Call state is published scoped to the device's court, with the device's name; answered / ended go on the call's incident. */
function applyCallState(scope: MutationScope, actor: Actor, event: BridgeEventOf<'call.state'>): void {
  const { eventId: _e, at, type: _t, ...call } = event;
  linkCall(scope.db, call.callId, call.deviceId, null, at);
  logCallState(scope, actor, call.callId, call.deviceId, call.state, at);
  const name = deviceName(scope.db, call.deviceId);
  // Court users hear their own intercoms ring; unscoped devices ring for everyone.
  scope.emit({ type: 'call.state', court: deviceCourt(scope.db, call.deviceId), data: { ...call, ...(name ? { deviceName: name } : {}) } });
}

function applyOne(scope: MutationScope, actor: Actor, event: Exclude<BridgeEvent, { type: 'alarm' }>): void {
  switch (event.type) {
    case 'device.registered':
    case 'device.online':
    case 'device.offline':
      return upsertPresence(scope, event);
    case 'device.catalog':
      return applyCatalog(scope.db, event);
    case 'device.info': {
      const { eventId: _e, at, type: _t, deviceId, ...info } = event;
      return mergeInfo(scope.db, deviceId, 'gb28181', at, { info });
    }
    case 'device.status': {
      const { eventId: _e, at, type: _t, deviceId, ...status } = event;
      return mergeInfo(scope.db, deviceId, 'gb28181', at, { status });
    }
    case 'positions':
      return applyPositions(scope, event);
    case 'call.state':
      return applyCallState(scope, actor, event);
    case 'stream.state': {
      const { eventId: _e, at: _a, type: _t, ...stream } = event;
      scope.emit({ type: 'stream.state', court: deviceCourt(scope.db, stream.deviceId), data: stream });
      return;
    }
    case 'rtsp.status':
      return mergeInfo(scope.db, event.deviceId, 'rtsp_camera', event.at, {
        rtsp: { state: event.state, restarts: event.restarts, error: event.error ?? null },
      });
    case 'serial.status':
      return mergeInfo(scope.db, event.deviceId, 'serial', event.at, {
        serial: {
          driver: event.driver,
          port: event.port,
          online: event.online,
          levels: event.levels ?? null,
          routes: event.routes ?? null,
        },
      });
  }
}

export function registerBridgeIngest(ctx: HubContext): void {
  const { app, db } = ctx;
  const prune = setInterval(() => {
    db.prepare('DELETE FROM bridge_event_ids WHERE at < ?').run(new Date(ctx.now() - SEEN_RETENTION_MS).toISOString());
  }, 3600_000);
  prune.unref();
  ctx.disposables.add('bridge event id pruning', () => clearInterval(prune));

  app.post(BRIDGE_INGEST_PATH, { preHandler: requireService(ctx.auth) }, async (request): Promise<BridgeIngestResponse> => {
    const { events } = parse(bridgeIngestRequestSchema, request.body);
    const actor = actorOf(request);
    const at = new Date(ctx.now()).toISOString();
    const fresh = events.filter((e) => !seen(db, e.eventId) && !(e.type === 'alarm' && alarmBySourceEvent(db, e.eventId)));
    // Alarms first: each is stored and published on its own, before anything else in the batch.
    for (const event of fresh) {
      if (event.type !== 'alarm') continue;
      ingestAlarm(ctx, actor, event);
    }
    const rest = fresh.filter((e): e is Exclude<BridgeEvent, { type: 'alarm' }> => e.type !== 'alarm');
    if (rest.length > 0) {
      const counts: Record<string, number> = {};
      for (const e of rest) counts[e.type] = (counts[e.type] ?? 0) + 1;
      ctx.mutate(actor, 'bridge.ingest', (scope) => {
        for (const event of rest) {
          applyOne(scope, actor, event);
          markSeen(scope.db, event.eventId, at);
        }
        return { value: undefined, target: 'bridge', after: counts };
      });
    }
    return { accepted: fresh.length };
  });
}
