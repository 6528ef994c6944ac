/** `GET /healthz` answers and the launcher↔service messages over the IPC channel. */
import { z } from 'zod';

export const ServiceName = { Hub: 'hub', Sfu: 'sfu', Bridge: 'device-bridge' } as const;
export type ServiceName = (typeof ServiceName)[keyof typeof ServiceName];
export const serviceNameSchema = z.enum(['hub', 'sfu', 'device-bridge']);

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  service: serviceNameSchema,
  version: z.string(),
  pid: z.number().int(),
  uptimeS: z.number(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type Health = z.infer<typeof healthSchema>;

/** A service tells its supervisor it is listening, and where. */
export const serviceReadySchema = z.object({
  type: z.literal('service.ready'),
  service: serviceNameSchema,
  urls: z.record(z.string(), z.string()),
});
export type ServiceReady = z.infer<typeof serviceReadySchema>;

/** A service could not start because of its configuration: do not restart it. */
export const serviceConfigInvalidSchema = z.object({
  type: z.literal('service.configInvalid'),
  service: serviceNameSchema,
  problems: z.array(z.string()),
});

export const serviceMessageSchema = z.discriminatedUnion('type', [serviceReadySchema, serviceConfigInvalidSchema]);
export type ServiceMessage = z.infer<typeof serviceMessageSchema>;

/** Exit code of a service whose configuration is invalid (sysexits EX_CONFIG). */
export const EXIT_CONFIG_INVALID = 78;
