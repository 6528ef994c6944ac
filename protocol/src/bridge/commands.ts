/**
 * Hub → bridge commands: the bridge's control API (port 8702) under `/api/v1/`, every
 * call service-authorized (`Authorization: Bearer <service token>`). One table,
 * `bridgeCommandRoutes`, names each route's method, path, body and answer; errors come
 * back as the usual `{ error: { code, message, messageEn } }`.
 */
import { z } from 'zod';
import { bridgeDeviceIdSchema, deviceKindSchema, gbIdSchema, offlineReasonSchema } from './events.js';

/** Provision a GB28181 device or an intercom (the hub, the setup UI or a config file). */
export const provisionDeviceSchema = z
  .object({
    kind: z.enum(['gb28181', 'intercom']),
    name: z.string().max(128).optional(),
    /** Digest password; absent: the bridge's shared password applies (if configured). */
    password: z.string().min(1).max(128).optional(),
    /** How this device's video reaches the bridge unless a stream asks otherwise (default UDP). */
    mediaTransport: z.enum(['udp', 'tcp_passive', 'tcp_active']).optional(),
  })
  .strict();
export type ProvisionDevice = z.infer<typeof provisionDeviceSchema>;

/** What the bridge knows about one device right now. */
export const bridgeDeviceSchema = z.object({
  deviceId: bridgeDeviceIdSchema,
  kind: deviceKindSchema,
  name: z.string().optional(),
  online: z.boolean(),
  registered: z.boolean(),
  lastOfflineReason: offlineReasonSchema.optional(),
  address: z.string().optional(),
  port: z.number().int().optional(),
  transport: z.enum(['udp', 'tcp']).optional(),
  lastSeen: z.string().optional(),
});
export type BridgeDevice = z.infer<typeof bridgeDeviceSchema>;

/** Ask a GB28181 device for its catalog, info or status; the answer arrives as a hub event. */
export const deviceQuerySchema = z.object({ query: z.enum(['catalog', 'deviceInfo', 'deviceStatus']) }).strict();

export const recordInfoQuerySchema = z
  .object({
    deviceId: gbIdSchema,
    channelId: gbIdSchema,
    /** Local time `yyyy-MM-ddTHH:mm:ss` as GB28181 uses it. */
    startTime: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
    endTime: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
    type: z.enum(['all', 'time', 'alarm', 'manual']).default('all'),
  })
  .strict();
export const recordSegmentSchema = z.object({
  channelId: gbIdSchema,
  name: z.string().optional(),
  startTime: z.string(),
  endTime: z.string(),
  type: z.string().optional(),
  fileSize: z.number().int().nonnegative().optional(),
});
export type RecordSegment = z.infer<typeof recordSegmentSchema>;

/** Start (or join) a device video stream into the SFU. Viewers of one channel share one stream. */
export const startStreamSchema = z
  .object({
    deviceId: bridgeDeviceIdSchema,
    channelId: bridgeDeviceIdSchema,
    /** Who watches (console, wall tile): the stream stops after the last viewer left and a grace period. */
    viewerId: z.string().min(1).max(128),
    /** `download` (s=Download): a recording sent faster than real time (`downloadSpeed`). */
    mode: z.enum(['live', 'playback', 'download']).default('live'),
    /** Playback range, local time `yyyy-MM-ddTHH:mm:ss`. */
    startTime: z.string().optional(),
    endTime: z.string().optional(),
    downloadSpeed: z.number().int().min(1).max(32).optional(),
    /**
     * UDP, TCP-passive (the device connects to us) or TCP-active (we connect to the device);
     * absent: the device's provisioned `mediaTransport`, else UDP. No fallback between them.
     */
    transport: z.enum(['udp', 'tcp_passive', 'tcp_active']).optional(),
  })
  .strict();
export const streamInfoSchema = z.object({
  streamId: z.string(),
  /** `ended`: a playback reached the end of the recording (device MediaStatus 121). */
  state: z.enum(['starting', 'live', 'stopped', 'failed', 'ended']),
  /** SFU room to join (with a hub-issued token) to watch it. */
  room: z.string().optional(),
  /** SFU producer ids, once live. */
  videoProducerId: z.string().optional(),
  audioProducerId: z.string().optional(),
  viewers: z.number().int().nonnegative(),
});

