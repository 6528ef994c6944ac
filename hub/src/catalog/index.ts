/**
 * Node catalog module: node types with category and deadline rule. Seeds the documented
 * default catalog on first start; admins edit it through `/api/v1/catalog/node-types`.
 * A changed rule or (de)activation re-times the type's open nodes (catalog/recompute.ts).
 */
import {
  API_PREFIX,
  ErrorCode,
  ProtocolError,
  calendarDayPutSchema,
  calendarQuerySchema,
  isDateInput,
  nodeTypePutSchema,
  nodeTypeCodeSchema,
} from '@cc/protocol';
import type { FastifyRequest } from 'fastify';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import type { HubContext, HubModule } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf } from '../auth/auth.js';
import { chinaDay, parseDateInput, type HolidayCalendar } from '../deadlines/calendar.js';
import { calendarMigrations, calendarOf, invalidateCalendar, listCalendar } from './calendar.js';
import { defaultCatalog } from './default-catalog.js';
import { needsRecompute, recomputeCalendar, recomputeType } from './recompute.js';
import { catalogMigrations, catalogOf, invalidateCatalog, putNodeType, setEnglishName, typesWithoutEnglishName } from './repository.js';

function seedDefaults(ctx: HubContext): void {
  const { n } = ctx.db.prepare('SELECT COUNT(*) AS n FROM node_types').get() as { n: number };
  if (n > 0) {
    upgradeEnglishNames(ctx);
    upgradeDeductions(ctx);
    return;
  }
  ctx.mutate(SYSTEM_ACTOR, 'catalog.seed', () => {
    for (const type of defaultCatalog) putNodeType(ctx.db, type);
    return { value: undefined, target: 'catalog', after: { nodeTypes: defaultCatalog.length } };
  });
  invalidateCatalog(ctx.db);
}

/**
 * Stores seeded before English names existed get the default type's English name, where the
 * Chinese name is still the default's (a renamed type keeps none: the console shows its Chinese name).
 */
function upgradeEnglishNames(ctx: HubContext): void {
  const defaults = new Map(defaultCatalog.map((t) => [t.code, t]));
  const missing = typesWithoutEnglishName(ctx.db).filter((t) => defaults.get(t.code)?.name === t.name);
  if (missing.length === 0) return;
  ctx.mutate(SYSTEM_ACTOR, 'catalog.upgrade', () => {
    for (const t of missing) setEnglishName(ctx.db, t.code, defaults.get(t.code)!.nameEn);
    return { value: undefined, target: 'catalog', after: { nameEn: missing.map((t) => t.code) } };
  });
  invalidateCatalog(ctx.db);
}

/** Stores seeded before deduction periods existed get the default catalog's `deductedBy` (where unset). */
function upgradeDeductions(ctx: HubContext): void {
  const stored = catalogOf(ctx.db);
  const missing = defaultCatalog.filter((t) => {
    const rule = stored.get(t.code)?.rule;
    return rule !== undefined && rule.deductedBy === undefined && t.rule.deductedBy !== undefined;
  });
  if (missing.length === 0) return;
  ctx.mutate(SYSTEM_ACTOR, 'catalog.upgrade', () => {
    for (const t of missing) {
      const current = stored.get(t.code)!;
      putNodeType(ctx.db, { ...current, rule: { ...current.rule, deductedBy: t.rule.deductedBy ?? [] } });
    }
    return { value: undefined, target: 'catalog', after: { deductedBy: missing.map((t) => t.code) } };
  });
  invalidateCatalog(ctx.db);
}

