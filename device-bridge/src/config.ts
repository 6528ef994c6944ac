/** Device bridge settings (section `bridge`, env `CC_BRIDGE_*`). */
import { z } from 'zod';
import { hostSchema, portSchema } from '@cc/runtime';

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
    rtpMinPort: portSchema.default(30000),
    rtpMaxPort: portSchema.default(30999),
    hubUrl: z.url().default('http://127.0.0.1:8700'),
    sfuUrl: z.url().default('http://127.0.0.1:8701'),
  })
  .strict()
  .refine((c) => c.rtpMinPort < c.rtpMaxPort, { message: 'rtpMinPort must be below rtpMaxPort', path: ['rtpMinPort'] })
  .refine((c) => c.sipId.startsWith(c.sipDomain), { message: 'sipId must start with sipDomain', path: ['sipId'] });
export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;
