/**
 * How a feature plugs into the hub. Each feature folder (`orgs/`, `cases/`, `alarms/`, …)
 * exports one HubModule: its migrations and a `register` that adds routes, event
 * subscriptions and timers. Modules never reach into each other's tables except
 * through exported functions.
 */
import type { FastifyInstance } from 'fastify';
import type { DisposableStore, Logger } from '@cc/runtime';
import type { AuditLog } from '../audit/audit-log.js';
import type { Auth } from '../auth/auth.js';
import type { EventBus } from '../events/event-bus.js';
import type { Db } from '../store/database.js';
import type { HubConfig } from '../config.js';
import type { Mutator } from './mutation.js';

export interface Migration {
  /** Unique and stable, namespaced by module: `orgs-001`, `cases-003`. Never edit an applied one. */
  id: string;
  sql: string;
}

export interface HubContext {
  app: FastifyInstance;
  db: Db;
  events: EventBus;
  audit: AuditLog;
  auth: Auth;
  /** Runs a state change in one transaction with its audit entry and events. */
  mutate: Mutator;
  logger: Logger;
  disposables: DisposableStore;
  dataDir: string;
  /** The hub's settings (URLs of the SFU and the bridge, among others). */
  settings: HubConfig;
  /** Milliseconds since the epoch; replaceable in tests. */
  now: () => number;
}

export interface HubModule {
  name: string;
  migrations: Migration[];
  register(context: HubContext): void | Promise<void>;
}
