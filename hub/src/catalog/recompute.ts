/**
 * A catalog change applied to existing nodes: re-times every OPEN node of the changed type
 * (new rule, the case's deduction periods, active or not), in slices of node ids so the
 * event loop stays free at 10 M nodes. Each slice that changes something is one mutation
 * (nodes, statistics, audit entry); progress goes out as `catalog.recompute` events.
 *
 * A node's due time is recomputed from its start only when it still equals what the OLD
 * rule gives (a due time set explicitly at import, `dueAt`, is kept). Nodes that now fall
 * 临期/超期 are handed to the deadline engine, which raises the `node.*` events.
 */
import type { NodeType } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { computeDue, type HolidayCalendar } from '../deadlines/calendar.js';
import { deductedDue, mergedPeriods } from '../deadlines/deductions.js';
import { nodeRetimerOf, type OpenNode } from '../deadlines/retime.js';
import type { Db } from '../store/database.js';
import { StatsDelta } from '../stats/aggregates.js';
import { periodsOfCase } from '../cases/deductions.js';
import { calendarOf } from './calendar.js';

export interface RecomputeReport {
  /** Open nodes of the type looked at. */
  nodes: number;
  /** Of those, how many got a new due time. */
  moved: number;
}

/**
 * Work between two turns of the event loop: at most `slice` node ids scanned (a rowid range)
 * and at most `nodes` nodes re-timed (one mutation).
 */
export const recomputeOptions = { slice: 20_000, nodes: 1000 };

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const jobs = new WeakMap<Db, Promise<unknown>>();

/** Whether a change from `before` to `after` needs the open nodes re-timed. */
export function needsRecompute(before: NodeType | undefined, after: NodeType): boolean {
  return before !== undefined && (before.active !== after.active || JSON.stringify(before.rule) !== JSON.stringify(after.rule));
}

interface Job {
  ctx: HubContext;
  actor: Actor;
  before: NodeType;
  after: NodeType;
  calendar: HolidayCalendar;
  deducted: Set<number>;
}

type Node = OpenNode & { case_id: number };

function retimeSlice(job: Job, nodes: Node[], now: number, delta: StatsDelta): number {
  const { before, after, calendar } = job;
  const ruleMoved = before.rule.amount !== after.rule.amount || before.rule.unit !== after.rule.unit;
  const retimer = nodeRetimerOf(job.ctx.db);
  let moved = 0;
  for (const node of nodes) {
    const deducted = job.deducted.has(node.case_id);
    const { base, stored } = deducted ? retimer.baseOf(node) : { base: node.due_at, stored: false };
    const fresh =
      ruleMoved && base === computeDue(node.started_at, before.rule, calendar) ? computeDue(node.started_at, after.rule, calendar) : base;
    const { due, paused } = deducted
      ? deductedDue(fresh, node.started_at, mergedPeriods(periodsOfCase(job.ctx.db, node.case_id), after.rule), now)
      : { due: fresh, paused: false };
    const retiming = { due, base: fresh, paused, active: after.active, warnDays: after.rule.warnDays };
    if (retimer.apply(node, retiming, now, delta, stored)) moved++;
  }
  return moved;
}

async function run(job: Job): Promise<RecomputeReport> {
  const { ctx, after } = job;
  const total = (ctx.db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM flow_nodes').get() as { n: number }).n;
  const select = ctx.db.prepare(
    `SELECT id, case_id, court_code, type, started_at, due_at, state, next_at FROM flow_nodes
     WHERE id > ? AND id <= ? AND type = ? AND done_at IS NULL ORDER BY id LIMIT ?`,
  );
  const report: RecomputeReport = { nodes: 0, moved: 0 };
  for (let from = 0; from < total;) {
    const end = Math.min(from + recomputeOptions.slice, total);
    const nodes = select.all(from, end, after.code, recomputeOptions.nodes) as Node[];
    // A full batch ends the slice at its last node; the rest of the id range comes next turn.
    const to = nodes.length === recomputeOptions.nodes ? nodes.at(-1)!.id : end;
    report.nodes += nodes.length;
    if (nodes.length > 0) {
      const moved = ctx.mutate(job.actor, 'catalog.recompute.slice', ({ db }) => {
        const delta = new StatsDelta();
        const n = retimeSlice(job, nodes, ctx.now(), delta);
        delta.apply(db);
        return { value: n, target: `node-type:${after.code}`, after: { fromId: from + 1, toId: to, nodes: nodes.length, moved: n } };
      });
      report.moved += moved;
    }
    from = to;
    if (to < total) {
      ctx.events.publish({ type: 'catalog.recompute', data: { code: after.code, scanned: to, total, moved: report.moved, done: false } });
      await yieldToLoop();
    }
  }
  return ctx.mutate(job.actor, 'catalog.recompute', ({ emit }) => {
    emit({ type: 'catalog.recompute', data: { code: after.code, scanned: total, total, moved: report.moved, done: true } });
    return {
      value: report,
      target: `node-type:${after.code}`,
      before: { rule: job.before.rule, active: job.before.active },
      after: { rule: after.rule, active: after.active, ...report },
    };
  });
}

/** Re-times the open nodes of `after.code`; jobs on one hub run one after another. */
export function recomputeType(ctx: HubContext, actor: Actor, before: NodeType, after: NodeType): Promise<RecomputeReport> {
  const previous = jobs.get(ctx.db) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(() => {
      const deducted = new Set(
        (ctx.db.prepare('SELECT DISTINCT case_id FROM case_deductions').all() as { case_id: number }[]).map((r) => r.case_id),
      );
      return run({ ctx, actor, before, after, calendar: calendarOf(ctx.db), deducted });
    });
  jobs.set(ctx.db, next);
  return next;
}
