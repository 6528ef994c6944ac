/**
 * The hub's feature modules, in migration order. A new feature adds its module here
 * (its migrations run after those listed before it).
 */
import { orgsModule } from '../orgs/index.js';
import type { HubModule } from './module.js';

export const hubModules: HubModule[] = [orgsModule];
