/** Demo module: its bookkeeping table; the load itself runs after every module is registered (main.ts). */
import type { HubModule } from '../app/module.js';
import { demoMigrations } from './load.js';

export const demoModule: HubModule = { name: 'demo', migrations: demoMigrations, register: () => undefined };
