/** Hub service entry: state and rules of the command center, REST + WebSocket, and the renderer in browser mode. */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import { API_PREFIX, ServiceName } from '@cc/protocol';
import { PRODUCT_VERSION, createHttpServer, runService } from '@cc/runtime';
import { hubConfigSchema } from './config.js';
import { openDatabase } from './store/database.js';
import { probeService } from './system/services-status.js';

await runService({
  name: ServiceName.Hub,
  section: 'hub',
  schema: hubConfigSchema,
  async start({ config, logger, disposables }) {
    const settings = config.service;
    const db = openDatabase(config.shared.dataDir, settings.database);
    disposables.add('database', () => {
      db.close();
    });
    const sqliteVersion = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;

    const app = createHttpServer({
      service: ServiceName.Hub,
      version: PRODUCT_VERSION,
      logger,
      healthDetails: () => ({ sqlite: sqliteVersion, database: db.name }),
    });
    disposables.add('http', () => app.close());

    app.get(`${API_PREFIX}/system/services`, async () => ({
      services: await Promise.all([probeService(ServiceName.Sfu, settings.sfuUrl), probeService(ServiceName.Bridge, settings.bridgeUrl)]),
    }));

    if (existsSync(settings.rendererDir)) {
      await app.register(fastifyStatic, { root: settings.rendererDir, prefix: '/', index: 'index.html' });
    } else {
      logger.warn({ rendererDir: settings.rendererDir }, 'renderer not built: run npm run build');
    }

    await app.listen({ host: settings.host, port: settings.port });
    const url = `http://${settings.host}:${settings.port}`;
    return { urls: { http: url, console: `${url}/#/console`, wall: `${url}/#/wall` } };
  },
});
