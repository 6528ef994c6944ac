/**
 * Hub device APIs for the console and the setup tool: devices provisioned through the hub
 * (pushed to the bridge), live views of device channels (调阅视频), PTZ, and intercom calls (对讲).
 * The hub relays each to the bridge's control API (`bridgeCommandRoutes`).
 */
import { z } from 'zod';
import { bridgeDeviceIdSchema, gbIdSchema } from '../bridge/events.js';
import { playbackControlSchema, ptzCommandSchema, recordSegmentSchema } from '../bridge/commands.js';
import { courtCodeSchema } from './orgs.js';

export const DEVICE_PROVISIONING_PATH = '/api/v1/provisioned-devices';
export const LIVE_VIEWS_PATH = '/api/v1/live-views';
export const CALLS_PATH = '/api/v1/calls';

/** Local time `yyyy-MM-ddTHH:mm:ss`, as GB/T 28181 devices (and their recorders) use it. */
export const deviceLocalTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, 'must be yyyy-MM-ddTHH:mm:ss');
export const mediaTransportSchema = z.enum(['udp', 'tcp_passive', 'tcp_active']);

/** A device set up through the hub: a GB28181 camera/body camera (20-digit id) or an intercom (SIP user). */
export const provisionedDeviceInputSchema = z
  .object({
    kind: z.enum(['gb28181', 'intercom']),
    name: z.string().min(1).max(128),
    court: courtCodeSchema.nullable().default(null),
    unitId: z.string().min(1).max(64).nullable().default(null),
    /** Digest password; omitted on an update keeps the stored one, `null` removes it (the bridge's shared password applies). */
    password: z.string().min(4).max(128).nullable().optional(),
    /** How the device's video reaches the bridge (default UDP). */
    mediaTransport: mediaTransportSchema.nullable().default(null),
  })
  .strict();
export type ProvisionedDeviceInput = z.input<typeof provisionedDeviceInputSchema>;

/** A provisioned device as the API returns it: never the password, only whether one is set. */
export const provisionedDeviceSchema = z.object({
  id: bridgeDeviceIdSchema,
  kind: z.enum(['gb28181', 'intercom']),
  name: z.string(),
  court: z.string().nullable(),
  unitId: z.string().nullable(),
  hasPassword: z.boolean(),
  mediaTransport: z.enum(['udp', 'tcp_passive', 'tcp_active']).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When the bridge last accepted it (null: not yet, e.g. the bridge was down; pushed again when it is up). */
  pushedAt: z.string().nullable(),
});
export type ProvisionedDevice = z.infer<typeof provisionedDeviceSchema>;

/**
 * Open a live view of a device channel (the channel defaults to the device itself), or with
 * `mode: 'playback'` a recording of it (录像回放) from `startTime` to `endTime`.
 */
export const liveViewRequestSchema = z
  .object({
    deviceId: bridgeDeviceIdSchema,
    channelId: bridgeDeviceIdSchema.optional(),
    /** The incident this view belongs to: the view is logged on its timeline. */
    incidentId: z.string().min(1).max(64).optional(),
    /** How the video reaches the bridge for this view (absent: the device's provisioned `mediaTransport`, else UDP). */
    transport: mediaTransportSchema.optional(),
    mode: z.enum(['live', 'playback']).default('live'),
    startTime: deviceLocalTimeSchema.optional(),
    endTime: deviceLocalTimeSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.mode === 'live' && (v.startTime || v.endTime))
      ctx.addIssue({ code: 'custom', path: ['startTime'], message: 'a time range needs mode playback' });
    if (v.mode === 'playback' && (!v.startTime || !v.endTime))
      ctx.addIssue({ code: 'custom', path: ['startTime'], message: 'playback needs startTime and endTime' });
    if (v.startTime && v.endTime && !(v.endTime > v.startTime))
      ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'endTime must be after startTime' });
  });
export type LiveViewRequest = z.input<typeof liveViewRequestSchema>;

/** Recordings of a device channel (RecordInfo) in a time range, local time. */
export const deviceRecordsQuerySchema = z
  .object({
    channelId: bridgeDeviceIdSchema.optional(),
    startTime: deviceLocalTimeSchema,
    endTime: deviceLocalTimeSchema,
    type: z.enum(['all', 'time', 'alarm', 'manual']).default('all'),
  })
  .strict()
  .refine((v) => v.endTime > v.startTime, { path: ['endTime'], message: 'endTime must be after startTime' });
export type DeviceRecordsQuery = z.input<typeof deviceRecordsQuerySchema>;
export const deviceRecordsSchema = z.object({
  records: z.array(recordSegmentSchema),
  /** False: the recorder did not send all parts in time (a partial list). */
  complete: z.boolean(),
});
export type DeviceRecords = z.infer<typeof deviceRecordsSchema>;

