/** Duty module (值班): posts, rosters, sign-in/out, roll call of posts, handover and the duty log. */
import type { HubModule } from '../app/module.js';
import { registerHandoverRoutes } from './handovers.js';
import { dutyMigrations } from './migrations.js';
import { registerRollCallRoutes } from './roll-calls.js';
import { registerDutyRoutes } from './routes.js';

export const dutyModule: HubModule = {
  name: 'duty',
  migrations: dutyMigrations,
  register(ctx) {
    registerDutyRoutes(ctx);
    registerRollCallRoutes(ctx);
    registerHandoverRoutes(ctx);
  },
};
