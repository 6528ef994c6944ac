/**
 * The hub's realtime event stream (WebSocket `/api/v1/events`). Every event type and
 * its payload schema is listed in `hubEventSchemas`; each hub feature adds its own
 * entries here. The envelope carries a sequence number so a reconnecting client can
 * ask for what it missed.
 */
import { z } from 'zod';
import { wallEventSchemas } from './walls.js';
import { dutyEventSchemas } from './duty.js';
import { alarmSchema, devicePresenceSchema, incidentStatusSchema, timelineEntrySchema } from './alarms.js';

export const hubEventSchemas = {
  /** A state change the console should refetch (generic; prefer a specific event). */
  'entity.changed': z.object({ entity: z.string(), id: z.string(), action: z.enum(['created', 'updated', 'deleted']) }),
  /** A field unit reported a new position. */
  'unit.position': z.object({ unitId: z.string(), lat: z.number(), lon: z.number(), at: z.string() }),
  /** Positions of field units / devices, batched as the bridge reported them. */
  'units.positions': z.object({
    positions: z.array(z.object({ deviceId: z.string(), unitId: z.string().nullable(), lat: z.number(), lon: z.number(), at: z.string() })),
  }),
  /** A new alarm, stored, with the nearest courts and units: consoles ring, the wall may switch scene. */
  'alarm.raised': z.object({ alarm: alarmSchema, newIncident: z.boolean() }),
  /** Something happened on an incident (acknowledged, dispatched, closed …). */
  'incident.updated': z.object({ incidentId: z.string(), status: incidentStatusSchema, entry: timelineEntrySchema }),
  /** A device went online or offline. */
  'device.presence': devicePresenceSchema,
  /** Intercom call state (an inbound call rings in the console). */
  'call.state': z.object({
    callId: z.string(),
    deviceId: z.string(),
    /** The device's name (provisioned, else from its catalog or info), for the ringing banner. */
    deviceName: z.string().optional(),
    direction: z.enum(['outbound', 'inbound']),
    state: z.enum(['ringing', 'answered', 'ended']),
    reason: z.string().optional(),
    /** Who ended it: the console, the device or the bridge. */
    by: z.string().optional(),
    detail: z.string().optional(),
    /** SFU room of the call (the intercom's voice is produced there; the console publishes its microphone there). */
    room: z.string().optional(),
    producerId: z.string().optional(),
  }),
  /** A device stream in the SFU changed state (live view available, stopped, failed). */
  'stream.state': z.object({
    streamId: z.string(),
    deviceId: z.string(),
    channelId: z.string(),
    /** `ended`: a playback reached the end of its recording. */
    state: z.enum(['starting', 'live', 'stopped', 'failed', 'ended']),
    producerId: z.string().optional(),
    reason: z.string().optional(),
  }),
  /** A consultation record (roll call, recording manifest, session) was stored. */
  'consultation.record': z.object({ recordId: z.string(), room: z.string(), kind: z.enum(['roll_call', 'recording', 'session']) }),
  /** A node type was added or changed in the catalog. */
  'catalog.changed': z.object({ code: z.string() }),
  /** Cases of this court were imported or updated in bulk. */
  'cases.imported': z.object({ court: z.string(), cases: z.number().int(), nodes: z.number().int() }),
  /** A case was closed or one of its nodes completed. */
  'case.changed': z.object({
    caseNo: z.string(),
    action: z.enum(['closed', 'node_completed', 'deduction_recorded', 'deduction_ended']),
    nodeId: z.number().int().optional(),
    /** Deduction period (扣除期间) recorded or ended. */
    deductionId: z.number().int().optional(),
  }),
  /** A catalog change is re-timing open nodes, slice by slice (`scanned`/`total`: node ids); `done` on the last. */
  'catalog.recompute': z.object({
    /** The node type whose rule changed, or `calendar:YYYY-MM-DD` for a holiday-calendar change. */
    code: z.string(),
    scanned: z.number().int(),
    total: z.number().int(),
    moved: z.number().int(),
    done: z.boolean(),
  }),
  /**
   * A flow node entered 临期 (due soon), or (`reminder`) a 临期 node reached one of its type's
   * graded reminders (`rule.remindDays`). `daysLeft`: the threshold reached (D-n).
   */
  'node.due_soon': z.object({
    nodeId: z.number().int(),
    caseNo: z.string(),
    type: z.string(),
    dueAt: z.string(),
    daysLeft: z.number().int().optional(),
    reminder: z.boolean().optional(),
  }),
  /** A flow node became 超期 (overdue). */
  'node.overdue': z.object({ nodeId: z.number().int(), caseNo: z.string(), type: z.string(), dueAt: z.string() }),
  /** A 督办 order was issued, replied to, accepted or returned. */
  'supervision.changed': z.object({
    id: z.string(),
    caseNo: z.string(),
    state: z.enum(['issued', 'replied', 'accepted', 'returned']),
  }),
  /** A 督办 order passed its deadline without an accepted reply. */
  'supervision.escalated': z.object({ id: z.string(), caseNo: z.string(), dueAt: z.string(), level: z.number().int() }),
  /** A 事项委托 changed state (requested, accepted, rejected, completed, confirmed). */
  'delegation.changed': z.object({
    id: z.string(),
    fromCourt: z.string(),
    toCourt: z.string(),
    state: z.enum(['requested', 'accepted', 'rejected', 'completed', 'confirmed']),
  }),
  /** A 事项委托 passed its deadline unfinished. */
  'delegation.overdue': z.object({ id: z.string(), fromCourt: z.string(), toCourt: z.string(), dueAt: z.string() }),
  /** An 指令 was sent to, delivered to or acknowledged by a recipient. */
  'instruction.changed': z.object({
    id: z.string(),
    recipient: z.string(),
    state: z.enum(['sent', 'delivered', 'acknowledged']),
  }),
  /** Wall statistics of these courts changed (throttled); refetch `/api/v1/stats`. */
  'stats.changed': z.object({ courts: z.array(z.string()) }),
  ...dutyEventSchemas,
  ...wallEventSchemas,
} satisfies Record<string, z.ZodType>;

export type HubEventType = keyof typeof hubEventSchemas;
export type HubEventData<T extends HubEventType> = z.infer<(typeof hubEventSchemas)[T]>;

/** What a feature emits; `court` limits who sees it (court users see only their court's events). */
export type HubEventInput = {
  [T in HubEventType]: { type: T; court?: string | null; data: HubEventData<T> };
}[HubEventType];

export const hubEventEnvelopeSchema = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  type: z.string(),
  court: z.string().nullable(),
  data: z.unknown(),
});
export type HubEventEnvelope = z.infer<typeof hubEventEnvelopeSchema>;

/** Server → client frames on the event stream. */
export const hubStreamFrameSchema = z.discriminatedUnion('type', [
  /** First frame: protocol version and the newest sequence number. */
  z.object({ type: z.literal('hello'), protocol: z.string(), seq: z.number().int().nonnegative() }),
  z.object({ type: z.literal('event'), event: hubEventEnvelopeSchema }),
  /** The client's `since` is older than what the hub keeps: reload state, then continue from `seq`. */
  z.object({ type: z.literal('resync'), seq: z.number().int().nonnegative() }),
]);
export type HubStreamFrame = z.infer<typeof hubStreamFrameSchema>;
