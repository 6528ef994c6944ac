/**
 * 事项委托 module: `/api/v1/delegations`. The requesting court (or the centre) creates a
 * delegation to another court; the receiving court accepts/rejects and completes it with
 * a result and receipt number; the requesting court confirms receipt. Both courts see it
 * and get its events; an open delegation past its deadline is flagged by the engine.
 */
import { API_PREFIX, delegationCompleteSchema, delegationRejectSchema } from '@cc/protocol';
import type { HubContext, HubModule } from '../app/module.js';
import { parse } from '../app/parse.js';
import { deadlineEngineOf } from '../deadlines/index.js';
import { createDelegation, listDelegations, loadDelegation, moveDelegation } from './actions.js';
import { delegationDeadlineSource, delegationMigrations, toDelegation } from './store.js';

function register(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  const courts = auth.require('court_user', 'duty_officer');
  deadlineEngineOf(db).addSource(delegationDeadlineSource(db));

  app.post(`${API_PREFIX}/delegations`, { preHandler: courts }, async (request, reply) =>
    reply.status(201).send(createDelegation(ctx, request)),
  );
  app.get(`${API_PREFIX}/delegations`, { preHandler: auth.require() }, async (request) => listDelegations(ctx, request));
  app.get(`${API_PREFIX}/delegations/:id`, { preHandler: auth.require() }, async (request) => toDelegation(loadDelegation(ctx, request)));
  app.post(`${API_PREFIX}/delegations/:id/accept`, { preHandler: courts }, async (request) =>
    moveDelegation(ctx, request, 'to', ['requested'], { state: 'accepted' }),
  );
  app.post(`${API_PREFIX}/delegations/:id/reject`, { preHandler: courts }, async (request) => {
    const { reason } = parse(delegationRejectSchema, request.body);
    return moveDelegation(ctx, request, 'to', ['requested'], { state: 'rejected', reject_reason: reason });
  });
  app.post(`${API_PREFIX}/delegations/:id/complete`, { preHandler: courts }, async (request) => {
    const { result, receiptNo } = parse(delegationCompleteSchema, request.body);
    return moveDelegation(ctx, request, 'to', ['accepted'], { state: 'completed', result, receipt_no: receiptNo });
  });
  // The requesting court confirms it received the result (回执确认).
  app.post(`${API_PREFIX}/delegations/:id/confirm`, { preHandler: courts }, async (request) =>
    moveDelegation(ctx, request, 'from', ['completed'], { state: 'confirmed' }),
  );
}

export const delegationModule: HubModule = { name: 'delegation', migrations: delegationMigrations, register };
