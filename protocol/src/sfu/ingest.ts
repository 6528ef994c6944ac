/**
 * SFU ingest API for the device bridge (and RTSP cameras): HTTP under
 * `/api/v1/ingest` on the SFU's port, every call service-authorized
 * (`Authorization: Bearer <service token>`, see runtime `serviceAuthorization`).
 *
 * - `POST   /api/v1/ingest/sources`            create a live source (PlainTransport producers, comedia)
 * - `GET    /api/v1/ingest/sources`            list live sources
 * - `DELETE /api/v1/ingest/sources/:sourceId`  close a live source
 * - `POST   /api/v1/ingest/listeners`          a PlainTransport consumer the bridge receives RTP from (intercom)
 * - `DELETE /api/v1/ingest/listeners/:listenerId`
 * - `GET    /api/v1/ingest/rooms/:room/producers`  what can be listened to in a room
 *
 * A live source is a pseudo-peer (source `device`) in a room: by default its own room
 * `live:<sourceId>` (a "live view"), or a consultation room given by `room`. Any client
 * holding a join token for that room (issued by the hub) sees its producers in the join answer.
 */
import { z } from 'zod';

const id = z.string().min(1).max(128);
const ssrc = z.number().int().min(1).max(0xffffffff);
const payloadType = z.number().int().min(96).max(127);

export const INGEST_PREFIX = '/api/v1/ingest';

/** Room id of a live view of one source. */
export function liveRoomId(sourceId: string): string {
  return `live:${sourceId}`;
}

export const ingestVideoCodecSchema = z.enum(['H264', 'VP8']);
export const ingestAudioCodecSchema = z.enum(['PCMA', 'PCMU', 'opus']);

export const ingestVideoTrackSchema = z
  .object({
    codec: ingestVideoCodecSchema,
    /** RTP payload type the sender uses (ffmpeg `-payload_type`). */
    payloadType: payloadType.default(102),
    /** SSRC the sender uses (ffmpeg `-ssrc`). */
    ssrc,
    /**
     * H.264 only. Declare a 42e01f-compatible profile: Chromium receives nothing else,
     * and decodes High-profile streams declared so as long as they have no B-frames.
     */
    profileLevelId: z
      .string()
      .regex(/^[0-9a-fA-F]{6}$/)
      .default('42e01f'),
  })
  .strict();

export const ingestAudioTrackSchema = z
  .object({
    codec: ingestAudioCodecSchema,
    /** PCMA is static 8, PCMU static 0; opus dynamic (default 111). */
    payloadType: z.number().int().min(0).max(127).optional(),
    ssrc,
  })
  .strict();

export const createIngestSourceSchema = z
  .object({
    /** Shown to viewers, e.g. the device's name. */
    name: z.string().min(1).max(128),
    /** Device id in the hub (GB28181 channel id, camera id), kept for the record. */
    deviceId: z.string().max(64).optional(),
    /** Put the source into this room (e.g. a consultation); default its own live room. */
    room: id.optional(),
    video: ingestVideoTrackSchema.optional(),
    audio: ingestAudioTrackSchema.optional(),
    /**
     * RTCP on the RTP port. Keep false for ffmpeg senders: with comedia and rtcpMux the
     * transport locks onto ffmpeg's RTCP source port and drops every RTP packet.
     */
    rtcpMux: z.boolean().default(false),
  })
  .strict()
  .refine((s) => s.video !== undefined || s.audio !== undefined, { message: 'give video, audio or both', path: ['video'] });
export type CreateIngestSource = z.input<typeof createIngestSourceSchema>;

/** Where the bridge sends one track's RTP (and RTCP). Comedia: the SFU learns the sender from the first packet. */
export const ingestTrackEndpointSchema = z.object({
  kind: z.enum(['audio', 'video']),
  producerId: id,
  ip: z.string(),
  port: z.number().int(),
  /** Same as `port` when rtcpMux. */
  rtcpPort: z.number().int(),
  payloadType: z.number().int(),
  ssrc: z.number().int(),
});
export type IngestTrackEndpoint = z.infer<typeof ingestTrackEndpointSchema>;

export const ingestSourceSchema = z.object({
  sourceId: id,
  name: z.string(),
  deviceId: z.string().optional(),
  /** Room to join (with a hub-issued join token) to watch this source. */
  room: id,
  tracks: z.array(ingestTrackEndpointSchema),
  createdAt: z.string(),
});
export type IngestSource = z.infer<typeof ingestSourceSchema>;
export const ingestSourceListSchema = z.object({ sources: z.array(ingestSourceSchema) });

/** Intercom "listen" leg: the SFU sends the chosen producer's RTP to the bridge. */
export const createIngestListenerSchema = z
  .object({
    room: id,
    /** The producer to listen to; default the room's most recent microphone (a console's voice). */
    producerId: id.optional(),
    /** Where the bridge receives RTP. */
    ip: z.string().min(1).max(64),
    port: z.number().int().min(1).max(65535),
    /** Where the bridge receives RTCP; omitted = rtcpMux. */
    rtcpPort: z.number().int().min(1).max(65535).optional(),
    /** Codec the bridge wants (the producer's codec must match; opus from browsers). */
    codec: ingestAudioCodecSchema.default('opus'),
  })
  .strict();
export type CreateIngestListener = z.input<typeof createIngestListenerSchema>;

export const ingestListenerSchema = z.object({
  listenerId: id,
  room: id,
  producerId: id,
  consumerId: id,
  /** SFU's sending address (RTP source), useful for the bridge's firewall/latching. */
  localIp: z.string(),
  localPort: z.number().int(),
  mimeType: z.string(),
  payloadType: z.number().int(),
  clockRate: z.number().int(),
  channels: z.number().int().optional(),
  ssrc: z.number().int(),
});
export type IngestListener = z.infer<typeof ingestListenerSchema>;

export const roomProducerListSchema = z.object({
  producers: z.array(
    z.object({
      producerId: id,
      peerId: id,
      name: z.string(),
      kind: z.enum(['audio', 'video']),
      source: z.enum(['camera', 'microphone', 'screen', 'device']),
      mimeType: z.string(),
    }),
  ),
});
export type RoomProducerList = z.infer<typeof roomProducerListSchema>;
