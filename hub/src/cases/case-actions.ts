/** Closing a case (through the closure gate) and completing a node (continuing recurring ones). */
import { ErrorCode, ProtocolError, type Case, type ClosureType, type FlowNode } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { notFound } from '../app/parse.js';
import { catalogOf } from '../catalog/repository.js';
import { parseDateInput } from '../deadlines/calendar.js';
import { StatsDelta } from '../stats/aggregates.js';
import { CaseWriter, type ValidCase } from './case-writer.js';
import { retimeIfDeducted } from './deductions.js';
import { nodesOfCase, toCase } from './read.js';
import { nodeWriterOf, type CaseRow, type NodeRow } from './store.js';

const toValid = (r: CaseRow): ValidCase => ({
  row: 0,
  caseNo: r.case_no,
  court: r.court_code,
  kind: r.kind,
  filedAt: r.filed_at,
  amountOwed: r.amount_owed,
  amountRecovered: r.amount_recovered,
  closedAt: r.closed_at,
  closureType: r.closure_type,
  handler: r.handler,
  dishonestCount: r.dishonest_count,
  consumptionBanCount: r.ban_count,
  inquiryCount: r.inquiry_count,
  nodes: undefined,
});

const when = (text: string | undefined, now: number, field: string): number => {
  const at = text === undefined ? now : parseDateInput(text);
  if (at > now) throw new ProtocolError(ErrorCode.ValidationFailed, { [field]: 'in the future' });
  return at;
};

export function closeCase(
  ctx: HubContext,
  actor: Actor,
  row: CaseRow,
  input: { closureType: ClosureType; closedAt?: string | undefined; amountRecovered?: number | undefined },
): Case {
  if (row.closed_at !== null) throw new ProtocolError(ErrorCode.Conflict, { case: row.case_no, closed: row.closure_type });
  const closedAt = when(input.closedAt, ctx.now(), 'closedAt');
  if (closedAt < row.filed_at) throw new ProtocolError(ErrorCode.ValidationFailed, { closedAt: 'before filedAt' });
  const next: ValidCase = {
    ...toValid(row),
    closedAt,
    closureType: input.closureType,
    amountRecovered: input.amountRecovered ?? row.amount_recovered,
  };
  return ctx.mutate(actor, 'case.close', ({ emit }) => {
    const delta = new StatsDelta();
    const outcome = new CaseWriter(ctx.db, nodeWriterOf(ctx.db)).write(next, catalogOf(ctx.db), ctx.now(), delta);
    if (!outcome.ok) throw new ProtocolError(ErrorCode.Conflict, { closureBlockedBy: outcome.blockedBy });
    retimeIfDeducted(ctx.db, row.id, ctx.now(), delta);
    delta.apply(ctx.db);
    emit({ type: 'case.changed', court: row.court_code, data: { caseNo: row.case_no, action: 'closed' } });
    const after = toCase(ctx.db.prepare('SELECT * FROM cases WHERE id = ?').get(row.id) as CaseRow);
    return { value: after, target: `case:${row.case_no}`, before: toCase(row), after };
  });
}

export function completeNode(
  ctx: HubContext,
  actor: Actor,
  row: CaseRow,
  nodeId: number,
  input: { doneAt?: string | undefined },
): FlowNode[] {
  const node = ctx.db.prepare('SELECT * FROM flow_nodes WHERE id = ? AND case_id = ?').get(nodeId, row.id) as NodeRow | undefined;
  if (!node) throw notFound('node', String(nodeId));
  if (node.done_at !== null) throw new ProtocolError(ErrorCode.Conflict, { node: nodeId, doneAt: new Date(node.done_at).toISOString() });
  const type = catalogOf(ctx.db).get(node.type);
  if (!type) throw notFound('nodeType', node.type);
  const doneAt = when(input.doneAt, ctx.now(), 'doneAt');
  const write = { type, cycle: node.cycle, startedAt: node.started_at, dueAt: node.due_at, doneAt };
  return ctx.mutate(actor, 'node.complete', ({ emit }) => {
    const delta = new StatsDelta();
    new CaseWriter(ctx.db, nodeWriterOf(ctx.db)).write({ ...toValid(row), nodes: [write] }, catalogOf(ctx.db), ctx.now(), delta);
    // A recurring node's next occurrence starts its clock under the case's deduction periods too.
    retimeIfDeducted(ctx.db, row.id, ctx.now(), delta);
    delta.apply(ctx.db);
    emit({ type: 'case.changed', court: row.court_code, data: { caseNo: row.case_no, action: 'node_completed', nodeId } });
    return {
      value: nodesOfCase(ctx.db, row.id, row.case_no),
      target: `case:${row.case_no}`,
      before: { nodeId, doneAt: null },
      after: { nodeId, doneAt },
    };
  });
}
