/**
 * A catalog change applied to existing nodes: re-times every OPEN node of the changed type
 * (new rule, the case's deduction periods, active or not), or after a holiday-calendar change
 * every open node whose clock runs over that day, in slices of node ids so the event loop
 * stays free at 10 M nodes. Each slice that changes something is one mutation
 * (nodes, statistics, audit entry); progress goes out as `catalog.recompute` events.
 *
 * A node's due time is recomputed from its start only when it still equals what the OLD
 * rule (and calendar) gives (a due time set explicitly at import, `dueAt`, is kept). Nodes that now fall
 * 临期/超期 are handed to the deadline engine, which raises the `node.*` events.
 */
import type { NodeType } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { DAY_MS, computeDue, type HolidayCalendar } from '../deadlines/calendar.js';
import { deductedDue, mergedPeriods } from '../deadlines/deductions.js';
import { nodeRetimerOf, type OpenNode } from '../deadlines/retime.js';
import type { Db } from '../store/database.js';
import { StatsDelta } from '../stats/aggregates.js';
import { periodsOfCase } from '../cases/deductions.js';
import { calendarOf } from './calendar.js';
import { catalogOf } from './repository.js';
import { walCheckpointerOf } from '../store/checkpointer.js';

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

interface TypeChange {
  before: NodeType;
  after: NodeType;
  /** The computed due time itself may move (amount, unit or calendar changed). */
  dueMoves: boolean;
}

interface Job {
  ctx: HubContext;
  actor: Actor;
  /** Node type code, or null: every type, nodes whose clock runs over `window` (a calendar day). */
  code: string | null;
  window: { from: number; to: number } | null;
  types: Map<string, TypeChange>;
  calendarBefore: HolidayCalendar;
  calendarAfter: HolidayCalendar;
  deducted: Set<number>;
  /** Audit target; `catalog.recompute` events carry `event` as their `code`. */
  target: string;
  event: string;
  change: { before: unknown; after: unknown };
}

type Node = OpenNode & { case_id: number };

function retimeSlice(job: Job, nodes: Node[], now: number, delta: StatsDelta): number {
  const retimer = nodeRetimerOf(job.ctx.db);
  let moved = 0;
  for (const node of nodes) {
    const change = job.types.get(node.type);
    if (!change) continue;
    const { before, after } = change;
    const deducted = job.deducted.has(node.case_id);
    const { base, stored } = deducted ? retimer.baseOf(node) : { base: node.due_at, stored: false };
    const fresh =
      change.dueMoves && base === computeDue(node.started_at, before.rule, job.calendarBefore)
        ? computeDue(node.started_at, after.rule, job.calendarAfter)
        : base;
    const { due, paused } = deducted
      ? deductedDue(fresh, node.started_at, mergedPeriods(periodsOfCase(job.ctx.db, node.case_id), after.rule), now)
      : { due: fresh, paused: false };
    const retiming = {
      due,
      base: fresh,
      paused,
      active: after.active,
      warnDays: after.rule.warnDays,
      remindDays: after.rule.remindDays ?? [],
    };
    if (retimer.apply(node, retiming, now, delta, stored)) moved++;
  }
  return moved;
}

function selectSlice(job: Job): (from: number, end: number) => Node[] {
  const columns = 'SELECT id, case_id, court_code, type, started_at, due_at, state, next_at FROM flow_nodes';
  const { db } = job.ctx;
  if (job.code !== null) {
    const byType = db.prepare(`${columns} WHERE id > ? AND id <= ? AND type = ? AND done_at IS NULL ORDER BY id LIMIT ?`);
    return (from, end) => byType.all(from, end, job.code, recomputeOptions.nodes) as Node[];
  }
  // A calendar day can move only the due times of clocks running over it (started before it ends, due after it starts).
  const window = job.window ?? { from: -Infinity, to: Infinity };
  const byWindow = db.prepare(
    `${columns} WHERE id > ? AND id <= ? AND done_at IS NULL AND due_at >= ? AND started_at < ? ORDER BY id LIMIT ?`,
  );
  return (from, end) => byWindow.all(from, end, window.from, window.to, recomputeOptions.nodes) as Node[];
}

