/**
 * Which incident an intercom call belongs to, and its `call_answered` / `call_ended`
 * timeline entries. A call placed from an incident belongs to it; an inbound call answered
 * with an incident id belongs to that one; else to the latest open incident raised by the
 * device or by the field unit carrying it. Each entry is written once per call, whichever
 * comes first: the console's answer / hang-up or the bridge's `call.state` event.
 */
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { addTimeline, getIncident } from '../alarms/repository.js';
import { findUnitByDevice } from '../orgs/repository.js';
import type { Db } from '../store/database.js';
import type { MutationScope } from '../app/mutation.js';
import { getProvisioned } from './provisioned.js';

interface LinkRow {
  call_id: string;
  device_id: string;
  incident_id: string | null;
  answered_at: string | null;
  ended_at: string | null;
}

/** Remembers a call's device (and incident, when known; a known one is kept). */
export function linkCall(db: Db, callId: string, deviceId: string, incidentId: string | null, at: string): void {
  db.prepare(
    `INSERT INTO call_links (call_id, device_id, incident_id, at) VALUES (?, ?, ?, ?)
     ON CONFLICT(call_id) DO UPDATE SET incident_id = COALESCE(excluded.incident_id, call_links.incident_id)`,
  ).run(callId, deviceId, incidentId, at);
}

export function callDevice(db: Db, callId: string): string | undefined {
  return (db.prepare('SELECT device_id FROM call_links WHERE call_id = ?').get(callId) as { device_id: string } | undefined)?.device_id;
}

/** The latest open incident raised by the device, or by the field unit carrying it. */
function openIncidentOf(db: Db, deviceId: string): string | null {
  const unit = findUnitByDevice(db, deviceId);
  const row = db
    .prepare(
      `SELECT i.id FROM incidents i JOIN alarms a ON a.incident_id = i.id
       WHERE i.status != 'closed' AND (a.device_id = @deviceId OR (@unitId IS NOT NULL AND a.unit_id = @unitId))
       ORDER BY a.raised_at DESC LIMIT 1`,
    )
    .get({ deviceId, unitId: unit?.id ?? null }) as { id: string } | undefined;
  return row?.id ?? null;
}

/** The device's name for people: provisioned, else its catalog entry or reported info; undefined when only the id is known. */
export function deviceName(db: Db, deviceId: string): string | undefined {
  const provisioned = getProvisioned(db, deviceId)?.device.name;
  if (provisioned) return provisioned;
  const channel = db.prepare('SELECT name FROM device_channels WHERE channel_id = ? AND name != channel_id LIMIT 1').get(deviceId) as
    { name: string } | undefined;
  if (channel) return channel.name;
  const info = db.prepare("SELECT json_extract(info, '$.info.name') AS name FROM devices WHERE id = ?").get(deviceId) as
    { name: string | null } | undefined;
  return info?.name ?? undefined;
}

/**
 * Adds the call's `call_answered` or `call_ended` entry to its incident, once. Runs inside a
 * mutation (`scope`); the incident must still be open (a closed one gets no entry).
 */
export function logCallState(scope: MutationScope, actor: Actor, callId: string, deviceId: string, state: string, at: string): void {
  if (state !== 'answered' && state !== 'ended') return;
  const { db } = scope;
  linkCall(db, callId, deviceId, null, at);
  const link = db.prepare('SELECT * FROM call_links WHERE call_id = ?').get(callId) as LinkRow;
  const column = state === 'answered' ? 'answered_at' : 'ended_at';
  if (link[column] !== null) return;
  db.prepare(`UPDATE call_links SET ${column} = ? WHERE call_id = ?`).run(at, callId);
  const incidentId = link.incident_id ?? openIncidentOf(db, deviceId);
  const incident = incidentId ? getIncident(db, incidentId) : undefined;
  if (!incident || incident.status === 'closed') return;
  if (!link.incident_id) db.prepare('UPDATE call_links SET incident_id = ? WHERE call_id = ?').run(incident.id, callId);
  const target = deviceName(db, deviceId) ?? deviceId;
  const entry = addTimeline(db, incident.id, `call_${state}`, actor, '', { target, callId }, at);
  scope.emit({ type: 'incident.updated', court: incident.court, data: { incidentId: incident.id, status: incident.status, entry } });
}

/** `logCallState` in its own audited mutation (the console's answer or hang-up). */
export function logCallStateNow(
  ctx: HubContext,
  actor: Actor,
  action: 'call.answer' | 'call.hang_up',
  call: { callId: string; deviceId: string; state: string },
): void {
  const { callId, deviceId, state } = call;
  const at = new Date(ctx.now()).toISOString();
  ctx.mutate(actor, action, (scope) => {
    logCallState(scope, actor, callId, deviceId, state, at);
    return { value: undefined, target: `device:${deviceId}`, after: { callId, state } };
  });
}
