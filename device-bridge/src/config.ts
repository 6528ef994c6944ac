/** Device bridge settings (section `bridge`, env `CC_BRIDGE_*`). */
import { z } from 'zod';
import { hostSchema, portSchema } from '@cc/runtime';
import { bridgeDeviceIdSchema } from '@cc/protocol';
import { serialDeviceConfigSchema } from './serial/config.js';

export const bridgeConfigSchema = z
  .object({
    host: hostSchema.default('127.0.0.1'),
    /** Control API. */
    port: portSchema.default(8702),
    /** GB/T 28181 server ID (20 digits) and domain (its first 10 digits by convention). */
    sipId: z
      .string()
      .regex(/^\d{20}$/, 'must be 20 digits')
      .default('34020000002000000001'),
    sipDomain: z
      .string()
      .regex(/^\d{10}$/, 'must be 10 digits')
      .default('3402000000'),
    sipHost: hostSchema.default('127.0.0.1'),
    sipPort: portSchema.default(5060),
    /** Address written into Via/Contact when sipHost is a wildcard; empty: sipHost. */
    sipPublicHost: z.string().max(255).default(''),
    /** JSON file `{ devices: [{ deviceId, kind, name?, password? }] }` of provisioned devices; empty: none. */
    devicesFile: z.string().default(''),
    /** One password for any well-formed GB/T 28181 id not provisioned; empty: unknown devices are refused. */
    sharedPassword: z.string().max(128).default(''),
    /** Offer qop="auth" in the digest challenge (many cameras want none; both forms are verified). */
    digestQop: z.boolean().default(false),
    keepaliveIntervalS: z.number().int().min(5).max(3600).default(60),
    /** Missed keepalives before a device is offline. */
    keepaliveMaxMissed: z.number().int().min(1).max(20).default(3),
    /** Longest registration granted, s. */
    maxExpiresS: z.number().int().min(60).max(86_400).default(86_400),
    /** Wrong passwords or unknown ids from one source address before it is locked out. */
    authMaxFailures: z.number().int().min(1).max(1000).default(5),
    authWindowS: z.number().int().min(1).max(3600).default(60),
    authLockoutS: z.number().int().min(1).max(86_400).default(300),
    /** Ask a newly registered device for DeviceInfo and Catalog. */
    queryOnRegister: z.boolean().default(true),
    /** With queryOnRegister: SUBSCRIBE each new device to MobilePosition at this interval, s (0 = do not). */
    mobilePositionIntervalS: z.number().int().min(0).max(3600).default(5),
    /** With queryOnRegister: SUBSCRIBE each new device to Catalog changes (ADD/DEL/UPDATE/ON/OFF). */
    catalogSubscription: z.boolean().default(true),
    /** Expires asked for in Catalog and MobilePosition SUBSCRIBEs, s; refreshed at two thirds. */
    subscriptionExpiresS: z.number().int().min(10).max(86_400).default(3600),
    maxSipBodyBytes: z.number().int().min(1024).max(1_048_576).default(65_536),
    /** How long a device stream nobody watches stays up, s. */
    streamIdleS: z.number().int().min(0).max(3600).default(30),
    /** A device stream with no RTP for this long (unless paused by playback control) fails and is hung up, s. */
    streamMediaTimeoutS: z.number().int().min(2).max(600).default(15),
    /** Intercom calls: the number intercoms dial to reach the console (the bridge's sipId works too). */
    intercomConsoleNumber: bridgeDeviceIdSchema.default('8000'),
    /** How long a call rings (either direction) before it ends as no_answer, s. */
    intercomRingTimeoutS: z.number().int().min(1).max(600).default(45),
    /** An answered call whose intercom sends no RTP for this long ends (media_timeout), s. */
    intercomMediaTimeoutS: z.number().int().min(1).max(600).default(20),
    /** Digest-challenge intercoms' INVITEs with their own passwords (off only for phones that cannot answer a challenge). */
    intercomInviteAuth: z.boolean().default(true),
    /** RTSP cameras pulled by supervised ffmpeg into the SFU. */
    rtspCameras: z
      .array(
        z
          .object({
            deviceId: bridgeDeviceIdSchema,
            url: z
              .string()
              .regex(/^rtsps?:\/\//, 'must be an rtsp:// URL')
              .max(1024),
            name: z.string().max(128).optional(),
          })
          .strict(),
      )
      .max(256)
      .default([]),
    /** PTZ cameras (VISCA, Pelco-D), audio processors and matrix switchers on serial ports. */
    serialDevices: z.array(serialDeviceConfigSchema).max(256).default([]),
    rtpMinPort: portSchema.default(30000),
    rtpMaxPort: portSchema.default(30999),
    hubUrl: z.url().default('http://127.0.0.1:8700'),
    sfuUrl: z.url().default('http://127.0.0.1:8701'),
  })
  .strict()
  .refine((c) => c.rtpMinPort < c.rtpMaxPort, { message: 'rtpMinPort must be below rtpMaxPort', path: ['rtpMinPort'] })
  .refine((c) => c.sipId.startsWith(c.sipDomain), { message: 'sipId must start with sipDomain', path: ['sipId'] });
export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;
