/** Alarms, incidents and their timelines in SQLite. Call inside a mutation. */
import { randomUUID } from 'node:crypto';
import type { Alarm, Incident, IncidentSummary } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import { listCourts, listUnits } from '../orgs/repository.js';
import type { Db } from '../store/database.js';
import { nearestCourts, nearestUnits } from './nearest.js';

/** A second alarm from a device with an open incident joins that incident. */
export interface NewAlarm {
  source: 'device' | 'manual';
  sourceEventId?: string;
  deviceId: string | null;
  channelId: string | null;
  unitId: string | null;
  court: string | null;
  priority: number;
  kind: string;
  description: string;
  lat: number | null;
  lon: number | null;
  raisedAt: string;
}

interface AlarmRow {
  id: string;
  incident_id: string;
  source: Alarm['source'];
  device_id: string | null;
  channel_id: string | null;
  unit_id: string | null;
  court_code: string | null;
  priority: number;
  kind: string;
  description: string;
  lat: number | null;
  lon: number | null;
  raised_at: string;
  received_at: string;
  nearest_courts: string;
  nearest_units: string;
}

const alarmFrom = (r: AlarmRow): Alarm => ({
  id: r.id,
  incidentId: r.incident_id,
  source: r.source,
  deviceId: r.device_id,
  channelId: r.channel_id,
  unitId: r.unit_id,
  court: r.court_code,
  priority: r.priority,
  kind: r.kind,
  description: r.description,
  lat: r.lat,
  lon: r.lon,
  raisedAt: r.raised_at,
  receivedAt: r.received_at,
  nearestCourts: JSON.parse(r.nearest_courts) as Alarm['nearestCourts'],
  nearestUnits: JSON.parse(r.nearest_units) as Alarm['nearestUnits'],
});

export function alarmBySourceEvent(db: Db, eventId: string): boolean {
  return db.prepare('SELECT 1 FROM alarms WHERE source_event_id = ?').get(eventId) !== undefined;
}

