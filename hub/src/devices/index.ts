/**
 * Devices: what the bridge reports (presence, info, channels) and its event ingest; devices
 * provisioned through the hub and pushed to the bridge; live views, PTZ and intercom calls
 * relayed to the bridge's control API.
 */
import { loadJoinTokenKey } from '@cc/runtime';
import type { HubModule } from '../app/module.js';
import { createBridgeClient, watchBridge } from '../bridge-link/index.js';
import { registerCalls } from './calls.js';
import { registerDemoFleetDevices } from './demo-fleet-devices.js';
import { registerBridgeIngest } from './ingest.js';
import { registerLiveViews } from './live-views.js';
import { registerPlayback } from './playback.js';
import { deviceMigrations } from './migrations.js';
import { DeviceProvisioning } from './provisioning.js';
import { registerDeviceRoutes } from './routes.js';
import { SecretBox } from './secret-box.js';
import { reconcileViews } from './view-reconcile.js';
import { ViewStore } from './view-store.js';

/** How often the hub looks at the bridge's health (to re-push devices after it restarts). */
const BRIDGE_POLL_MS = 3000;

export const devicesModule: HubModule = {
  name: 'devices',
  migrations: deviceMigrations,
  register(ctx) {
    const key = loadJoinTokenKey(ctx.dataDir);
    const bridge = createBridgeClient({ url: ctx.settings.bridgeUrl, key, logger: ctx.logger });
    const box = new SecretBox(key);
    const provisioning = new DeviceProvisioning(ctx, bridge, box);
    registerDeviceRoutes(ctx);
    registerBridgeIngest(ctx);
    provisioning.register();
    registerDemoFleetDevices(ctx, box);
    const views = new ViewStore(ctx.db);
    registerLiveViews(ctx, bridge, key, views);
    registerPlayback(ctx, bridge, views);
    registerCalls(ctx, bridge, key);
    const watch = watchBridge({
      url: ctx.settings.bridgeUrl,
      logger: ctx.logger,
      intervalMs: BRIDGE_POLL_MS,
      onUp: async () => {
        await provisioning.pushAll();
        await reconcileViews(bridge, views, ctx.logger.child({ module: 'live-views' }));
      },
      onHealthy: () => provisioning.pushPending(),
    });
    ctx.disposables.add('bridge watch', () => watch.close());
  },
};
