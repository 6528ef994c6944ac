/**
 * Assembles the hub: store + migrations, audit, events, auth, every feature module,
 * the event stream and the renderer. Used by main.ts and by tests (real SQLite file).
 */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX, ServiceName } from '@cc/protocol';
import { PRODUCT_VERSION, createHttpServer, loadJoinTokenKey, type DisposableStore, type Logger } from '@cc/runtime';
import { AuditLog, auditMigrations } from '../audit/audit-log.js';
import { registerAuditRoutes } from '../audit/routes.js';
import { Auth, authMigrations } from '../auth/auth.js';
import { registerAuthRoutes } from '../auth/routes.js';
import type { HubConfig } from '../config.js';
import { EventBus, eventMigrations } from '../events/event-bus.js';
import { registerEventStream } from '../events/stream.js';
import { openDatabase } from '../store/database.js';
import { WalCheckpointer } from '../store/checkpointer.js';
import { applyMigrations } from '../store/migrations.js';
import { probeService } from '../system/services-status.js';
import { ensureAdmin } from './bootstrap.js';
import type { HubContext, HubModule } from './module.js';
import { hubModules } from './modules.js';
import { createMutator } from './mutation.js';

export interface HubOptions {
  settings: HubConfig;
  dataDir: string;
  logger: Logger;
  disposables: DisposableStore;
  modules?: HubModule[];
  now?: () => number;
}

export async function createHub(options: HubOptions): Promise<{ app: FastifyInstance; context: HubContext }> {
  const { settings, dataDir, logger, disposables } = options;
  const now = options.now ?? Date.now;
  const modules = options.modules ?? hubModules;
  const db = openDatabase(dataDir, settings.database);
  disposables.add('database', () => {
    db.close();
  });
  // Added after the database, so closed before it (the last connection out removes the WAL).
  const checkpointer = await WalCheckpointer.start(db, logger.child({ module: 'wal-checkpointer' }));
  if (checkpointer) disposables.add('wal checkpointer', () => checkpointer.close());
  // Core tables first (people live in orgs; sessions reference them), then each feature's.
  const [orgs, ...rest] = modules;
  applyMigrations(
    db,
    [...auditMigrations, ...eventMigrations, ...(orgs?.migrations ?? []), ...authMigrations, ...rest.flatMap((m) => m.migrations)],
    logger,
  );

  const sqliteVersion = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  const app = createHttpServer({
    service: ServiceName.Hub,
    version: PRODUCT_VERSION,
    logger,
    bodyLimit: settings.bodyLimit,
    healthDetails: () => ({ sqlite: sqliteVersion, database: db.name, streamClients: stream.clients() }),
  });
  disposables.add('http', () => app.close());

  const joinKey = loadJoinTokenKey(dataDir);
  const audit = new AuditLog(db, now);
  const events = new EventBus(db, now);
  const auth = new Auth(db, joinKey, now);
  const context: HubContext = {
    app,
    db,
    events,
    audit,
    auth,
    mutate: createMutator(db, audit, events),
    logger,
    disposables,
    dataDir,
    settings,
    now,
  };

  registerAuthRoutes(context, joinKey);
  registerAuditRoutes(context);
  const stream = registerEventStream(context);
  for (const module of modules) {
    await module.register({ ...context, logger: logger.child({ module: module.name }) });
  }
  ensureAdmin(context, settings.adminPassword);

  app.get(`${API_PREFIX}/system/services`, async () => ({
    services: await Promise.all([probeService(ServiceName.Sfu, settings.sfuUrl), probeService(ServiceName.Bridge, settings.bridgeUrl)]),
  }));
  if (existsSync(settings.rendererDir)) {
    await app.register(fastifyStatic, { root: settings.rendererDir, prefix: '/', index: 'index.html' });
  } else {
    logger.warn({ rendererDir: settings.rendererDir }, 'renderer not built: run npm run build');
  }
  return { app, context };
}
