/**
 * Bridge → hub events. The bridge POSTs `{ events: BridgeEvent[] }` to
 * `${hubUrl}/api/v1/ingest/bridge` (service-authorized) and the hub answers
 * `{ accepted }`. Alarms and online/offline changes are sent at once, positions in
 * batches. Every event carries the bridge's own `eventId` (uuid, for de-duplication on
 * retry) and `at` (when the bridge saw it); text is already decoded to UTF-8.
 */
import { z } from 'zod';

/** Path on the hub, under the API prefix. */
export const BRIDGE_INGEST_PATH = '/api/v1/ingest/bridge';
/** Most events in one POST; the bridge splits larger queues. */
export const BRIDGE_INGEST_MAX_EVENTS = 1000;

/** GB/T 28181 编码: 20 digits. */
export const gbIdSchema = z.string().regex(/^\d{20}$/, 'must be a 20-digit GB/T 28181 id');
/** Catalog nodes may also be regions (2/4/6/8-digit civil codes). */
export const catalogNodeIdSchema = z.string().regex(/^(\d{2}|\d{4}|\d{6}|\d{8}|\d{20})$/, 'must be a GB/T 28181 id or civil code');
/** Any device the bridge knows: a GB id, an intercom's SIP user, an RTSP camera or serial device name. */
export const bridgeDeviceIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ . -');

export const BridgeDeviceKind = {
  /** GB/T 28181 device: IPC, NVR, body camera (执法记录仪), field unit (单兵). */
  Gb28181: 'gb28181',
  /** SIP intercom terminal (对讲). */
  Intercom: 'intercom',
  RtspCamera: 'rtsp_camera',
  Serial: 'serial',
} as const;
export type BridgeDeviceKind = (typeof BridgeDeviceKind)[keyof typeof BridgeDeviceKind];
export const deviceKindSchema = z.enum(['gb28181', 'intercom', 'rtsp_camera', 'serial']);

export const DeviceOfflineReason = {
  /** No keepalive within the timeout (3 missed by default). */
  KeepaliveTimeout: 'keepalive_timeout',
  /** REGISTER with Expires: 0. */
  Unregistered: 'unregistered',
  /** The registration expired without a refresh. */
  RegistrationExpired: 'registration_expired',
  /** Serial port gone or the device stopped answering. */
  PortLost: 'port_lost',
  /** RTSP pull failed. */
  StreamFailed: 'stream_failed',
  /** The bridge is shutting down. */
  BridgeShutdown: 'bridge_shutdown',
} as const;
export type DeviceOfflineReason = (typeof DeviceOfflineReason)[keyof typeof DeviceOfflineReason];
export const offlineReasonSchema = z.enum([
  'keepalive_timeout',
  'unregistered',
  'registration_expired',
  'port_lost',
  'stream_failed',
  'bridge_shutdown',
]);

export const geoPositionSchema = z.object({
  /** WGS-84 degrees. */
  longitude: z.number().min(-180).max(180),
  latitude: z.number().min(-90).max(90),
});
export type GeoPosition = z.infer<typeof geoPositionSchema>;

const text = (max: number) => z.string().max(max);
const isoTime = z.iso.datetime({ offset: true });

const base = {
  eventId: z.uuid(),
  /** When the bridge saw it (ISO 8601 with offset). */
  at: isoTime,
};

/** A device registered (or refreshed after an expiry) with valid credentials. */
export const deviceRegisteredEventSchema = z.object({
  ...base,
  type: z.literal('device.registered'),
  deviceId: bridgeDeviceIdSchema,
  kind: deviceKindSchema,
  transport: z.enum(['udp', 'tcp']),
  address: text(64),
  port: z.number().int().min(1).max(65535),
  expiresS: z.number().int().nonnegative(),
  userAgent: text(256).optional(),
});

/** A device became reachable (registered, keepalive after offline, serial port back, RTSP streaming). */
export const deviceOnlineEventSchema = z.object({
  ...base,
  type: z.literal('device.online'),
  deviceId: bridgeDeviceIdSchema,
  kind: deviceKindSchema,
});

export const deviceOfflineEventSchema = z.object({
  ...base,
  type: z.literal('device.offline'),
  deviceId: bridgeDeviceIdSchema,
  kind: deviceKindSchema,
  reason: offlineReasonSchema,
});