export function insertAlarm(db: Db, input: NewAlarm, actor: Actor, nowMs: number): { alarm: Alarm; newIncident: boolean } {
  const receivedAt = new Date(nowMs).toISOString();
  const hasPosition = input.lat !== null && input.lon !== null;
  const courts = hasPosition ? nearestCourts(listCourts(db), input.lat!, input.lon!) : [];
  const units = hasPosition ? nearestUnits(listUnits(db, null), input.lat!, input.lon!, nowMs, { excludeUnitId: input.unitId }) : [];
  const court = input.court ?? courts[0]?.code ?? null;

  const open = input.deviceId
    ? (db
        .prepare("SELECT id FROM incidents WHERE device_id = ? AND status != 'closed' ORDER BY opened_at DESC LIMIT 1")
        .get(input.deviceId) as { id: string } | undefined)
    : undefined;
  const incidentId = open?.id ?? randomUUID();
  if (!open) {
    const title = `${kindTitle(input.kind)}${input.description ? `：${input.description.slice(0, 60)}` : ''}`;
    db.prepare(
      "INSERT INTO incidents (id, status, title, court_code, priority, device_id, opened_at) VALUES (?, 'open', ?, ?, ?, ?, ?)",
    ).run(incidentId, title, court, input.priority, input.deviceId, receivedAt);
  }
  const id = randomUUID();
  db.prepare(
    `INSERT INTO alarms (id, incident_id, source, source_event_id, device_id, channel_id, unit_id, court_code, priority, kind, description,
       lat, lon, raised_at, received_at, nearest_courts, nearest_units)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    incidentId,
    input.source,
    input.sourceEventId ?? null,
    input.deviceId,
    input.channelId,
    input.unitId,
    court,
    input.priority,
    input.kind,
    input.description,
    input.lat,
    input.lon,
    input.raisedAt,
    receivedAt,
    JSON.stringify(courts),
    JSON.stringify(units),
  );
  addTimeline(db, incidentId, open ? 'repeated' : 'raised', actor, input.description, { alarmId: id }, receivedAt);
  return { alarm: getAlarm(db, id)!, newIncident: !open };
}

function kindTitle(kind: string): string {
  const titles: Record<string, string> = { sos: '一键报警', device_fault: '设备故障', geofence: '越界报警', video: '视频报警' };
  return titles[kind] ?? '报警';
}

export function getAlarm(db: Db, id: string): Alarm | undefined {
  const row = db.prepare('SELECT * FROM alarms WHERE id = ?').get(id) as AlarmRow | undefined;
  return row && alarmFrom(row);
}

export function addTimeline(
  db: Db,
  incidentId: string,
  kind: string,
  actor: Actor,
  note: string,
  data: object,
  at: string,
): Incident['timeline'][number] {
  const info = db
    .prepare('INSERT INTO incident_timeline (incident_id, at, kind, actor_id, actor_name, note, data) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(incidentId, at, kind, actor.id, actor.name, note, JSON.stringify(data));
  return {
    id: Number(info.lastInsertRowid),
    at,
    kind: kind as Incident['timeline'][number]['kind'],
    actorId: actor.id,
    actorName: actor.name,
    note,
    data: { ...data },
  };
}

interface IncidentRow {
  id: string;
  status: Incident['status'];
  title: string;
  court_code: string | null;
  priority: number;
  opened_at: string;
  closed_at: string | null;
  result: string | null;
}

export function getIncident(db: Db, id: string): Incident | undefined {
  const row = db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
  if (!row) return undefined;
  const alarms = (db.prepare('SELECT * FROM alarms WHERE incident_id = ? ORDER BY received_at').all(id) as AlarmRow[]).map(alarmFrom);
  const timeline = (
    db.prepare('SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY id').all(id) as {
      id: number;
      at: string;
      kind: Incident['timeline'][number]['kind'];
      actor_id: string;
      actor_name: string;
      note: string;
      data: string;
    }[]
  ).map((t) => ({
    id: t.id,
    at: t.at,
    kind: t.kind,
    actorId: t.actor_id,
    actorName: t.actor_name,
    note: t.note,
    data: JSON.parse(t.data) as Record<string, unknown>,
  }));
  return {
    id: row.id,
    status: row.status,
    title: row.title,
    court: row.court_code,
    priority: row.priority,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    result: row.result,
    alarms,
    timeline,
    alarmCount: alarms.length,
  };
}

/** Incidents, most urgent first, each with its latest alarm and alarm count (two indexed look-ups per row). */
export function listIncidents(
  db: Db,
  filter: { status: 'active' | 'closed' | 'all'; court: string | null; limit: number },
): IncidentSummary[] {
  const where = filter.status === 'active' ? "status != 'closed'" : filter.status === 'closed' ? "status = 'closed'" : '1 = 1';
  const rows = db
    .prepare(
      `SELECT * FROM incidents WHERE ${where} AND (@court IS NULL OR court_code = @court) ORDER BY priority, opened_at DESC LIMIT @limit`,
    )
    .all({ court: filter.court, limit: filter.limit }) as IncidentRow[];
  const latest = db.prepare('SELECT * FROM alarms WHERE incident_id = ? ORDER BY received_at DESC, rowid DESC LIMIT 1');
  const count = db.prepare('SELECT COUNT(*) AS n FROM alarms WHERE incident_id = ?');
  return rows.map((r) => {
    const alarm = latest.get(r.id) as AlarmRow | undefined;
    return {
      id: r.id,
      status: r.status,
      title: r.title,
      court: r.court_code,
      priority: r.priority,
      openedAt: r.opened_at,
      closedAt: r.closed_at,
      result: r.result,
      alarmCount: (count.get(r.id) as { n: number }).n,
      latestAlarm: alarm ? alarmFrom(alarm) : null,
    };
  });
}

export function setIncidentStatus(db: Db, id: string, status: Incident['status'], at: string, result?: string): void {
  if (status === 'closed')
    db.prepare("UPDATE incidents SET status = 'closed', closed_at = ?, result = ? WHERE id = ?").run(at, result ?? '', id);
  else db.prepare('UPDATE incidents SET status = ? WHERE id = ?').run(status, id);
}
