/** Device bridge service entry: GB/T 28181, SIP intercoms, RTSP cameras and serial devices meet the hub and SFU here. */
import { ServiceName } from '@cc/protocol';
import { PRODUCT_VERSION, createHttpServer, runService } from '@cc/runtime';
import { bridgeConfigSchema } from './config.js';

await runService({
  name: ServiceName.Bridge,
  section: 'bridge',
  schema: bridgeConfigSchema,
  async start({ config, logger, disposables }) {
    const settings = config.service;
    const app = createHttpServer({
      service: ServiceName.Bridge,
      version: PRODUCT_VERSION,
      logger,
      healthDetails: () => ({ sipId: settings.sipId, sipPort: settings.sipPort }),
    });
    disposables.add('http', () => app.close());
    await app.listen({ host: settings.host, port: settings.port });
    return { urls: { http: `http://${settings.host}:${settings.port}` } };
  },
});
