/**
 * 督办 module: `/api/v1/supervision`. The centre (duty officer, leader) issues an order to
 * the case's court; that court replies; the issuer accepts (closed) or returns it (the
 * court replies again). Unanswered orders escalate through the deadline engine.
 */
import { API_PREFIX, supervisionAcceptSchema, supervisionReplySchema, supervisionReturnSchema } from '@cc/protocol';
import type { HubContext, HubModule } from '../app/module.js';
import { parse } from '../app/parse.js';
import { deadlineEngineOf } from '../deadlines/index.js';
import { futureDue, issueOrder, listOrders, loadOrder, moveOrder } from './actions.js';
import { historyOf, nextEscalation, supervisionDeadlineSource, supervisionMigrations, toOrder } from './store.js';

function register(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  const centre = auth.require('duty_officer', 'leader');
  deadlineEngineOf(db).addSource(supervisionDeadlineSource(db));

  app.post(`${API_PREFIX}/supervision`, { preHandler: centre }, async (request, reply) => reply.status(201).send(issueOrder(ctx, request)));
  app.get(`${API_PREFIX}/supervision`, { preHandler: auth.require() }, async (request) => listOrders(ctx, request));
  app.get(`${API_PREFIX}/supervision/:id`, { preHandler: auth.require() }, async (request) => {
    const row = loadOrder(ctx, request);
    return { ...toOrder(row), history: historyOf(db, row.id) };
  });
  // The court answers: the escalation clock stops while the issuer reviews.
  app.post(`${API_PREFIX}/supervision/:id/reply`, { preHandler: auth.require('court_user', 'duty_officer') }, async (request) => {
    const { content } = parse(supervisionReplySchema, request.body);
    return moveOrder(ctx, request, { from: ['issued', 'returned'], to: 'replied' }, content, { next_escalation_at: null });
  });
  app.post(`${API_PREFIX}/supervision/:id/accept`, { preHandler: centre }, async (request) => {
    const { comment } = parse(supervisionAcceptSchema, request.body ?? {});
    return moveOrder(ctx, request, { from: ['replied'], to: 'accepted' }, comment, { closed_at: ctx.now(), next_escalation_at: null });
  });
  // Returned: the court must reply again, by the new deadline if one is given.
  app.post(`${API_PREFIX}/supervision/:id/return`, { preHandler: centre }, async (request) => {
    const input = parse(supervisionReturnSchema, request.body);
    const before = loadOrder(ctx, request);
    const dueAt = input.dueAt === undefined ? before.due_at : futureDue(ctx, input.dueAt);
    const level = input.dueAt === undefined ? before.level : 0;
    return moveOrder(ctx, request, { from: ['replied'], to: 'returned' }, input.comment, {
      due_at: dueAt,
      level,
      next_escalation_at: nextEscalation(dueAt, level),
    });
  });
}

export const supervisionModule: HubModule = { name: 'supervision', migrations: supervisionMigrations, register };
