/**
 * The hub's feature modules, in migration order. A new feature adds its module here
 * (its migrations run after those listed before it).
 */
import { alarmsModule } from '../alarms/index.js';
import { consultationsModule } from '../consultations/index.js';
import { devicesModule } from '../devices/index.js';
import { dutyModule } from '../duty/index.js';
import { orgsModule } from '../orgs/index.js';
import { catalogModule } from '../catalog/index.js';
import { casesModule } from '../cases/index.js';
import { statsModule } from '../stats/index.js';
import { deadlinesModule } from '../deadlines/index.js';
import { wallsModule } from '../walls/index.js';
import { supervisionModule } from '../supervision/index.js';
import { delegationModule } from '../delegation/index.js';
import { instructionsModule } from '../instructions/index.js';
import { demoModule } from '../demo/index.js';
import type { HubModule } from './module.js';

export const hubModules: HubModule[] = [
  orgsModule,
  alarmsModule,
  devicesModule,
  consultationsModule,
  dutyModule,
  wallsModule,
  catalogModule,
  casesModule,
  statsModule,
  deadlinesModule,
  supervisionModule,
  delegationModule,
  instructionsModule,
  demoModule,
];
