/**
 * 督办 module: `/api/v1/supervision`. The centre (duty officer, leader) issues an order to
 * the case's court; that court replies; the issuer accepts (closed) or returns it (the
 * court replies again). Unanswered orders escalate through the deadline engine.
 */
import { randomUUID } from 'node:crypto';
import {
  API_PREFIX,
  ErrorCode,
  ProtocolError,
  supervisionAcceptSchema,
  supervisionCreateSchema,
  supervisionListQuerySchema,
  supervisionReplySchema,
  supervisionReturnSchema,
  type SupervisionOrder,
} from '@cc/protocol';
import type { FastifyRequest } from 'fastify';
import type { HubContext, HubModule } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, assertCourtAccess, courtScope, principalOf } from '../auth/auth.js';
import { parseDateInput } from '../deadlines/calendar.js';
import { deadlineEngineOf } from '../deadlines/index.js';
import {
  addHistory,
  historyOf,
  nextEscalation,
  supervisionDeadlineSource,
  supervisionMigrations,
  toOrder,
  type OrderRow,
} from './store.js';

type Transition = { from: SupervisionOrder['state'][]; to: SupervisionOrder['state'] };

function register(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  const centre = auth.require('duty_officer', 'leader');
  deadlineEngineOf(db).addSource(supervisionDeadlineSource(db));

  const load = (request: FastifyRequest): OrderRow => {
    const id = (request.params as { id: string }).id;
    const row = db.prepare('SELECT * FROM supervision_orders WHERE id = ?').get(id) as OrderRow | undefined;
    if (!row) throw notFound('supervision', id);
    assertCourtAccess(principalOf(request), row.court_code);
    return row;
  };
  const futureDue = (text: string): number => {
    const at = parseDateInput(text);
    if (!(at > ctx.now())) throw new ProtocolError(ErrorCode.ValidationFailed, { dueAt: 'must be in the future' });
    return at;
  };

  /** Moves an order along; `set` adds column changes. Out-of-order moves are refused. */
  const move = (request: FastifyRequest, t: Transition, comment: string, set: Partial<OrderRow> = {}): SupervisionOrder => {
    const before = load(request);
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
  };

  app.post(`${API_PREFIX}/supervision`, { preHandler: centre }, async (request, reply) => {
    const input = parse(supervisionCreateSchema, request.body);
    const c = db.prepare('SELECT id, court_code FROM cases WHERE case_no = ?').get(input.caseNo) as
      { id: number; court_code: string } | undefined;
    if (!c) throw notFound('case', input.caseNo);
    if (input.nodeId !== undefined && !db.prepare('SELECT 1 FROM flow_nodes WHERE id = ? AND case_id = ?').get(input.nodeId, c.id)) {
      throw notFound('node', String(input.nodeId));
    }
    const dueAt = futureDue(input.dueAt);
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
    return reply.status(201).send(order);
  });

  app.get(`${API_PREFIX}/supervision`, { preHandler: auth.require() }, async (request) => {
    const q = parse(supervisionListQuerySchema, request.query);
    const scope = courtScope(principalOf(request));
    if (scope && q.court && q.court !== scope) throw new ProtocolError(ErrorCode.Forbidden, { court: q.court });
    const rows = db
      .prepare(
        `SELECT * FROM supervision_orders WHERE (@court IS NULL OR court_code = @court) AND (@state IS NULL OR state = @state)
           AND (@escalated IS NULL OR (level > 0) = @escalated) ORDER BY created_at DESC LIMIT @limit`,
      )
      .all({
        court: scope ?? q.court ?? null,
        state: q.state ?? null,
        escalated: q.escalated === undefined ? null : q.escalated === 'true' ? 1 : 0,
        limit: q.limit,
      }) as OrderRow[];
    return { orders: rows.map(toOrder) };
  });
  app.get(`${API_PREFIX}/supervision/:id`, { preHandler: auth.require() }, async (request) => {
    const row = load(request);
    return { ...toOrder(row), history: historyOf(db, row.id) };
  });
  // The court answers: the escalation clock stops while the issuer reviews.
  app.post(`${API_PREFIX}/supervision/:id/reply`, { preHandler: auth.require('court_user', 'duty_officer') }, async (request) => {
    const { content } = parse(supervisionReplySchema, request.body);
    return move(request, { from: ['issued', 'returned'], to: 'replied' }, content, { next_escalation_at: null });
  });
  app.post(`${API_PREFIX}/supervision/:id/accept`, { preHandler: centre }, async (request) => {
    const { comment } = parse(supervisionAcceptSchema, request.body ?? {});
    return move(request, { from: ['replied'], to: 'accepted' }, comment, { closed_at: ctx.now(), next_escalation_at: null });
  });
  // Returned: the court must reply again, by the new deadline if one is given.
  app.post(`${API_PREFIX}/supervision/:id/return`, { preHandler: centre }, async (request) => {
    const input = parse(supervisionReturnSchema, request.body);
    const before = load(request);
    const dueAt = input.dueAt === undefined ? before.due_at : futureDue(input.dueAt);
    const level = input.dueAt === undefined ? before.level : 0;
    return move(request, { from: ['replied'], to: 'returned' }, input.comment, {
      due_at: dueAt,
      level,
      next_escalation_at: nextEscalation(dueAt, level),
    });
  });
}

export const supervisionModule: HubModule = { name: 'supervision', migrations: supervisionMigrations, register };