/** A stream the bridge runs now, with who watches it (the hub reconciles its live views with this). */
export const bridgeStreamSchema = z.object({
  streamId: z.string(),
  deviceId: z.string(),
  channelId: z.string(),
  mode: z.enum(['live', 'playback', 'download']),
  state: z.enum(['starting', 'live', 'stopped', 'failed', 'ended']),
  viewerIds: z.array(z.string()),
});
export type BridgeStream = z.infer<typeof bridgeStreamSchema>;

/**
 * Drop every viewer whose id starts with `prefix` and is not in `keep` (the hub, after it or
 * the bridge restarted: viewers it does not know are left, so their streams can stop).
 */
export const dropViewersSchema = z
  .object({
    prefix: z.string().min(1).max(64),
    keep: z.array(z.string().min(1).max(128)).max(10_000).default([]),
  })
  .strict();
export const droppedViewersSchema = z.object({ dropped: z.array(z.object({ streamId: z.string(), viewerId: z.string() })) });

/**
 * Playback control of a playback stream (MANSRTSP in SIP INFO): pause, resume, seek to
 * an offset (s from the start of the requested range), speed (Scale 0.25–4).
 */
export const playbackControlSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('pause') }).strict(),
  z.object({ action: z.literal('resume') }).strict(),
  z
    .object({
      action: z.literal('seek'),
      offsetS: z
        .number()
        .min(0)
        .max(86_400 * 31),
    })
    .strict(),
  z.object({ action: z.literal('speed'), scale: z.number().min(0.25).max(4) }).strict(),
]);
export type PlaybackControl = z.infer<typeof playbackControlSchema>;

/** PTZ for GB28181 (DeviceControl PTZCmd) and serial (VISCA / Pelco-D) cameras. Speeds 0–1. */
export const ptzCommandSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('move'),
      /** -1 left … 1 right; -1 down … 1 up; -1 zoom out … 1 zoom in; 0 = none on that axis. */
      pan: z.number().min(-1).max(1),
      tilt: z.number().min(-1).max(1),
      zoom: z.number().min(-1).max(1).default(0),
    })
    .strict(),
  z.object({ action: z.literal('stop') }).strict(),
  z.object({ action: z.literal('focus'), direction: z.enum(['near', 'far']), speed: z.number().min(0).max(1) }).strict(),
  z.object({ action: z.literal('iris'), direction: z.enum(['open', 'close']), speed: z.number().min(0).max(1) }).strict(),
  z.object({ action: z.enum(['presetSet', 'presetCall', 'presetDelete']), preset: z.number().int().min(1).max(255) }).strict(),
]);
export type PtzCommand = z.infer<typeof ptzCommandSchema>;
export const ptzRequestSchema = z
  .object({ deviceId: bridgeDeviceIdSchema, channelId: bridgeDeviceIdSchema, command: ptzCommandSchema })
  .strict();

/**
 * SFU room of an intercom call: the intercom's voice is produced there and the console's
 * voice (`consoleProducerId`, or the room's latest microphone) is taken from there.
 */
export const callRoomSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 of A-Z a-z 0-9 _ . : -')
  .optional();
/** Default SFU room of a call with a device: `intercom:<deviceId>`. */
export function intercomRoomId(deviceId: string): string {
  return `intercom:${deviceId}`;
}

/** Call an intercom (对讲); the console's voice comes from `consoleProducerId` on the SFU. */
export const startCallSchema = z
  .object({
    deviceId: bridgeDeviceIdSchema,
    consoleProducerId: z.string().max(64).optional(),
    /** Default `intercom:<deviceId>`. */
    room: callRoomSchema,
  })
  .strict();
/** Accept an inbound call that is ringing (the console picked up). */
export const answerCallSchema = z.object({ consoleProducerId: z.string().max(64).optional(), room: callRoomSchema }).strict();
export const callInfoSchema = z.object({
  callId: z.string(),
  state: z.enum(['ringing', 'answered', 'ended']),
  deviceId: z.string().optional(),
  direction: z.enum(['outbound', 'inbound']).optional(),
  /** SFU room of the call and the producer of the intercom's voice (once answered). */
  room: z.string().optional(),
  producerId: z.string().optional(),
  reason: z.string().optional(),
});
export type CallInfo = z.infer<typeof callInfoSchema>;

