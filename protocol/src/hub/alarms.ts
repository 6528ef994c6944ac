/** Alarms (报警) and incidents (处置): SOS from field units, device faults, geofence, or raised by hand. */
import { z } from 'zod';
import { latSchema, lonSchema } from './orgs.js';

export const alarmSourceSchema = z.enum(['device', 'manual']);
export const incidentStatusSchema = z.enum(['open', 'acknowledged', 'closed']);

export const nearbyCourtSchema = z.object({ code: z.string(), name: z.string(), distanceKm: z.number() });
export const nearbyUnitSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  status: z.string(),
  distanceKm: z.number(),
  /** Age of the unit's last known position, seconds. */
  positionAgeS: z.number(),
});

export const alarmSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  source: alarmSourceSchema,
  deviceId: z.string().nullable(),
  channelId: z.string().nullable(),
  unitId: z.string().nullable(),
  court: z.string().nullable(),
  /** 1 highest … 4. */
  priority: z.number().int().min(1).max(4),
  /** sos, device_fault, geofence, video, other. */
  kind: z.string(),
  description: z.string(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  raisedAt: z.string(),
  receivedAt: z.string(),
  nearestCourts: z.array(nearbyCourtSchema),
  nearestUnits: z.array(nearbyUnitSchema),
});
export type Alarm = z.infer<typeof alarmSchema>;

export const manualAlarmSchema = z
  .object({
    kind: z.enum(['sos', 'device_fault', 'geofence', 'video', 'other']),
    priority: z.number().int().min(1).max(4).default(2),
    description: z.string().min(1).max(1024),
    court: z.string().max(12).nullable().default(null),
    unitId: z.string().max(64).nullable().default(null),
    lat: latSchema.optional(),
    lon: lonSchema.optional(),
  })
  .strict()
  .refine((a) => (a.lat === undefined) === (a.lon === undefined), { message: 'lat and lon go together', path: ['lat'] });

export const TimelineKind = {
  Raised: 'raised',
  Repeated: 'repeated',
  Acknowledged: 'acknowledged',
  VideoOpened: 'video_opened',
  Dispatched: 'dispatched',
  CallMade: 'call_made',
  /** An intercom call of the incident was answered (by the console or the device). */
  CallAnswered: 'call_answered',
  /** An intercom call of the incident ended. */
  CallEnded: 'call_ended',
  Note: 'note',
  Closed: 'closed',
} as const;
export const timelineKindSchema = z.enum([
  'raised',
  'repeated',
  'acknowledged',
  'video_opened',
  'dispatched',
  'call_made',
  'call_answered',
  'call_ended',
  'note',
  'closed',
]);

export const timelineEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  kind: timelineKindSchema,
  actorId: z.string(),
  actorName: z.string(),
  note: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const incidentSchema = z.object({
  id: z.string(),
  status: incidentStatusSchema,
  title: z.string(),
  court: z.string().nullable(),
  priority: z.number().int(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  result: z.string().nullable(),
  alarms: z.array(alarmSchema),
  timeline: z.array(timelineEntrySchema),
  /** How many alarms the incident has (set by the list; a client holding only the latest alarm keeps it here). */
  alarmCount: z.number().int().optional(),
});
export type Incident = z.infer<typeof incidentSchema>;

/**
 * `GET /api/v1/incidents`: each incident with its latest alarm (kind, device, position, time,
 * nearest courts and units) and its alarm count, so a console needs no detail fetch per row.
 */
export const incidentSummarySchema = incidentSchema.omit({ alarms: true, timeline: true }).extend({
  alarmCount: z.number().int(),
  /** Latest alarm by receipt; null only for an incident without alarms. */
  latestAlarm: alarmSchema.nullable(),
});
export type IncidentSummary = z.infer<typeof incidentSummarySchema>;

/** What a duty officer does on an incident; each becomes a timeline entry. */
export const incidentActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('acknowledge'), note: z.string().max(1000).default('') }).strict(),
  z.object({ kind: z.literal('video_opened'), deviceId: z.string().max(64), note: z.string().max(1000).default('') }).strict(),
  z
    .object({ kind: z.literal('dispatch'), unitIds: z.array(z.string().max(64)).min(1).max(20), note: z.string().max(1000).default('') })
    .strict(),
  z.object({ kind: z.literal('call_made'), target: z.string().min(1).max(128), note: z.string().max(1000).default('') }).strict(),
  z.object({ kind: z.literal('note'), note: z.string().min(1).max(4000) }).strict(),
  z.object({ kind: z.literal('close'), result: z.string().min(1).max(2000) }).strict(),
]);
export type IncidentAction = z.infer<typeof incidentActionSchema>;

export const devicePresenceSchema = z.object({
  deviceId: z.string(),
  kind: z.string(),
  online: z.boolean(),
  reason: z.string().nullable(),
  at: z.string(),
});
