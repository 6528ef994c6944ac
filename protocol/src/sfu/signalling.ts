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
import {
  moderationNotificationSchemas,
  moderationRequestSchemas,
  moderationResponseSchemas,
  participantRequestSchemas,
  participantResponseSchemas,
  roomStateSchema,
} from './moderation.js';

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
  /** Self-mute/unmute (pause/resume your own producer); refused while force-muted. */
  pauseProducer: z.object({ producerId: id }).strict(),
  resumeProducer: z.object({ producerId: id }).strict(),
  closeProducer: z.object({ producerId: id }).strict(),
  /** Size of the tile showing a video consumer: the SFU picks the simulcast layer (0×0 = hidden, paused). */
  setTileSize: z.object({ consumerId: id, width: z.number().int().min(0).max(8192), height: z.number().int().min(0).max(8192) }).strict(),
  /** After a network change: new ICE parameters for `transport.restartIce()`. */
  restartIce: z.object({ transportId: id }).strict(),
  leave: z.object({}).strict(),
  ...participantRequestSchemas,
  ...moderationRequestSchemas,
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
  join: z.object({
    peerId: id,
    routerRtpCapabilities: opaque,
    peers: z.array(peerSchema),
    producers: z.array(producerInfoSchema),
    roomState: roomStateSchema,
  }),
  setCapabilities: z.object({}),
  createTransport: z.object({ transportId: id, iceParameters: opaque, iceCandidates: z.array(opaque), dtlsParameters: opaque }),
  connectTransport: z.object({}),
  produce: z.object({ producerId: id }),
  consume: z.object({ consumerId: id, producerId: id, kind: z.enum(['audio', 'video']), rtpParameters: opaque }),
  resumeConsumer: z.object({}),
  pauseProducer: z.object({}),
  resumeProducer: z.object({}),
  closeProducer: z.object({}),
  setTileSize: z.object({ spatialLayer: z.number().int().nullable() }),
  restartIce: z.object({ iceParameters: opaque }),
  leave: z.object({}),
  ...participantResponseSchemas,
  ...moderationResponseSchemas,
} satisfies Record<SfuRequestType, z.ZodType>;
export type SfuResponseData<T extends SfuRequestType> = z.infer<(typeof sfuResponseSchemas)[T]>;

export const sfuResponseSchema = z.union([
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(true), data: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.number().int().nullable(), ok: z.literal(false), error: wireErrorSchema }),
]);

/** WebSocket close code: your room was rebuilt after a media worker died; join again. */
export const SFU_CLOSE_REJOIN = 4001;
/** WebSocket close code: the leader removed you; do not rejoin. */
export const SFU_CLOSE_REMOVED = 4003;

/** Server → client events. */
export const SfuEvent = {
  PeerJoined: 'peerJoined',
  PeerLeft: 'peerLeft',
  NewProducer: 'newProducer',
  ProducerClosed: 'producerClosed',
  ConsumerClosed: 'consumerClosed',
  ActiveSpeaker: 'activeSpeaker',
  RoomState: 'roomState',
  LayoutChanged: 'layoutChanged',
  MutedByLeader: 'mutedByLeader',
  Removed: 'removed',
  RollCallPrompt: 'rollCallPrompt',
  RollCallUpdate: 'rollCallUpdate',
  Rejoin: 'rejoin',
} as const;
export type SfuEvent = (typeof SfuEvent)[keyof typeof SfuEvent];
export const sfuNotificationSchema = z.discriminatedUnion('event', [
  z.object({ type: z.literal('notification'), event: z.literal('peerJoined'), data: peerSchema }),
  z.object({ type: z.literal('notification'), event: z.literal('peerLeft'), data: z.object({ peerId: id }) }),
  z.object({ type: z.literal('notification'), event: z.literal('newProducer'), data: producerInfoSchema }),
  z.object({ type: z.literal('notification'), event: z.literal('producerClosed'), data: z.object({ producerId: id }) }),
  /** The server closed one of your consumers (its producer went away or you lost permission). */
  z.object({ type: z.literal('notification'), event: z.literal('consumerClosed'), data: z.object({ consumerId: id }) }),
  /** Loudest speaker changed; `lastN` = the recent speakers whose video is sent at high quality. */
  z.object({
    type: z.literal('notification'),
    event: z.literal('activeSpeaker'),
    data: z.object({ peerId: id.nullable(), lastN: z.array(id) }),
  }),
  /** The media worker was replaced: close and join again with the same token (the socket then closes with 4001). */
  z.object({ type: z.literal('notification'), event: z.literal('rejoin'), data: z.object({ reason: z.string() }) }),
  ...moderationNotificationSchemas,
]);
export type SfuNotification = z.infer<typeof sfuNotificationSchema>;
export const sfuServerMessageSchema = z.union([sfuResponseSchema, sfuNotificationSchema]);
export type SfuServerMessage = z.infer<typeof sfuServerMessageSchema>;
