/** Hub settings (section `hub`, env `CC_HUB_*`). */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { hostSchema, portSchema } from '@cc/runtime';

const defaultRendererDir = fileURLToPath(new URL('../../desktop/dist/renderer', import.meta.url));

export const hubConfigSchema = z
  .object({
    host: hostSchema.default('127.0.0.1'),
    port: portSchema.default(8700),
    /** SQLite file, relative to the data directory unless absolute. */
    database: z.string().min(1).default('hub.sqlite'),
    /** Built renderer served to browsers (browser mode) and Chromium windows. */
    rendererDir: z.string().min(1).default(defaultRendererDir),
    sfuUrl: z.url().default('http://127.0.0.1:8701'),
    bridgeUrl: z.url().default('http://127.0.0.1:8702'),
    /** Load the demo dataset when the store is empty ('auto') or never ('off'). */
    demo: z.enum(['auto', 'off']).default('auto'),
    /** Password of the first `admin` account; generated into the data directory when unset. */
    adminPassword: z.string().min(8).optional(),
    /** Largest request body accepted (bytes); bulk imports stream in pages of this size. */
    bodyLimit: z
      .number()
      .int()
      .min(1024)
      .max(512 * 1024 * 1024)
      .default(32 * 1024 * 1024),
  })
  .strict();
export type HubConfig = z.infer<typeof hubConfigSchema>;
