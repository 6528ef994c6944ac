/** 事项委托 actions behind the routes: create, load (visible to both courts), move along, list. */
import { randomUUID } from 'node:crypto';
import { ErrorCode, ProtocolError, delegationCreateSchema, delegationListQuerySchema, type Delegation, type Principal } from '@cc/protocol';
import type { FastifyRequest } from 'fastify';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, courtScope, principalOf } from '../auth/auth.js';
import { catalogOf } from '../catalog/repository.js';
import { calendarOf } from '../catalog/calendar.js';
import { computeDue, parseDateInput } from '../deadlines/calendar.js';
import { getCourt } from '../orgs/repository.js';
import { toDelegation, type DelegationRow } from './store.js';

export type Side = 'from' | 'to';
const OPEN: Delegation['state'][] = ['requested', 'accepted'];

/** A court user acts only for its own court on the given side; the centre acts for anyone. */
function assertSide(principal: Principal, row: Pick<DelegationRow, 'from_court' | 'to_court'>, side: Side): void {
  const scope = courtScope(principal);
  const court = side === 'from' ? row.from_court : row.to_court;
  if (scope && scope !== court) throw new ProtocolError(ErrorCode.Forbidden, { court, side });
}

export function loadDelegation(ctx: HubContext, request: FastifyRequest): DelegationRow {
  const { db } = ctx;
  const id = (request.params as { id: string }).id;
  const row = db.prepare('SELECT * FROM delegations WHERE id = ?').get(id) as DelegationRow | undefined;
  const scope = courtScope(principalOf(request));
  if (!row || (scope && scope !== row.from_court && scope !== row.to_court)) throw notFound('delegation', id);
  return row;
}

export function moveDelegation(
  ctx: HubContext,
  request: FastifyRequest,
  side: Side,
  from: Delegation['state'][],
  set: Partial<DelegationRow> & { state: Delegation['state'] },
): Delegation {
  const { db } = ctx;
  const before = loadDelegation(ctx, request);
  assertSide(principalOf(request), before, side);
  if (!from.includes(before.state)) throw new ProtocolError(ErrorCode.OutOfOrder, { state: before.state, allowed: from });
  return ctx.mutate(actorOf(request), `delegation.${set.state}`, ({ emit }) => {
    const after: DelegationRow = { ...before, ...set, updated_at: ctx.now() };
    if (!OPEN.includes(after.state)) after.watch_at = null;
    db.prepare(
      `UPDATE delegations SET state = @state, watch_at = @watch_at, result = @result, receipt_no = @receipt_no,
         reject_reason = @reject_reason, updated_at = @updated_at WHERE id = @id`,
    ).run(after);
    const data = { id: after.id, fromCourt: after.from_court, toCourt: after.to_court, state: after.state };
    emit({ type: 'delegation.changed', court: after.from_court, data });
    emit({ type: 'delegation.changed', court: after.to_court, data });
    return { value: toDelegation(after), target: `delegation:${after.id}`, before: toDelegation(before), after: toDelegation(after) };
  });
}

export function createDelegation(ctx: HubContext, request: FastifyRequest): Delegation {
  const { db } = ctx;
  const input = parse(delegationCreateSchema, request.body);
  const principal = principalOf(request);
  const fromCourt = courtScope(principal) ?? input.fromCourt ?? principal.court;
  if (!fromCourt) throw new ProtocolError(ErrorCode.ValidationFailed, { fromCourt: 'required' });
  for (const code of [fromCourt, input.toCourt])
    if (!getCourt(db, code)) throw new ProtocolError(ErrorCode.ValidationFailed, { unknownCourt: code });
  if (fromCourt === input.toCourt) throw new ProtocolError(ErrorCode.ValidationFailed, { toCourt: 'must differ from fromCourt' });
  const now = ctx.now();
  const rule = catalogOf(db).get('delegated_item')?.rule ?? { amount: 30, unit: 'day' as const };
  const dueAt = input.dueAt === undefined ? computeDue(now, rule, calendarOf(db)) : parseDateInput(input.dueAt);
  if (!(dueAt > now)) throw new ProtocolError(ErrorCode.ValidationFailed, { dueAt: 'must be in the future' });
  const actor = actorOf(request);
  const created = ctx.mutate(actor, 'delegation.request', ({ emit }) => {
    const row: DelegationRow = {
      id: randomUUID(),
      from_court: fromCourt,
      to_court: input.toCourt,
      case_no: input.caseNo ?? null,
      item: input.item,
      content: input.content,
      due_at: dueAt,
      state: 'requested',
      overdue: 0,
      watch_at: dueAt,
      result: '',
      receipt_no: '',
      reject_reason: '',
      created_by_id: actor.id,
      created_by_name: actor.name,
      created_at: now,
      updated_at: now,
    };
    db.prepare(
      `INSERT INTO delegations (id, from_court, to_court, case_no, item, content, due_at, state, overdue, watch_at, result, receipt_no,
         reject_reason, created_by_id, created_by_name, created_at, updated_at)
       VALUES (@id, @from_court, @to_court, @case_no, @item, @content, @due_at, @state, @overdue, @watch_at, @result, @receipt_no,
         @reject_reason, @created_by_id, @created_by_name, @created_at, @updated_at)`,
    ).run(row);
    const data = { id: row.id, fromCourt: row.from_court, toCourt: row.to_court, state: row.state };
    emit({ type: 'delegation.changed', court: row.from_court, data });
    emit({ type: 'delegation.changed', court: row.to_court, data });
    return { value: toDelegation(row), target: `delegation:${row.id}`, after: toDelegation(row) };
  });
  return created;
}

export function listDelegations(ctx: HubContext, request: FastifyRequest): { delegations: Delegation[] } {
  const { db } = ctx;
  const q = parse(delegationListQuerySchema, request.query);
  const scope = courtScope(principalOf(request));
  if (scope && q.court && q.court !== scope) throw new ProtocolError(ErrorCode.Forbidden, { court: q.court });
  const court = scope ?? q.court ?? null;
  const rows = db
    .prepare(
      `SELECT * FROM delegations WHERE (@state IS NULL OR state = @state) AND (@court IS NULL
         OR (@direction IN ('outgoing', 'any') AND from_court = @court) OR (@direction IN ('incoming', 'any') AND to_court = @court))
       ORDER BY created_at DESC LIMIT @limit`,
    )
    .all({ court, direction: q.direction, state: q.state ?? null, limit: q.limit }) as DelegationRow[];
  return { delegations: rows.map(toDelegation) };
}
