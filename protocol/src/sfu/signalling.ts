/**
 * SFU signalling over WebSocket: the client sends requests `{ id, type, data }`, the
 * server answers `{ type: 'response', id, ok, data | error }` and pushes notifications
 * `{ type: 'notification', event, data }`. mediasoup's own parameter objects (RTP
 * capabilities, DTLS/ICE parameters) are carried as opaque records: the SFU hands them
 * to mediasoup, which validates them.
 */
import { z } from 'zod';
import { wireErrorSchema } from '../errors.js';
import { joinTokenClaimsSchema } from '../join-token.js';

/** Largest signalling frame either side accepts. */
export const SFU_MAX_MESSAGE_BYTES = 64 * 1024;

const opaque = z.record(z.string(), z.unknown());
const id = z.string().min(1).max(64);

export const MediaSource = { Camera: 'camera', Microphone: 'microphone', Screen: 'screen', Device: 'device' } as const;
export const mediaSourceSchema = z.enum(['camera', 'microphone', 'screen', 'device']);

export const sfuRequestSchemas = {
  join: z.object({ token: z.string().min(1).max(4096) }).strict(),
  /** The client's receive capabilities (after loading the router's): needed before `consume`. */
  setCapabilities: z.object({ rtpCapabilities: opaque }).strict(),
  createTransport: z.object({ direction: z.enum(['send', 'recv']) }).strict(),
  connectTransport: z.object({ transportId: id, dtlsParameters: opaque }).strict(),
  produce: z
    .object({
      transportId: id,
      kind: z.enum(['audio', 'video']),
      rtpParameters: opaque,
      source: mediaSourceSchema,
    })
    .strict(),
  consume: z.object({ transportId: id, producerId: id }).strict(),
  resumeConsumer: z.object({ consumerId: id }).strict(),
  leave: z.object({}).strict(),
} as const;
export type SfuRequestType = keyof typeof sfuRequestSchemas;
export type SfuRequestData<T extends SfuRequestType> = z.infer<(typeof sfuRequestSchemas)[T]>;

/** Envelope; `data` is parsed against `sfuRequestSchemas[type]` in a second step. */
export const sfuRequestEnvelopeSchema = z
  .object({ id: z.number().int().nonnegative(), type: z.string().max(64), data: z.unknown() })
  .strict();

const peerSchema = z.object({ peerId: id, name: z.string(), role: joinTokenClaimsSchema.shape.role, court: z.string().optional() });
const producerInfoSchema = z.object({ producerId: id, peerId: id, kind: z.enum(['audio', 'video']), source: mediaSourceSchema });

export const sfuResponseSchemas = {
  join: z.object({ peerId: id, routerRtpCapabilities: opaque, peers: z.array(peerSchema), producers: z.array(producerInfoSchema) }),
  setCapabilities: z.object({}),
  createTransport: z.object({ transportId: id, iceParameters: opaque, iceCandidates: z.array(opaque), dtlsParameters: opaque }),
  connectTransport: z.object({}),
  produce: z.object({ producerId: id }),
  consume: z.object({ consumerId: id, producerId: id, kind: z.enum(['audio', 'video']), rtpParameters: opaque }),
  resumeConsumer: z.object({}),
  leave: z.object({}),
} satisfies Record<SfuRequestType, z.ZodType>;
export type SfuResponseData<T extends SfuRequestType> = z.infer<(typeof sfuResponseSchemas)[T]>;

export const sfuResponseSchema = z.union([
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(true), data: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.number().int().nullable(), ok: z.literal(false), error: wireErrorSchema }),
]);

/** Server → client events. */
export const SfuEvent = {
  PeerJoined: 'peerJoined',
  PeerLeft: 'peerLeft',
  NewProducer: 'newProducer',
  ProducerClosed: 'producerClosed',
} as const;
export const sfuNotificationSchema = z.discriminatedUnion('event', [
  z.object({ type: z.literal('notification'), event: z.literal('peerJoined'), data: peerSchema }),
  z.object({ type: z.literal('notification'), event: z.literal('peerLeft'), data: z.object({ peerId: id }) }),
  z.object({ type: z.literal('notification'), event: z.literal('newProducer'), data: producerInfoSchema }),
  z.object({ type: z.literal('notification'), event: z.literal('producerClosed'), data: z.object({ producerId: id }) }),
]);
export type SfuNotification = z.infer<typeof sfuNotificationSchema>;
export const sfuServerMessageSchema = z.union([sfuResponseSchema, sfuNotificationSchema]);
export type SfuServerMessage = z.infer<typeof sfuServerMessageSchema>;
