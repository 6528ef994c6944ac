/**
 * Demo module: its bookkeeping table, the demo's status and the offline basemap of Beijing's
 * districts for the console map. The load itself runs after every module is registered (main.ts).
 */
import { readFileSync } from 'node:fs';
import { API_PREFIX } from '@cc/protocol';
import type { HubModule } from '../app/module.js';
import { demoMigrations } from './load.js';

const DISTRICTS_FILE = new URL('../../../assets/demo/beijing-districts.geojson', import.meta.url);

export const demoModule: HubModule = {
  name: 'demo',
  migrations: demoMigrations,
  register(ctx) {
    const anyone = ctx.auth.require();
    ctx.app.get(`${API_PREFIX}/demo/status`, { preHandler: anyone }, async () => ({
      steps: (
        ctx.db.prepare('SELECT step, done_at AS doneAt, detail FROM demo_steps ORDER BY rowid').all() as {
          step: string;
          doneAt: string;
          detail: string;
        }[]
      ).map((s) => ({ ...s, detail: JSON.parse(s.detail) as unknown })),
    }));
    // Read once: 72 KB of simplified, quantised GeoJSON (see assets/demo/LICENSES.md).
    let districts: string | undefined;
    ctx.app.get(`${API_PREFIX}/demo/districts`, { preHandler: anyone }, async (_request, reply) => {
      districts ??= readFileSync(DISTRICTS_FILE, 'utf8');
      return reply.type('application/geo+json; charset=utf-8').send(districts);
    });
  },
};
