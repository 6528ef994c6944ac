/**
 * Statistics module: `/api/v1/stats` (figures per court and in total over a period) and
 * `/api/v1/stats/ranking`. Watches the event bus for changes to cases, nodes and 督办 and
 * announces `stats.changed` (with the courts concerned) at most once per second.
 */
import { API_PREFIX, ErrorCode, ProtocolError, statsQuerySchema, statsRankingQuerySchema } from '@cc/protocol';
import type { HubContext, HubModule } from '../app/module.js';
import { parse } from '../app/parse.js';
import { courtScope, principalOf } from '../auth/auth.js';
import { statsMigrations } from './aggregates.js';
import { period, queryStats, rank } from './query.js';

const THROTTLE_MS = 1000;
const AFFECTS_STATS = /^(cases\.imported|case\.changed|node\.|supervision\.)/;

function watchChanges(ctx: HubContext): void {
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const courts = [...dirty].sort();
    dirty.clear();
    ctx.events.publish({ type: 'stats.changed', data: { courts } });
  };
  const unsubscribe = ctx.events.subscribe((events) => {
    for (const e of events) if (AFFECTS_STATS.test(e.type) && e.court) dirty.add(e.court);
    if (dirty.size > 0 && !timer) timer = setTimeout(flush, THROTTLE_MS);
  });
  ctx.disposables.add('stats watcher', () => {
    unsubscribe();
    clearTimeout(timer);
  });
}

function register(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  watchChanges(ctx);
  app.get(`${API_PREFIX}/stats`, { preHandler: auth.require() }, async (request) => {
    const q = parse(statsQuerySchema, request.query);
    const range = period(ctx.now(), q.from, q.to);
    if (range.fromDay > range.toDay) throw new ProtocolError(ErrorCode.ValidationFailed, { from: 'after to' });
    return queryStats(db, ctx.now(), range, courtScope(principalOf(request)));
  });
  app.get(`${API_PREFIX}/stats/ranking`, { preHandler: auth.require() }, async (request) => {
    const q = parse(statsRankingQuerySchema, request.query);
    const range = period(ctx.now(), q.from, q.to);
    if (range.fromDay > range.toDay) throw new ProtocolError(ErrorCode.ValidationFailed, { from: 'after to' });
    const stats = queryStats(db, ctx.now(), range, courtScope(principalOf(request)));
    return { metric: q.metric, from: range.from, to: range.to, ranking: rank(stats, q.metric, q.order, q.limit) };
  });
}

export const statsModule: HubModule = { name: 'stats', migrations: statsMigrations, register };
