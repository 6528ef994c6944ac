/** Hub service entry: state and rules of the command center, REST + WebSocket, and the renderer in browser mode. */
import { ServiceName } from '@cc/protocol';
import { runService } from '@cc/runtime';
import { createHub } from './app/create-hub.js';
import { hubConfigSchema } from './config.js';
import { loadDemoIfEmpty } from './demo/load.js';

await runService({
  name: ServiceName.Hub,
  section: 'hub',
  schema: hubConfigSchema,
  async start({ config, logger, disposables }) {
    const settings = config.service;
    const { app, context } = await createHub({ settings, dataDir: config.shared.dataDir, logger, disposables });
    if (settings.demo === 'auto') await loadDemoIfEmpty(context);
    await app.listen({ host: settings.host, port: settings.port });
    const url = `http://${settings.host}:${settings.port}`;
    return { urls: { http: url, console: `${url}/#/console`, wall: `${url}/#/wall` } };
  },
});
