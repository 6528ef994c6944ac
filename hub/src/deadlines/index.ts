/**
 * Deadlines module: owns the deadline engine (one per hub) and its timer. Other modules
 * add their sources with `deadlineEngineOf(db).addSource(...)` in their register (this
 * module registers before them). Data changes announced on the event bus re-arm the timer.
 */
import { API_PREFIX } from '@cc/protocol';
import type { HubContext, HubModule } from '../app/module.js';
import type { Db } from '../store/database.js';
import { DeadlineEngine } from './engine.js';
import { nodeDeadlineSource } from './node-source.js';
import { deductionMigrations } from './retime.js';

const engines = new WeakMap<Db, DeadlineEngine>();

export function deadlineEngineOf(db: Db): DeadlineEngine {
  const engine = engines.get(db);
  if (!engine) throw new Error('deadlines module not registered');
  return engine;
}

/** Events after which something may fall due earlier than the timer is set for. */
const RESCHEDULE_ON = new Set(['cases.imported', 'case.changed', 'catalog.recompute', 'supervision.changed', 'delegation.changed']);

function register(ctx: HubContext): void {
  const engine = new DeadlineEngine(ctx, ctx.logger);
  engines.set(ctx.db, engine);
  ctx.disposables.add('deadline engine', () => engine.close());
  const unsubscribe = ctx.events.subscribe((events) => {
    if (events.some((e) => RESCHEDULE_ON.has(e.type))) engine.schedule();
  });
  ctx.disposables.add('deadline engine subscription', unsubscribe);
  engine.addSource(nodeDeadlineSource(ctx.db));

  ctx.app.get(`${API_PREFIX}/deadlines/status`, { preHandler: ctx.auth.require() }, async () => {
    const next = engine.nextAt();
    return { nextAt: next === null ? null : new Date(next).toISOString(), lastTick: engine.last ?? null };
  });
  // Runs a tick now (operations; tests against a real process with a moved clock).
  ctx.app.post(`${API_PREFIX}/deadlines/tick`, { preHandler: ctx.auth.require('admin') }, async () => engine.tick());
}

export const deadlinesModule: HubModule = { name: 'deadlines', migrations: deductionMigrations, register };
