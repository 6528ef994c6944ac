/** Serial devices in the bridge config (`bridge.serialDevices`). */
import { z } from 'zod';
import { bridgeDeviceIdSchema } from '@cc/protocol';
import { audioTemplateSchema, matrixTemplateSchema } from './templates.js';

export const serialDeviceConfigSchema = z
  .object({
    deviceId: bridgeDeviceIdSchema,
    driver: z.enum(['visca', 'pelco_d', 'audio_processor', 'matrix']),
    /** e.g. /dev/ttyUSB0 */
    path: z.string().min(1).max(256),
    baudRate: z.number().int().min(1200).max(921_600).default(9600),
    /** VISCA 1–7, Pelco-D 1–255. */
    address: z.number().int().min(1).max(255).default(1),
    /** Built-in template name (audio processor / matrix). */
    preset: z.string().max(64).optional(),
    audioTemplate: audioTemplateSchema.optional(),
    matrixTemplate: matrixTemplateSchema.optional(),
    pollMs: z.number().int().min(100).max(60_000).default(2000),
    /** Unanswered polls before offline. */
    maxMissed: z.number().int().min(1).max(20).default(2),
    replyTimeoutMs: z.number().int().min(50).max(10_000).default(1000),
  })
  .strict();
export type SerialDeviceConfig = z.infer<typeof serialDeviceConfigSchema>;
