/**
 * The hub's realtime event stream (WebSocket `/api/v1/events`). Every event type and
 * its payload schema is listed in `hubEventSchemas`; each hub feature adds its own
 * entries here. The envelope carries a sequence number so a reconnecting client can
 * ask for what it missed.
 */
import { z } from 'zod';

export const hubEventSchemas = {
  /** A state change the console should refetch (generic; prefer a specific event). */
  'entity.changed': z.object({ entity: z.string(), id: z.string(), action: z.enum(['created', 'updated', 'deleted']) }),
  /** A field unit reported a new position. */
  'unit.position': z.object({ unitId: z.string(), lat: z.number(), lon: z.number(), at: z.string() }),
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