/** Pause, resume, seek (s from the view's startTime) or speed of a playback view. */
export const livePlaybackControlSchema = playbackControlSchema;
export type LivePlaybackControl = z.infer<typeof livePlaybackControlSchema>;

/** What the console needs to watch: the SFU room, a join token for it and the producer to consume. */
export const liveViewSchema = z.object({
  viewId: z.string(),
  deviceId: z.string(),
  /** The provisioned name, when the device was set up through the hub. */
  deviceName: z.string().optional(),
  channelId: z.string(),
  streamId: z.string(),
  /** `ended`: a playback reached the end of the recording. */
  state: z.enum(['starting', 'live', 'stopped', 'failed', 'ended']),
  /** `playback`: a recording, controlled with `POST …/:viewId/playback`. */
  mode: z.enum(['live', 'playback']).optional(),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  room: z.string(),
  videoProducerId: z.string().optional(),
  audioProducerId: z.string().optional(),
  /** `ws://host:8701/ws` */
  sfuUrl: z.string(),
  token: z.string(),
  expiresAt: z.string(),
  /** GB28181 channel PTZType (1 dome, 2 half-dome, 3 fixed, 4 remote-controlled); absent when unknown. */
  ptzType: z.number().int().optional(),
});
export type LiveView = z.infer<typeof liveViewSchema>;

/** PTZ on a device channel (hold to move: `move`, release: `stop`). */
export const devicePtzRequestSchema = z.object({ channelId: bridgeDeviceIdSchema.optional(), command: ptzCommandSchema }).strict();
export type DevicePtzRequest = z.input<typeof devicePtzRequestSchema>;

/** The SFU room the console's microphone goes into for a call with this device (`intercomRoomId`). */
export const callMediaRequestSchema = z.object({ deviceId: bridgeDeviceIdSchema }).strict();
export const callMediaSchema = z.object({
  room: z.string(),
  /** The device called: the intercom of the asked device's field unit when the asked one is not an intercom. */
  deviceId: z.string(),
  sfuUrl: z.string(),
  token: z.string(),
  expiresAt: z.string(),
});
export type CallMedia = z.infer<typeof callMediaSchema>;

/** Call an intercom, or the intercom of the asked device's field unit; the console's voice is `consoleProducerId` on the SFU. */
export const callStartRequestSchema = z
  .object({
    deviceId: bridgeDeviceIdSchema,
    consoleProducerId: z.string().min(1).max(64).optional(),
    incidentId: z.string().min(1).max(64).optional(),
  })
  .strict();
export type CallStartRequest = z.infer<typeof callStartRequestSchema>;

/** Answer an inbound call (it rang in the console as `call.state` ringing, direction inbound). */
export const callAnswerRequestSchema = z
  .object({
    consoleProducerId: z.string().min(1).max(64).optional(),
    /** The incident the call is about (its timeline gets the answered / ended entries). */
    incidentId: z.string().min(1).max(64).optional(),
  })
  .strict();

export const callSchema = z.object({
  callId: z.string(),
  deviceId: z.string(),
  /** The device's name (provisioned, else from its catalog or info), when the hub knows one. */
  deviceName: z.string().optional(),
  state: z.enum(['ringing', 'answered', 'ended']),
  /** Given in the list of calls (`GET /api/v1/calls`). */
  direction: z.enum(['outbound', 'inbound']).optional(),
  /** SFU room of the call and the producer of the intercom's voice (once answered). */
  room: z.string().optional(),
  producerId: z.string().optional(),
});
export type Call = z.infer<typeof callSchema>;

/**
 * `POST /api/v1/demo/fleet-devices` (service principal `demo-fleet` only): the demo fleet's
 * simulated GB28181 devices, provisioned in the hub like any other so the console's device
 * list and live views work on them. Devices already provisioned are kept as they are.
 */
export const DEMO_FLEET_DEVICES_PATH = '/api/v1/demo/fleet-devices';
export const demoFleetDevicesRequestSchema = z
  .object({
    devices: z
      .array(
        z
          .object({
            deviceId: gbIdSchema,
            name: z.string().min(1).max(128),
            court: courtCodeSchema,
            unitId: z.string().min(1).max(64),
            password: z.string().min(4).max(128),
          })
          .strict(),
      )
      .max(5000),
  })
  .strict();
export type DemoFleetDevicesRequest = z.infer<typeof demoFleetDevicesRequestSchema>;
export const demoFleetDevicesResponseSchema = z.object({ created: z.number().int(), kept: z.number().int() });
