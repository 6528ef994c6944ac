/** Device bridge service entry: GB/T 28181, SIP intercoms, RTSP cameras and serial devices meet the hub and SFU here. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ServiceName } from '@cc/protocol';
import { PRODUCT_VERSION, createHttpServer, loadJoinTokenKey, runService, serviceAuthorization } from '@cc/runtime';
import { bridgeConfigSchema } from './config.js';
import { deviceHandlers } from './control/handlers.js';
import { registerControlRoutes } from './control/routes.js';
import { createGbServer } from './gb28181/server.js';
import { HubSink } from './hub/hub-sink.js';
import { createIntercomCalls } from './intercom/intercom-calls.js';
import { SfuListenerClient } from './intercom/sfu-listener.js';
import { RtspCamera } from './rtsp/rtsp-camera.js';
import { SerialDevices } from './serial/serial-devices.js';
import { RtpPortPool } from './streams/port-pool.js';
import { SfuIngestClient } from './streams/sfu-client.js';
import { StreamManager } from './streams/stream-manager.js';

await runService({
  name: ServiceName.Bridge,
  section: 'bridge',
  schema: bridgeConfigSchema,
  async start({ config, logger, disposables }) {
    const settings = config.service;
    const serviceKey = loadJoinTokenKey(config.shared.dataDir);
    let token = { value: '', until: 0 };
    const authorization = (): string => {
      if (Date.now() > token.until) token = { value: serviceAuthorization(serviceKey, ServiceName.Bridge), until: Date.now() + 120_000 };
      return token.value;
    };
    const sink = new HubSink({ hubUrl: settings.hubUrl, authorization, logger: logger.child({ module: 'hub-sink' }) });
    disposables.add('hub-sink', async () => {
      await sink.drain();
      sink.close();
    });
    const gb = await createGbServer({ ...settings, dataDir: config.shared.dataDir }, sink, logger);
    disposables.add('gb28181', () => gb.close());
    const serial = new SerialDevices(settings.serialDevices, sink, logger);
    serial.start();
    disposables.add('serial', () => serial.close());

    const sfu = new SfuIngestClient(settings.sfuUrl, authorization);
    const rtspCameras = new Map(
      settings.rtspCameras.map((c) => [c.deviceId, new RtspCamera(c, sfu, sink, logger.child({ module: 'rtsp', deviceId: c.deviceId }))]),
    );
    for (const camera of rtspCameras.values()) void camera.start();
    disposables.add('rtsp', () => Promise.all([...rtspCameras.values()].map((c) => c.close())).then(() => undefined));
    const streams = new StreamManager({
      invites: gb.invites,
      ports: new RtpPortPool(settings.sipHost, settings.rtpMinPort, settings.rtpMaxPort),
      sfu,
      rtspCameras,
      sink,
      logger: logger.child({ module: 'streams' }),
      mediaHost: settings.sipPublicHost || settings.sipHost,
      sipDomain: settings.sipDomain,
      idleMs: settings.streamIdleS * 1000,
      transportOf: (deviceId) => gb.credentials.get(deviceId)?.mediaTransport,
      mediaTimeoutMs: settings.streamMediaTimeoutS * 1000,
    });
    disposables.add('streams', () => streams.close());
    const calls = createIntercomCalls(
      {
        sip: gb.sip,
        registry: gb.registry,
        credentials: gb.credentials,
        sink,
        media: {
          pool: new RtpPortPool(settings.sipHost, settings.rtpMinPort, settings.rtpMaxPort),
          mediaHost: settings.sipPublicHost || settings.sipHost,
          sources: sfu,
          listeners: new SfuListenerClient(settings.sfuUrl, authorization),
        },
        settings: {
          sipId: settings.sipId,
          sipDomain: settings.sipDomain,
          consoleNumber: settings.intercomConsoleNumber,
          ringTimeoutS: settings.intercomRingTimeoutS,
          mediaTimeoutS: settings.intercomMediaTimeoutS,
          inviteAuth: settings.intercomInviteAuth,
        },
        logger: logger.child({ module: 'intercom' }),
      },
      gb.callHooks,
    );
    disposables.add('intercom-calls', () => calls.close());

    // Event-loop delay: the first thing to look at when SIP answers come late.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    disposables.add('loop-delay', () => {
      loopDelay.disable();
    });
    const loop = (): Record<string, number> => {
      const figures = { p50Ms: loopDelay.percentile(50) / 1e6, p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 };
      loopDelay.reset();
      return figures;
    };

    const app = createHttpServer({
      service: ServiceName.Bridge,
      version: PRODUCT_VERSION,
      logger,
      healthDetails: () => ({
        sipId: settings.sipId,
        sipPort: settings.sipPort,
        devices: gb.registry.counts(),
        messages: gb.stats,
        hub: sink.stats(),
        streams: streams.stats(),
        calls: calls.stats(),
        eventLoop: loop(),
      }),
    });
    registerControlRoutes(app, serviceKey, deviceHandlers({ ...gb, serial, streams, calls }));
    disposables.add('http', () => app.close());
    await app.listen({ host: settings.host, port: settings.port });
    return {
      urls: { http: `http://${settings.host}:${settings.port}`, sip: `sip:${settings.sipId}@${settings.sipHost}:${settings.sipPort}` },
    };
  },
});
