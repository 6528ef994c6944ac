/** 督办 actions behind the routes: load (court-checked), issue, move along, list a page. */
import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  ProtocolError,
  supervisionCreateSchema,
  supervisionListQuerySchema,
  type SupervisionList,
  type SupervisionOrder,
} from '@cc/protocol';
import type { FastifyRequest } from 'fastify';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, assertCourtAccess, courtScope, principalOf } from '../auth/auth.js';
import { parseDateInput } from '../deadlines/calendar.js';
import { decodeCursor, encodeCursor, filterDigest } from './cursor.js';
import { addHistory, historyOf, nextEscalation, toOrder, type OrderRow } from './store.js';

export type Transition = { from: SupervisionOrder['state'][]; to: SupervisionOrder['state'] };

export function loadOrder(ctx: HubContext, request: FastifyRequest): OrderRow {
  const { db } = ctx;
  const id = (request.params as { id: string }).id;
  const row = db.prepare('SELECT * FROM supervision_orders WHERE id = ?').get(id) as OrderRow | undefined;
  if (!row) throw notFound('supervision', id);
  assertCourtAccess(principalOf(request), row.court_code);
  return row;
}

export function futureDue(ctx: HubContext, text: string): number {
  const at = parseDateInput(text);
  if (!(at > ctx.now())) throw new ProtocolError(ErrorCode.ValidationFailed, { dueAt: 'must be in the future' });
  return at;
}

/** Moves an order along; `set` adds column changes. Out-of-order moves are refused. */
export function moveOrder(
  ctx: HubContext,
  request: FastifyRequest,
  t: Transition,
  comment: string,
  set: Partial<OrderRow> = {},
): SupervisionOrder {
  const { db } = ctx;
  const before = loadOrder(ctx, request);
  if (!t.from.includes(before.state)) throw new ProtocolError(ErrorCode.OutOfOrder, { state: before.state, allowed: t.from });
  const actor = actorOf(request);
  return ctx.mutate(actor, `supervision.${t.to}`, ({ emit }) => {
    const after: OrderRow = { ...before, ...set, state: t.to };
    db.prepare('UPDATE supervision_orders SET state = ?, due_at = ?, level = ?, next_escalation_at = ?, closed_at = ? WHERE id = ?').run(
      after.state,
      after.due_at,
      after.level,
      after.next_escalation_at,
      after.closed_at,
      after.id,
    );
    addHistory(db, after.id, ctx.now(), actor, t.to, comment);
    emit({ type: 'supervision.changed', court: after.court_code, data: { id: after.id, caseNo: after.case_no, state: t.to } });
    return {
      value: { ...toOrder(after), history: historyOf(db, after.id) },
      target: `supervision:${after.id}`,
      before: toOrder(before),
      after: toOrder(after),
    };
  });
}

export function issueOrder(ctx: HubContext, request: FastifyRequest): SupervisionOrder {
  const { db } = ctx;
  const input = parse(supervisionCreateSchema, request.body);
  const c = db.prepare('SELECT id, court_code FROM cases WHERE case_no = ?').get(input.caseNo) as
    { id: number; court_code: string } | undefined;
  if (!c) throw notFound('case', input.caseNo);
  if (input.nodeId !== undefined && !db.prepare('SELECT 1 FROM flow_nodes WHERE id = ? AND case_id = ?').get(input.nodeId, c.id)) {
    throw notFound('node', String(input.nodeId));
  }
  const dueAt = futureDue(ctx, input.dueAt);
  const actor = actorOf(request);
  const order = ctx.mutate(actor, 'supervision.issue', ({ emit }) => {
    const row: OrderRow = {
      id: randomUUID(),
      case_no: input.caseNo,
      node_id: input.nodeId ?? null,
      court_code: c.court_code,
      issuer_id: actor.id,
      issuer_name: actor.name,
      content: input.content,
      due_at: dueAt,
      state: 'issued',
      level: 0,
      next_escalation_at: nextEscalation(dueAt, 0),
      created_at: ctx.now(),
      closed_at: null,
    };
    db.prepare(
      `INSERT INTO supervision_orders (id, case_no, node_id, court_code, issuer_id, issuer_name, content, due_at, state, level, next_escalation_at, created_at, closed_at)
       VALUES (@id, @case_no, @node_id, @court_code, @issuer_id, @issuer_name, @content, @due_at, @state, @level, @next_escalation_at, @created_at, @closed_at)`,
    ).run(row);
    addHistory(db, row.id, row.created_at, actor, 'issued', input.content);
    emit({ type: 'supervision.changed', court: row.court_code, data: { id: row.id, caseNo: row.case_no, state: 'issued' } });
    return { value: toOrder(row), target: `supervision:${row.id}`, after: toOrder(row) };
  });
  return order;
}

/** Filters of the list as SQL terms; only the given ones, so that SQLite can use the case and court indexes. */
const LIST_FILTERS = {
  court: 'court_code = @court',
  state: 'state = @state',
  escalated: '(level > 0) = @escalated',
  caseNo: 'case_no = @caseNo',
} as const;

/**
 * One page of orders, newest first, keyset-paged by (issued time, id): an order issued while a
 * client pages lands before its first page, so no order is skipped or repeated.
 */
export function listOrders(ctx: HubContext, request: FastifyRequest): SupervisionList {
  const { db } = ctx;
  const q = parse(supervisionListQuerySchema, request.query);
  const scope = courtScope(principalOf(request));
  if (scope && q.court && q.court !== scope) throw new ProtocolError(ErrorCode.Forbidden, { court: q.court });
  // A court user asking for another court's case gets an empty list, like any order outside its scope.
  const params = {
    court: scope ?? q.court,
    state: q.state,
    escalated: q.escalated === undefined ? undefined : q.escalated === 'true' ? 1 : 0,
    caseNo: q.caseNo,
  };
  const digest = filterDigest([params.court, params.state, params.escalated, params.caseNo]);
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, digest);
  const given = (Object.keys(LIST_FILTERS) as (keyof typeof LIST_FILTERS)[]).filter((k) => params[k] !== undefined);
  // With a case number the case index is the narrow one; the unary + keeps SQLite from walking the
  // court's index instead (a case belongs to one court, so the term only guards the scope).
  const terms = given.map((k) => (k === 'court' && params.caseNo !== undefined ? `+${LIST_FILTERS.court}` : LIST_FILTERS[k]));
  if (after) terms.push('(created_at, id) < (@afterAt, @afterId)');
  const where = terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`;
  // One row more than the page tells whether another page follows.
  const rows = db.prepare(`SELECT * FROM supervision_orders ${where} ORDER BY created_at DESC, id DESC LIMIT @limit`).all({
    ...Object.fromEntries(given.map((k) => [k, params[k]])),
    ...(after ? { afterAt: after.createdAt, afterId: after.id } : {}),
    limit: q.limit + 1,
  }) as OrderRow[];
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > q.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }, digest) : null;
  return { orders: page.map(toOrder), nextCursor };
}
