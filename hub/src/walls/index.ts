/** Walls module (大屏): walls, displays, scenes (预案), tours (轮巡), schedules, and what each wall shows now. */
import type { HubModule } from '../app/module.js';
import { startScheduleSweeper } from './activation.js';
import { wallsMigrations } from './migrations.js';
import { registerWallRoutes } from './routes.js';

export const wallsModule: HubModule = {
  name: 'walls',
  migrations: wallsMigrations,
  register(ctx) {
    registerWallRoutes(ctx);
    startScheduleSweeper(ctx);
  },
};