function register(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  seedDefaults(ctx);
  app.get(`${API_PREFIX}/catalog/node-types`, { preHandler: auth.require() }, async () => ({
    nodeTypes: [...catalogOf(db).values()],
  }));
  app.get(`${API_PREFIX}/catalog/node-types/:code`, { preHandler: auth.require() }, async (request) => {
    const code = (request.params as { code: string }).code;
    const type = catalogOf(db).get(code);
    if (!type) throw notFound('nodeType', code);
    return type;
  });
  app.put(`${API_PREFIX}/catalog/node-types/:code`, { preHandler: auth.require('admin') }, async (request) => {
    const code = parse(nodeTypeCodeSchema, (request.params as { code: string }).code);
    const body = parse(nodeTypePutSchema, request.body);
    const before = catalogOf(db).get(code);
    const after = { code, ...body };
    const actor = actorOf(request);
    try {
      ctx.mutate(actor, before ? 'catalog.update' : 'catalog.create', ({ emit }) => {
        putNodeType(db, after);
        emit({ type: 'catalog.changed', data: { code } });
        return { value: after, target: `node-type:${code}`, before, after };
      });
    } finally {
      invalidateCatalog(db);
    }
    // Open nodes of the type follow the new rule (in slices; the response waits for the count).
    const recomputed = before && needsRecompute(before, after) ? await recomputeType(ctx, actor, before, after) : { nodes: 0, moved: 0 };
    return { ...after, recomputed };
  });
}

/** `/api/v1/catalog/calendar`: statutory holidays and working weekend days the rules count with. */
function registerCalendarRoutes(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  const dateParam = (params: unknown): string => {
    const date = (params as { date: string }).date;
    if (date.length !== 10 || !isDateInput(date)) throw new ProtocolError(ErrorCode.ValidationFailed, { date: 'expected YYYY-MM-DD' });
    return date;
  };
  app.get(`${API_PREFIX}/catalog/calendar`, { preHandler: auth.require() }, async (request) => {
    const { year } = parse(calendarQuerySchema, request.query);
    return { days: listCalendar(db, year ?? null) };
  });
  const stored = (date: string): { kind: string; name: string } | null =>
    (db.prepare('SELECT kind, name FROM calendar_days WHERE date = ?').get(date) as { kind: string; name: string } | undefined) ?? null;
  /** Open nodes whose clock runs over the changed day follow the new calendar. */
  const retime = (request: FastifyRequest, date: string, before: HolidayCalendar, was: unknown, now: unknown) =>
    recomputeCalendar(
      ctx,
      actorOf(request),
      { before, after: calendarOf(db) },
      { date, start: parseDateInput(date), before: was, after: now },
    );
  app.put(`${API_PREFIX}/catalog/calendar/:date`, { preHandler: auth.require('admin') }, async (request) => {
    const date = dateParam(request.params);
    const body = parse(calendarDayPutSchema, request.body);
    const was = stored(date);
    const before = calendarOf(db);
    try {
      ctx.mutate(actorOf(request), 'calendar.put', () => {
        db.prepare(
          `INSERT INTO calendar_days (day, date, kind, name) VALUES (?, ?, ?, ?)
           ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, name = excluded.name`,
        ).run(chinaDay(parseDateInput(date)), date, body.kind, body.name);
        return { value: undefined, target: `calendar:${date}`, before: was, after: body };
      });
    } finally {
      invalidateCalendar(db);
    }
    const recomputed = was?.kind === body.kind ? { nodes: 0, moved: 0 } : await retime(request, date, before, was, body);
    return { date, ...body, recomputed };
  });
  app.delete(`${API_PREFIX}/catalog/calendar/:date`, { preHandler: auth.require('admin') }, async (request) => {
    const date = dateParam(request.params);
    const was = stored(date);
    const before = calendarOf(db);
    try {
      ctx.mutate(actorOf(request), 'calendar.delete', () => {
        const removed = db.prepare('DELETE FROM calendar_days WHERE date = ?').run(date).changes;
        if (removed === 0) throw notFound('calendarDay', date);
        return { value: undefined, target: `calendar:${date}`, before: was };
      });
    } finally {
      invalidateCalendar(db);
    }
    return { date, removed: true, recomputed: await retime(request, date, before, was, null) };
  });
}

export const catalogModule: HubModule = {
  name: 'catalog',
  migrations: [...catalogMigrations, ...calendarMigrations],
  register: (ctx) => {
    register(ctx);
    registerCalendarRoutes(ctx);
  },
};