export const catalogChannelSchema = z.object({
  channelId: catalogNodeIdSchema,
  name: text(256),
  manufacturer: text(128).optional(),
  model: text(128).optional(),
  owner: text(128).optional(),
  civilCode: text(32).optional(),
  address: text(256).optional(),
  /** Parent node (device, region or group); absent for the root. */
  parentId: catalogNodeIdSchema.optional(),
  /** Has children (Parental = 1). */
  parental: z.boolean(),
  status: z.enum(['on', 'off', 'unknown']),
  position: geoPositionSchema.optional(),
  /** 1 球机, 2 半球, 3 固定枪机, 4 遥控枪机 … (Info/PTZType). */
  ptzType: z.number().int().min(0).max(15).optional(),
  /** Catalog notification change: ON, OFF, VLOST, DEFECT, ADD, DEL, UPDATE. */
  change: z.enum(['ON', 'OFF', 'VLOST', 'DEFECT', 'ADD', 'DEL', 'UPDATE']).optional(),
});
export type CatalogChannel = z.infer<typeof catalogChannelSchema>;

/**
 * The channel tree of a device. `complete` true: the whole tree (a full Catalog
 * answer, all SumNum parts merged) replaces the stored one; false: changes only
 * (a Catalog notification, or a partial answer cut off by the timeout).
 */
export const deviceCatalogEventSchema = z.object({
  ...base,
  type: z.literal('device.catalog'),
  deviceId: gbIdSchema,
  complete: z.boolean(),
  sumNum: z.number().int().nonnegative(),
  channels: z.array(catalogChannelSchema).max(10_000),
});

export const deviceInfoEventSchema = z.object({
  ...base,
  type: z.literal('device.info'),
  deviceId: gbIdSchema,
  name: text(256).optional(),
  manufacturer: text(128).optional(),
  model: text(128).optional(),
  firmware: text(128).optional(),
  channelCount: z.number().int().nonnegative().optional(),
});

export const deviceStatusEventSchema = z.object({
  ...base,
  type: z.literal('device.status'),
  deviceId: gbIdSchema,
  online: z.boolean(),
  /** Status OK (false: the device reports a fault). */
  ok: z.boolean(),
  encode: z.boolean().optional(),
  record: z.boolean().optional(),
  /** The device's own clock, as sent (local time, no zone). */
  deviceTime: text(32).optional(),
  alarmStatus: z
    .array(z.object({ channelId: catalogNodeIdSchema, duty: z.enum(['ONDUTY', 'OFFDUTY', 'ALARM']) }))
    .max(1000)
    .default([]),
});

/** Alarm method (报警方式): 1 电话 2 设备 3 短信 4 GPS 5 视频 6 设备故障 7 其他. */
export const alarmMethodSchema = z.number().int().min(1).max(7);

/** 报警: an SOS button or any device alarm. The hub must persist it first. */
export const alarmEventSchema = z.object({
  ...base,
  type: z.literal('alarm'),
  deviceId: gbIdSchema,
  /** The channel (or alarm input) that raised it; the device id for single-channel devices. */
  channelId: gbIdSchema,
  /** 1 一级 (highest) … 4 四级. */
  priority: z.number().int().min(1).max(4),
  method: alarmMethodSchema,
  /** AlarmType within the method (see the GB28181 reference), when sent. */
  alarmType: z.number().int().min(0).max(999).optional(),
  /** AlarmTime as the device sent it (local time, no zone), when present. */
  deviceTime: text(32).optional(),
  description: text(1024).optional(),
  position: geoPositionSchema.optional(),
  /** The device's SN, for the record. */
  sn: z.number().int().nonnegative(),
});

export const mobilePositionSchema = z.object({
  deviceId: gbIdSchema,
  /** Time as sent by the device (local, no zone), or the bridge's receive time when missing. */
  time: text(32),
  longitude: z.number().min(-180).max(180),
  latitude: z.number().min(-90).max(90),
  speedKmh: z.number().min(0).max(2000).optional(),
  /** Degrees clockwise from north. */
  directionDeg: z.number().min(0).max(360).optional(),
  altitudeM: z.number().min(-1000).max(100_000).optional(),
});
export type MobilePosition = z.infer<typeof mobilePositionSchema>;

/** Positions of field units, batched (the bridge flushes about once a second). */
export const positionsEventSchema = z.object({
  ...base,
  type: z.literal('positions'),
  positions: z.array(mobilePositionSchema).min(1).max(20_000),
});

