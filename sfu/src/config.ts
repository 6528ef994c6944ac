/** SFU settings (section `sfu`, env `CC_SFU_*`). */
import { cpus } from 'node:os';
import { z } from 'zod';
import { hostSchema, portSchema } from '@cc/runtime';

export const sfuConfigSchema = z
  .object({
    host: hostSchema.default('127.0.0.1'),
    port: portSchema.default(8701),
    /** mediasoup workers; one per core by default. */
    workers: z.number().int().min(1).max(64).default(Math.max(1, cpus().length)),
    /** Address the media sockets bind to. */
    rtcListenIp: hostSchema.default('127.0.0.1'),
    /** Address announced to peers (ICE candidates); the bind address when empty. */
    rtcAnnouncedAddress: z.string().default(''),
    rtcMinPort: portSchema.default(40000),
    rtcMaxPort: portSchema.default(40999),
    workerLogLevel: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
    /** The hub, where consultation records (roll calls, recording manifests) go. */
    hubUrl: z.url().default('http://127.0.0.1:8700'),
    /** Recent speakers whose video is forwarded at the high simulcast layer in large rooms. */
    lastN: z.number().int().min(1).max(64).default(6),
    /** Consumers one router carries before a room spreads onto another worker (pipeToRouter). */
    consumersPerRouter: z.number().int().min(10).max(5000).default(600),
    /**
     * After a worker death, how long the rebuilt room keeps the per-peer state (forced mute,
     * floor, hand, focus) of a participant who has not rejoined yet; then it is dropped.
     */
    rejoinGraceMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .strict()
  .refine((c) => c.rtcMinPort < c.rtcMaxPort, { message: 'rtcMinPort must be below rtcMaxPort', path: ['rtcMinPort'] });
export type SfuConfig = z.infer<typeof sfuConfigSchema>;
