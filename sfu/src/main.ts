/** SFU service entry: mediasoup workers, rooms and the signalling WebSocket (`/ws`). */
import { WebSocketServer } from 'ws';
import { SFU_MAX_MESSAGE_BYTES, ServiceName } from '@cc/protocol';
import { PRODUCT_VERSION, createHttpServer, loadJoinTokenKey, runService } from '@cc/runtime';
import { sfuConfigSchema } from './config.js';
import { registerIngestRoutes } from './ingest/ingest-routes.js';
import { LiveSources } from './ingest/live-sources.js';
import { HubRecords } from './records/hub-records.js';
import { Recordings } from './recording/recordings.js';
import { RoomRegistry } from './rooms/room-registry.js';
import type { SfuContext } from './signalling/context.js';
import { Session } from './signalling/session.js';
import { WorkerPool } from './workers/worker-pool.js';

await runService({
  name: ServiceName.Sfu,
  section: 'sfu',
  schema: sfuConfigSchema,
  async start({ config, logger, disposables }) {
    const settings = config.service;
    const joinKey = loadJoinTokenKey(config.shared.dataDir);
    const pool = await WorkerPool.create(settings, logger);
    disposables.add('workers', () => pool.close());
    const rooms = new RoomRegistry(pool, settings, logger);
    disposables.add('rooms', () => rooms.closeAll());
    const records = new HubRecords(settings.hubUrl, joinKey, config.shared.dataDir, logger.child({ module: 'records' }));
    disposables.add('records', () => records.close());
    const recordings = new Recordings(config.shared.dataDir, records, logger.child({ module: 'recording' }));
    disposables.add('recordings', () => recordings.close());
    const context: SfuContext = {
      settings,
      dataDir: config.shared.dataDir,
      rooms,
      joinKey,
      records,
      recordings,
      logger: logger.child({ module: 'signalling' }),
    };
    rooms.onSessionEnded = (room) => {
      const participants = [...room.memory.participants.values()];
      const first = participants.find((p) => p.role === 'leader') ?? participants[0];
      if (!first) return; // a live view without people: nothing to record
      records.send({
        kind: 'session',
        recordId: room.memory.sessionId,
        room: room.id,
        sessionId: room.memory.sessionId,
        startedAt: room.memory.startedAt.toISOString(),
        endedAt: new Date().toISOString(),
        by: { sub: first.sub, name: first.name, ...(first.court ? { court: first.court } : {}) },
        participants,
      });
    };
    const sessions = new Set<Session>();
    rooms.roomLostListeners.add((room) => {
      for (const session of sessions) if (session.roomId === room.id) session.dropForRejoin();
    });

    const app = createHttpServer({
      service: ServiceName.Sfu,
      version: PRODUCT_VERSION,
      logger,
      healthDetails: () => ({
        workers: pool.pids.length,
        workerPids: pool.pids,
        workerRestarts: pool.restarts,
        routersPerWorker: pool.routerCounts,
        rooms: rooms.count,
        sessions: sessions.size,
        liveSources: liveSources.list().length,
      }),
    });
    const liveSources = new LiveSources(rooms, settings, logger.child({ module: 'ingest' }));
    disposables.add('live sources', () => liveSources.close());
    registerIngestRoutes(app, liveSources, joinKey);
    const wss = new WebSocketServer({ noServer: true, maxPayload: SFU_MAX_MESSAGE_BYTES });
    app.server.on('upgrade', (request, socket, head) => {
      if (new URL(request.url ?? '/', 'http://x').pathname !== '/ws') {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        const session = new Session(ws, context);
        sessions.add(session);
        ws.on('close', () => sessions.delete(session));
        // A frame over the size limit (or a broken client) errors the socket: log it, never crash.
        ws.on('error', (error) => logger.warn({ err: error }, 'signalling socket error'));
      });
    });
    disposables.add('http', () => app.close());
    disposables.add('websocket', () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    });
    await app.listen({ host: settings.host, port: settings.port });
    const url = `http://${settings.host}:${settings.port}`;
    return { urls: { http: url, signalling: `ws://${settings.host}:${settings.port}/ws` } };
  },
});
