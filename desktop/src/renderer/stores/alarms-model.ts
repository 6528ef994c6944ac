/** Pure state transitions of the incident list (报警 / 处置): applied to live events and API answers, no I/O. */
import type { Alarm, HubEventData, Incident } from '@cc/protocol';
import type { IncidentSummary } from '../api/hub';

export type IncidentMap = Record<string, Incident>;

/** A placeholder shown the moment `alarm.raised` arrives, before the incident's detail is fetched. */
export function incidentFromAlarm(alarm: Alarm): Incident {
  return {
    id: alarm.incidentId,
    status: 'open',
    title: alarm.description,
    court: alarm.court,
    priority: alarm.priority,
    openedAt: alarm.receivedAt,
    closedAt: null,
    result: null,
    alarms: [alarm],
    timeline: [],
    alarmCount: 1,
  };
}

export function applyAlarmRaised(incidents: IncidentMap, event: HubEventData<'alarm.raised'>): IncidentMap {
  const { alarm } = event;
  const known = incidents[alarm.incidentId];
  if (!known) return { ...incidents, [alarm.incidentId]: incidentFromAlarm(alarm) };
  if (known.alarms.some((a) => a.id === alarm.id)) return incidents;
  const updated: Incident = {
    ...known,
    priority: Math.min(known.priority, alarm.priority),
    alarms: [...known.alarms, alarm],
    alarmCount: (known.alarmCount ?? known.alarms.length) + 1,
  };
  return { ...incidents, [known.id]: updated };
}

/** Applies `incident.updated`; an incident not held yet is left for a fetch (returns undefined). */
export function applyIncidentUpdated(incidents: IncidentMap, event: HubEventData<'incident.updated'>): IncidentMap | undefined {
  const known = incidents[event.incidentId];
  if (!known) return undefined;
  const timeline = known.timeline.some((e) => e.id === event.entry.id)
    ? known.timeline
    : [...known.timeline, event.entry].sort((a, b) => a.id - b.id);
  const closed = event.status === 'closed';
  const updated: Incident = {
    ...known,
    status: event.status,
    timeline,
    closedAt: closed ? (known.closedAt ?? event.entry.at) : known.closedAt,
    result: closed && event.entry.kind === 'closed' ? event.entry.note : known.result,
  };
  return { ...incidents, [known.id]: updated };
}

/**
 * Merges a fetched incident with the one held: the timelines are united by entry id, and the
 * status comes from whichever view saw the later entry, so a slow fetch cannot undo a live event.
 */
export function mergeIncident(incidents: IncidentMap, incoming: Incident): IncidentMap {
  const known = incidents[incoming.id];
  if (!known) return { ...incidents, [incoming.id]: incoming };
  const byId = new Map([...known.timeline, ...incoming.timeline].map((e) => [e.id, e]));
  const timeline = [...byId.values()].sort((a, b) => a.id - b.id);
  const newer = lastEntryId(known) > lastEntryId(incoming) ? known : incoming;
  const alarmIds = new Set(incoming.alarms.map((a) => a.id));
  const alarms = [...incoming.alarms, ...known.alarms.filter((a) => !alarmIds.has(a.id))];
  return {
    ...incidents,
    [incoming.id]: {
      ...incoming,
      alarms,
      alarmCount: Math.max(incoming.alarmCount ?? 0, alarms.length),
      timeline,
      status: newer.status,
      closedAt: newer.closedAt,
      result: newer.result,
    },
  };
}

function lastEntryId(incident: Incident): number {
  return incident.timeline.reduce((max, e) => Math.max(max, e.id), -1);
}

/**
 * The active list as the hub lists it (each incident with its latest alarm and alarm count, no
 * timeline): what is held in detail keeps its alarms and timeline, with the summary's status and
 * the latest alarm added; the rest is shown from its latest alarm (the timeline comes on select).
 * `keep` survives even if no longer listed (the selected incident after it was closed).
 * `touched` are incidents live events changed while the list was on its way: what is held of
 * them is newer than the list (an SOS raised meanwhile is not in it yet; a close heard meanwhile
 * must not be undone by it), so it stays as held.
 */
export function mergeSummaries(
  incidents: IncidentMap,
  summaries: IncidentSummary[],
  keep: string | null,
  touched: ReadonlySet<string> = new Set(),
): IncidentMap {
  const next: IncidentMap = {};
  for (const { latestAlarm, ...s } of summaries) {
    const known = incidents[s.id];
    const alarms = known?.alarms ?? [];
    const withLatest = latestAlarm && !alarms.some((a) => a.id === latestAlarm.id) ? [...alarms, latestAlarm] : alarms;
    next[s.id] = { ...known, ...s, alarms: withLatest, timeline: known?.timeline ?? [] };
  }
  for (const id of touched) if (incidents[id]) next[id] = incidents[id];
  const kept = keep ? incidents[keep] : undefined;
  if (kept && !next[kept.id]) next[kept.id] = kept;
  return next;
}

/** Open and acknowledged incidents, most urgent first (priority 1 first, then newest). */
export function activeIncidents(incidents: IncidentMap): Incident[] {
  return Object.values(incidents)
    .filter((i) => i.status !== 'closed')
    .sort((a, b) => a.priority - b.priority || b.openedAt.localeCompare(a.openedAt));
}
