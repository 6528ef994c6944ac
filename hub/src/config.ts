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
  })
  .strict();
export type HubConfig = z.infer<typeof hubConfigSchema>;