async function run(job: Job): Promise<RecomputeReport> {
  const { ctx, target } = job;
  const total = (ctx.db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM flow_nodes').get() as { n: number }).n;
  const select = selectSlice(job);
  const report: RecomputeReport = { nodes: 0, moved: 0 };
  for (let from = 0; from < total;) {
    const end = Math.min(from + recomputeOptions.slice, total);
    const nodes = select(from, end);
    // A full batch ends the slice at its last node; the rest of the id range comes next turn.
    const to = nodes.length === recomputeOptions.nodes ? nodes.at(-1)!.id : end;
    report.nodes += nodes.length;
    if (nodes.length > 0) {
      const moved = ctx.mutate(job.actor, 'catalog.recompute.slice', ({ db }) => {
        const delta = new StatsDelta();
        const n = retimeSlice(job, nodes, ctx.now(), delta);
        delta.apply(db);
        return { value: n, target, after: { fromId: from + 1, toId: to, nodes: nodes.length, moved: n } };
      });
      report.moved += moved;
    }
    from = to;
    if (to < total) {
      ctx.events.publish({ type: 'catalog.recompute', data: { code: job.event, scanned: to, total, moved: report.moved, done: false } });
      await yieldToLoop();
      // A rule change over millions of nodes is a long stream of transactions: let the WAL start over.
      await walCheckpointerOf(ctx.db)?.makeRoom();
    }
  }
  return ctx.mutate(job.actor, 'catalog.recompute', ({ emit }) => {
    emit({ type: 'catalog.recompute', data: { code: job.event, scanned: total, total, moved: report.moved, done: true } });
    return { value: report, target, before: job.change.before, after: { ...(job.change.after as object), ...report } };
  });
}

/** Queues a job: jobs on one hub run one after another (each sees the previous one's result). */
function enqueue(ctx: HubContext, make: (deducted: Set<number>) => Job): Promise<RecomputeReport> {
  const previous = jobs.get(ctx.db) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(() => {
      const rows = ctx.db.prepare('SELECT DISTINCT case_id FROM case_deductions').all() as { case_id: number }[];
      return run(make(new Set(rows.map((r) => r.case_id))));
    });
  jobs.set(ctx.db, next);
  return next;
}

/** Re-times the open nodes of `after.code` after its rule or `active` changed. */
export function recomputeType(ctx: HubContext, actor: Actor, before: NodeType, after: NodeType): Promise<RecomputeReport> {
  const dueMoves = before.rule.amount !== after.rule.amount || before.rule.unit !== after.rule.unit;
  const calendar = calendarOf(ctx.db);
  return enqueue(ctx, (deducted) => ({
    ctx,
    actor,
    code: after.code,
    window: null,
    types: new Map([[after.code, { before, after, dueMoves }]]),
    calendarBefore: calendar,
    calendarAfter: calendar,
    deducted,
    target: `node-type:${after.code}`,
    event: after.code,
    change: { before: { rule: before.rule, active: before.active }, after: { rule: after.rule, active: after.active } },
  }));
}

/**
 * Re-times the open nodes whose clock runs over a calendar day that became or stopped being a
 * holiday or a worked weekend day (`day`: 00:00 China time of that day).
 */
export function recomputeCalendar(
  ctx: HubContext,
  actor: Actor,
  calendars: { before: HolidayCalendar; after: HolidayCalendar },
  day: { date: string; start: number; before: unknown; after: unknown },
): Promise<RecomputeReport> {
  const types = new Map([...catalogOf(ctx.db).values()].map((t) => [t.code, { before: t, after: t, dueMoves: true }]));
  return enqueue(ctx, (deducted) => ({
    ctx,
    actor,
    code: null,
    window: { from: day.start, to: day.start + DAY_MS },
    types,
    calendarBefore: calendars.before,
    calendarAfter: calendars.after,
    deducted,
    target: `calendar:${day.date}`,
    event: `calendar:${day.date}`,
    change: { before: day.before, after: day.after },
  }));
}
