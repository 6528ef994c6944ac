/** Cases module: enforcement cases and their flow nodes (import, reads, close, complete). */
import type { HubModule } from '../app/module.js';
import { registerCaseRoutes } from './routes.js';
import { casesMigrations } from './store.js';

export const casesModule: HubModule = { name: 'cases', migrations: casesMigrations, register: registerCaseRoutes };
