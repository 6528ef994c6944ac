/** Organisation module: courts, people, field units. */
import type { HubModule } from '../app/module.js';
import { orgsMigrations } from './migrations.js';
import { registerOrgRoutes } from './routes.js';

export const orgsModule: HubModule = {
  name: 'orgs',
  migrations: orgsMigrations,
  register: registerOrgRoutes,
};