export const IntercomCallState = { Ringing: 'ringing', Answered: 'answered', Ended: 'ended' } as const;
export type IntercomCallState = (typeof IntercomCallState)[keyof typeof IntercomCallState];

/** 对讲: a call between the console and an intercom. */
export const callStateEventSchema = z.object({
  ...base,
  type: z.literal('call.state'),
  callId: z.string().min(1).max(128),
  deviceId: bridgeDeviceIdSchema,
  /** outbound: the console called the intercom; inbound: the intercom called the console. */
  direction: z.enum(['outbound', 'inbound']),
  state: z.enum(['ringing', 'answered', 'ended']),
  /**
   * Why it ended: hangup (BYE or DELETE), busy (486/600), declined (603, or the console
   * refused a ringing call), no_answer (ring timeout), failed (error, bad SDP answer),
   * cancelled (the intercom gave up while ringing), media_timeout (no RTP from the intercom),
   * unregistered (the intercom unregistered), bridge_shutdown.
   */
  reason: z
    .enum(['hangup', 'busy', 'declined', 'no_answer', 'failed', 'cancelled', 'media_timeout', 'unregistered', 'bridge_shutdown'])
    .optional(),
  /** Who ended it (with reason hangup): the console (DELETE) or the device (BYE). */
  by: z.enum(['console', 'device', 'bridge']).optional(),
  /** Human-readable detail for failures (SIP status, SDP problem). */
  detail: text(256).optional(),
  /** SFU room of the call: the intercom's voice is produced there, the console's voice is taken from there. */
  room: z.string().max(128).optional(),
  /** SFU producer of the intercom's voice once answered. */
  producerId: z.string().max(64).optional(),
});

/** A device video stream into the SFU (live view or playback). */
export const streamStateEventSchema = z.object({
  ...base,
  type: z.literal('stream.state'),
  streamId: z.string().min(1).max(128),
  deviceId: bridgeDeviceIdSchema,
  channelId: bridgeDeviceIdSchema,
  /** `ended`: a playback reached the end of the recording (device MediaStatus 121). */
  state: z.enum(['starting', 'live', 'stopped', 'failed', 'ended']),
  producerId: z.string().max(64).optional(),
  reason: text(256).optional(),
});

/** Supervised RTSP pull (ffmpeg/GStreamer child). */
export const rtspStatusEventSchema = z.object({
  ...base,
  type: z.literal('rtsp.status'),
  deviceId: bridgeDeviceIdSchema,
  state: z.enum(['connecting', 'streaming', 'failed', 'stopped']),
  restarts: z.number().int().nonnegative(),
  error: text(512).optional(),
});

/** A serial device (PTZ, audio processor, matrix switcher): online and its last readings. */
export const serialStatusEventSchema = z.object({
  ...base,
  type: z.literal('serial.status'),
  deviceId: bridgeDeviceIdSchema,
  driver: z.enum(['visca', 'pelco_d', 'audio_processor', 'matrix']),
  port: text(256),
  online: z.boolean(),
  error: text(512).optional(),
  /** Audio processor level meters, dBFS per channel. */
  levels: z.record(z.string(), z.number()).optional(),
  /** Matrix routes output → input. */
  routes: z.record(z.string(), z.number().int()).optional(),
});

export const bridgeEventSchema = z.discriminatedUnion('type', [
  deviceRegisteredEventSchema,
  deviceOnlineEventSchema,
  deviceOfflineEventSchema,
  deviceCatalogEventSchema,
  deviceInfoEventSchema,
  deviceStatusEventSchema,
  alarmEventSchema,
  positionsEventSchema,
  callStateEventSchema,
  streamStateEventSchema,
  rtspStatusEventSchema,
  serialStatusEventSchema,
]);
export type BridgeEvent = z.infer<typeof bridgeEventSchema>;
export type BridgeEventType = BridgeEvent['type'];
export type BridgeEventOf<T extends BridgeEventType> = Extract<BridgeEvent, { type: T }>;

export const bridgeIngestRequestSchema = z.object({ events: z.array(bridgeEventSchema).min(1).max(BRIDGE_INGEST_MAX_EVENTS) }).strict();
export type BridgeIngestRequest = z.infer<typeof bridgeIngestRequestSchema>;

/** `accepted` counts new events; duplicates (known eventId) are acknowledged but not counted. */
export const bridgeIngestResponseSchema = z.object({ accepted: z.number().int().nonnegative() });
export type BridgeIngestResponse = z.infer<typeof bridgeIngestResponseSchema>;
