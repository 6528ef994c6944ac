/**
 * Deduction periods on a case (扣除期间): record one, end an open one, list them, and re-time
 * the case's open nodes whose rule lists the period's reason (deadlines/deductions.ts).
 * Every change is one mutation: the period, the nodes' new due times, the statistics and
 * the audit entry commit together; the deadline engine raises any 临期/超期 that follows.
 */
import {
  ErrorCode,
  ProtocolError,
  type DeductionCreate,
  type Deduction,
  type DeductionReason,
  type DeductionResult,
  type FlowNode,
  type NodeType,
} from '@cc/protocol';
import { SYSTEM_ACTOR, type Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { notFound } from '../app/parse.js';
import { catalogOf } from '../catalog/repository.js';
import { chinaDay, iso, parseDateInput } from '../deadlines/calendar.js';
import { deductedDue, mergedPeriods, periodDays, type Period } from '../deadlines/deductions.js';
import { nodeRetimerOf, type OpenNode } from '../deadlines/retime.js';
import type { Db } from '../store/database.js';
import { StatsDelta } from '../stats/aggregates.js';
import type { CaseRow } from './store.js';

interface DeductionRow {
  id: number;
  case_id: number;
  reason: DeductionReason;
  start_at: number;
  end_at: number | null;
  note: string;
  recorded_by: string;
  recorded_at: number;
  ended_by: string | null;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;
const dayText = (ms: number): string => new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);

const toDeduction = (r: DeductionRow, caseNo: string, now: number): Deduction => ({
  id: r.id,
  caseNo,
  reason: r.reason,
  startedOn: dayText(r.start_at),
  endedOn: r.end_at === null ? null : dayText(r.end_at),
  days: periodDays({ start: r.start_at, end: r.end_at }, now),
  note: r.note,
  recordedBy: r.recorded_by,
  recordedAt: iso(r.recorded_at),
  endedBy: r.ended_by,
});

const rowsOf = (db: Db, caseId: number): DeductionRow[] =>
  db.prepare('SELECT * FROM case_deductions WHERE case_id = ? ORDER BY start_at, id').all(caseId) as DeductionRow[];

export const periodsOfCase = (db: Db, caseId: number): Period[] =>
  rowsOf(db, caseId).map((r) => ({ reason: r.reason, start: r.start_at, end: r.end_at }));

export function listDeductions(db: Db, row: CaseRow, now: number): Deduction[] {
  return rowsOf(db, row.id).map((r) => toDeduction(r, row.case_no, now));
}

/** Re-times the case's open nodes against its periods; returns how many due times moved. */
export function retimeCase(db: Db, caseId: number, catalog: Map<string, NodeType>, now: number, delta: StatsDelta): number {
  const periods = periodsOfCase(db, caseId);
  const nodes = db
    .prepare('SELECT id, court_code, type, started_at, due_at, state, next_at FROM flow_nodes WHERE case_id = ? AND done_at IS NULL')
    .all(caseId) as OpenNode[];
  const retimer = nodeRetimerOf(db);
  let moved = 0;
  for (const node of nodes) {
    const type = catalog.get(node.type);
    if (!type) continue;
    const { base, stored } = retimer.baseOf(node);
    const { due, paused } = deductedDue(base, node.started_at, mergedPeriods(periods, type.rule), now);
    const retiming = { due, base, paused, active: type.active, warnDays: type.rule.warnDays };
    if (retimer.apply(node, retiming, now, delta, stored)) moved++;
  }
  return moved;
}

/** After other writes to a case's nodes (completion, closure): re-apply its periods, if it has any. */
export function retimeIfDeducted(db: Db, caseId: number, now: number, delta: StatsDelta): void {
  if (db.prepare('SELECT 1 FROM case_deductions WHERE case_id = ? LIMIT 1').get(caseId)) {
    retimeCase(db, caseId, catalogOf(db), now, delta);
  }
}

const invalid = (field: string, problem: string): ProtocolError => new ProtocolError(ErrorCode.ValidationFailed, { [field]: problem });

/** Checks a new period against today, the filing day and the case's periods of the same reason. */
function checkNew(db: Db, row: CaseRow, input: DeductionCreate, now: number): { start: number; end: number | null } {
  const today = chinaDay(now);
  const start = parseDateInput(input.startedOn);
  const end = input.endedOn === undefined ? null : parseDateInput(input.endedOn);
  if (chinaDay(start) > today) throw invalid('startedOn', 'after today');
  if (chinaDay(start) < chinaDay(row.filed_at)) throw invalid('startedOn', 'before the case was filed');
  if (end !== null && end <= start) throw invalid('endedOn', 'not after startedOn');
  if (end !== null && chinaDay(end) > today) throw invalid('endedOn', 'after today');
  const clash = rowsOf(db, row.id).find(
    (p) => p.reason === input.reason && p.start_at < (end ?? Infinity) && start < (p.end_at ?? Infinity),
  );
  if (clash) {
    throw new ProtocolError(ErrorCode.Conflict, { overlaps: clash.id, reason: clash.reason, startedOn: dayText(clash.start_at) });
  }
  return { start, end };
}

export function recordDeduction(ctx: HubContext, actor: Actor, row: CaseRow, input: DeductionCreate): DeductionResult {
  const now = ctx.now();
  const { start, end } = checkNew(ctx.db, row, input, now);
  return ctx.mutate(actor, 'case.deduction.record', ({ db, emit }) => {
    const id = Number(
      db
        .prepare(
          'INSERT INTO case_deductions (case_id, reason, start_at, end_at, note, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(row.id, input.reason, start, end, input.note, actor.name, now).lastInsertRowid,
    );
    const delta = new StatsDelta();
    const moved = retimeCase(db, row.id, catalogOf(db), now, delta);
    delta.apply(db);
    const deduction = toDeduction(db.prepare('SELECT * FROM case_deductions WHERE id = ?').get(id) as DeductionRow, row.case_no, now);
    emit({ type: 'case.changed', court: row.court_code, data: { caseNo: row.case_no, action: 'deduction_recorded', deductionId: id } });
    return { value: { deduction, moved }, target: `case:${row.case_no}`, before: null, after: { ...deduction, moved } };
  });
}

export function endDeduction(ctx: HubContext, actor: Actor, row: CaseRow, id: number, endedOn: string): DeductionResult {
  const now = ctx.now();
  const stored = ctx.db.prepare('SELECT * FROM case_deductions WHERE id = ? AND case_id = ?').get(id, row.id) as DeductionRow | undefined;
  if (!stored) throw notFound('deduction', String(id));
  if (stored.end_at !== null) throw new ProtocolError(ErrorCode.Conflict, { deduction: id, endedOn: dayText(stored.end_at) });
  const end = parseDateInput(endedOn);
  if (end <= stored.start_at) throw invalid('endedOn', 'not after startedOn');
  if (chinaDay(end) > chinaDay(now)) throw invalid('endedOn', 'after today');
  return ctx.mutate(actor, 'case.deduction.end', ({ db, emit }) => {
    db.prepare('UPDATE case_deductions SET end_at = ?, ended_by = ? WHERE id = ?').run(end, actor.name, id);
    const delta = new StatsDelta();
    const moved = retimeCase(db, row.id, catalogOf(db), now, delta);
    delta.apply(db);
    const deduction = toDeduction({ ...stored, end_at: end, ended_by: actor.name }, row.case_no, now);
    emit({ type: 'case.changed', court: row.court_code, data: { caseNo: row.case_no, action: 'deduction_ended', deductionId: id } });
    return {
      value: { deduction, moved },
      target: `case:${row.case_no}`,
      before: toDeduction(stored, row.case_no, now),
      after: { ...deduction, moved },
    };
  });
}

/** The case's nodes for its detail view, with the due time before deductions and whether a period stops the clock. */
export function withDeductionTiming(db: Db, row: CaseRow, nodes: FlowNode[], now: number): FlowNode[] {
  const periods = periodsOfCase(db, row.id);
  if (periods.length === 0) return nodes;
  const catalog = catalogOf(db);
  const retimer = nodeRetimerOf(db);
  return nodes.map((n) => {
    const dueAt = Date.parse(n.dueAt);
    const { base, stored } = retimer.baseOf({ id: n.id, due_at: dueAt });
    const type = catalog.get(n.type);
    if (!stored || !type || n.doneAt !== null) return n;
    const { due, paused } = deductedDue(base, Date.parse(n.startedAt), mergedPeriods(periods, type.rule), now);
    // While paused, the due time shown moves on with every day the period stays open.
    return { ...n, dueAt: paused ? iso(due) : n.dueAt, baseDueAt: iso(base), paused };
  });
}

/**
 * After an import: the cases with deduction periods that it wrote (their nodes were timed
 * without the periods) are re-timed, in one mutation. Cost scales with the number of cases
 * that have periods, never with the import's size; nothing runs when no case has any.
 */
export function reapplyAfterImport(ctx: HubContext, since: number): void {
  // CROSS JOIN keeps the (few) periods as the outer loop: the planner would otherwise scan every case.
  const touched = ctx.db
    .prepare(
      `SELECT DISTINCT c.id, c.case_no FROM case_deductions d CROSS JOIN cases c ON c.id = d.case_id
       WHERE c.updated_at >= ? ORDER BY c.id`,
    )
    .all(since) as { id: number; case_no: string }[];
  if (touched.length === 0) return;
  ctx.mutate(SYSTEM_ACTOR, 'case.deduction.reapply', ({ db }) => {
    const delta = new StatsDelta();
    const catalog = catalogOf(db);
    let moved = 0;
    for (const c of touched) moved += retimeCase(db, c.id, catalog, ctx.now(), delta);
    delta.apply(db);
    return { value: undefined, target: 'cases', after: { cases: touched.map((c) => c.case_no).slice(0, 100), moved } };
  });
}

/** Re-applies periods after every import (`cases.imported`), from the time of the previous pass. */
export function followImports(ctx: HubContext): () => void {
  let since = ctx.now();
  return ctx.events.subscribe((events) => {
    if (!events.some((e) => e.type === 'cases.imported')) return;
    const now = ctx.now();
    try {
      reapplyAfterImport(ctx, Math.min(since, now));
      since = now;
    } catch (error) {
      // The import is committed and answered; the next import retries from the same `since`.
      ctx.logger.error({ err: error }, 'deduction periods not re-applied after an import');
    }
  });
}
