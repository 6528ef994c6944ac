/** Devices as the bridge reports them, and the bridge's event ingest. */
import type { HubModule } from '../app/module.js';
import { registerBridgeIngest } from './ingest.js';
import { deviceMigrations } from './migrations.js';
import { registerDeviceRoutes } from './routes.js';

export const devicesModule: HubModule = {
  name: 'devices',
  migrations: deviceMigrations,
  register(ctx) {
    registerDeviceRoutes(ctx);
    registerBridgeIngest(ctx);
  },
};
