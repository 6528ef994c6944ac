/** Alarms and incidents: SOS and other alarms, nearest courts and units, the incident timeline. */
import type { HubModule } from '../app/module.js';
import { alarmMigrations } from './migrations.js';
import { registerAlarmRoutes } from './routes.js';

export const alarmsModule: HubModule = { name: 'alarms', migrations: alarmMigrations, register: registerAlarmRoutes };