/** Serial device commands (audio processors, matrix switchers; PTZ goes through `ptz`). */
export const serialCommandSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('mute'), channel: z.number().int().min(1).max(64), muted: z.boolean() }).strict(),
  z.object({ action: z.literal('gain'), channel: z.number().int().min(1).max(64), gainDb: z.number().min(-100).max(24) }).strict(),
  z.object({ action: z.literal('route'), input: z.number().int().min(1).max(256), output: z.number().int().min(1).max(256) }).strict(),
  z.object({ action: z.literal('queryRoutes') }).strict(),
]);
export type SerialCommand = z.infer<typeof serialCommandSchema>;

const empty = z.object({}).strict();
const deviceParams = z.object({ deviceId: bridgeDeviceIdSchema });

/** Every control route. `params` are the `:name` parts of `path`. */
export const bridgeCommandRoutes = {
  listDevices: {
    method: 'GET',
    path: '/api/v1/devices',
    params: empty,
    body: empty,
    response: z.object({ devices: z.array(bridgeDeviceSchema) }),
  },
  provisionDevice: {
    method: 'PUT',
    path: '/api/v1/devices/:deviceId',
    params: deviceParams,
    body: provisionDeviceSchema,
    response: bridgeDeviceSchema,
  },
  removeDevice: { method: 'DELETE', path: '/api/v1/devices/:deviceId', params: deviceParams, body: empty, response: empty },
  queryDevice: {
    method: 'POST',
    path: '/api/v1/devices/:deviceId/query',
    params: deviceParams,
    body: deviceQuerySchema,
    response: z.object({ sn: z.number().int() }),
  },
  queryRecords: {
    method: 'POST',
    path: '/api/v1/records/query',
    params: empty,
    body: recordInfoQuerySchema,
    response: z.object({ records: z.array(recordSegmentSchema), complete: z.boolean() }),
  },
  startStream: { method: 'POST', path: '/api/v1/streams', params: empty, body: startStreamSchema, response: streamInfoSchema },
  leaveStream: {
    method: 'DELETE',
    path: '/api/v1/streams/:streamId/viewers/:viewerId',
    params: z.object({ streamId: z.string().min(1).max(128), viewerId: z.string().min(1).max(128) }),
    body: empty,
    response: streamInfoSchema,
  },
  listStreams: {
    method: 'GET',
    path: '/api/v1/streams',
    params: empty,
    body: empty,
    response: z.object({ streams: z.array(bridgeStreamSchema) }),
  },
  dropViewers: { method: 'POST', path: '/api/v1/viewers/drop', params: empty, body: dropViewersSchema, response: droppedViewersSchema },
  playbackControl: {
    method: 'POST',
    path: '/api/v1/streams/:streamId/playback',
    params: z.object({ streamId: z.string().min(1).max(128) }),
    body: playbackControlSchema,
    response: streamInfoSchema,
  },
  ptz: { method: 'POST', path: '/api/v1/ptz', params: empty, body: ptzRequestSchema, response: empty },
  startCall: { method: 'POST', path: '/api/v1/calls', params: empty, body: startCallSchema, response: callInfoSchema },
  listCalls: { method: 'GET', path: '/api/v1/calls', params: empty, body: empty, response: z.object({ calls: z.array(callInfoSchema) }) },
  answerCall: {
    method: 'POST',
    path: '/api/v1/calls/:callId/answer',
    params: z.object({ callId: z.string().min(1).max(128) }),
    body: answerCallSchema,
    response: callInfoSchema,
  },
  hangUp: {
    method: 'DELETE',
    path: '/api/v1/calls/:callId',
    params: z.object({ callId: z.string().min(1).max(128) }),
    body: empty,
    response: callInfoSchema,
  },
  serialCommand: {
    method: 'POST',
    path: '/api/v1/serial/:deviceId',
    params: deviceParams,
    body: serialCommandSchema,
    response: z.object({ routes: z.record(z.string(), z.number().int()).optional() }),
  },
} as const;
export type BridgeCommandName = keyof typeof bridgeCommandRoutes;
export type BridgeCommandBody<N extends BridgeCommandName> = z.infer<(typeof bridgeCommandRoutes)[N]['body']>;
export type BridgeCommandResponse<N extends BridgeCommandName> = z.infer<(typeof bridgeCommandRoutes)[N]['response']>;
