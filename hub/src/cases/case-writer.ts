/**
 * Writes one validated case with its nodes: insert or update by case number, nodes
 * upserted by (type, cycle), statistics deltas collected, the closure gate checked
 * (强制 nodes that block a closure type), and recurring nodes continued.
 */
import type { CaseKind, ClosureType, NodeType } from '@cc/protocol';
import type { Db } from '../store/database.js';
import { calendarOf } from '../catalog/calendar.js';
import { addMonths, computeDue, type HolidayCalendar } from '../deadlines/calendar.js';
import type { StatsDelta } from '../stats/aggregates.js';
import { caseFacts, type CaseRow, type NodeRow, type NodeWrite, type NodeWriter } from './store.js';

export interface ValidCase {
  row: number;
  caseNo: string;
  court: string;
  kind: CaseKind;
  filedAt: number;
  amountOwed: number;
  amountRecovered: number;
  closedAt: number | null;
  closureType: ClosureType | null;
  handler: string;
  dishonestCount: number;
  consumptionBanCount: number;
  inquiryCount: number;
  /** Undefined: keep the stored nodes as they are. */
  nodes: NodeWrite[] | undefined;
}

export type WriteOutcome = { ok: true; created: boolean; nodes: number } | { ok: false; blockedBy: string[] };

const nodeKey = (type: string, cycle: number): string => `${type}|${cycle}`;

/** Open nodes (after this write) whose type blocks `closure`. */
function blockingNodes(closure: ClosureType, incoming: NodeWrite[], stored: NodeRow[], catalog: Map<string, NodeType>): string[] {
  if (stored.length === 0) {
    // A new case (a bulk import's usual one): its own open nodes, each (type, cycle) once (check.ts).
    const codes: string[] = [];
    for (const n of incoming)
      if (n.doneAt === null && catalog.get(n.type.code)?.blocksClosure.includes(closure) && !codes.includes(n.type.code))
        codes.push(n.type.code);
    return codes;
  }
  const open = new Map<string, string>();
  for (const n of stored) if (n.done_at === null) open.set(nodeKey(n.type, n.cycle), n.type);
  for (const n of incoming) {
    if (n.doneAt === null) open.set(nodeKey(n.type.code, n.cycle), n.type.code);
    else open.delete(nodeKey(n.type.code, n.cycle));
  }
  return [...new Set(open.values())].filter((code) => catalog.get(code)?.blocksClosure.includes(closure));
}

/** Follow-up nodes: the next occurrence of done recurring nodes; the 终本 re-check on a 终本 closure. */
function followUps(
  c: ValidCase,
  incoming: NodeWrite[],
  stored: NodeRow[],
  catalog: Map<string, NodeType>,
  calendar: HolidayCalendar,
): NodeWrite[] {
  // Most cases have neither: skip the bookkeeping (bulk imports write millions of nodes).
  const repeats =
    incoming.some((n) => n.type.rule.repeat && n.doneAt !== null) ||
    stored.some((n) => n.done_at !== null && catalog.get(n.type)?.rule.repeat);
  if (!repeats && c.closureType !== 'terminated_current') return [];
  if (!repeats && stored.length === 0) {
    // A new 终本 case (40 % of closed cases in bulk imports): only its re-check can follow.
    const recheck = catalog.get('terminated_recheck');
    if (c.closedAt === null || !recheck?.active || incoming.some((n) => n.type.code === 'terminated_recheck')) return [];
    return [{ type: recheck, cycle: 0, startedAt: c.closedAt, dueAt: computeDue(c.closedAt, recheck.rule, calendar), doneAt: null }];
  }
  const known = new Set([...stored.map((n) => nodeKey(n.type, n.cycle)), ...incoming.map((n) => nodeKey(n.type.code, n.cycle))]);
  const extra: NodeWrite[] = [];
  const all: { type: NodeType | undefined; cycle: number; startedAt: number; doneAt: number | null }[] = [
    ...stored.map((n) => ({ type: catalog.get(n.type), cycle: n.cycle, startedAt: n.started_at, doneAt: n.done_at })),
    ...incoming,
  ];
  for (const n of all) {
    const repeat = n.type?.rule.repeat;
    if (!n.type || !repeat || n.doneAt === null || n.cycle + 1 >= repeat.times) continue;
    if (known.has(nodeKey(n.type.code, n.cycle + 1))) continue;
    const startedAt = addMonths(n.startedAt, repeat.everyMonths);
    known.add(nodeKey(n.type.code, n.cycle + 1));
    extra.push({ type: n.type, cycle: n.cycle + 1, startedAt, dueAt: computeDue(startedAt, n.type.rule, calendar), doneAt: null });
  }
  const recheck = catalog.get('terminated_recheck');
  if (
    c.closureType === 'terminated_current' &&
    c.closedAt !== null &&
    recheck?.active &&
    ![...known].some((k) => k.startsWith('terminated_recheck|'))
  ) {
    extra.push({ type: recheck, cycle: 0, startedAt: c.closedAt, dueAt: computeDue(c.closedAt, recheck.rule, calendar), doneAt: null });
  }
  return extra;
}

export class CaseWriter {
  private readonly find;
  private readonly insert;
  private readonly update;

  constructor(
    private readonly db: Db,
    private readonly nodes: NodeWriter,
  ) {
    this.find = db.prepare('SELECT * FROM cases WHERE case_no = ?');
    const cols =
      'court_code, kind, filed_at, amount_owed, amount_recovered, closed_at, closure_type, handler, dishonest_count, ban_count, inquiry_count, updated_at';
    this.insert = db.prepare(
      `INSERT INTO cases (case_no, ${cols}) VALUES (?, ${cols
        .split(',')
        .map(() => '?')
        .join(', ')})`,
    );
    this.update = db.prepare(
      `UPDATE cases SET ${cols
        .split(', ')
        .map((c) => `${c} = ?`)
        .join(', ')} WHERE id = ?`,
    );
  }

  findCase(caseNo: string): CaseRow | undefined {
    return this.find.get(caseNo) as CaseRow | undefined;
  }

  write(c: ValidCase, catalog: Map<string, NodeType>, now: number, delta: StatsDelta): WriteOutcome {
    const before = this.findCase(c.caseNo);
    const stored = before ? this.nodes.nodesOf(before.id) : [];
    const incoming = c.nodes ?? [];
    if (c.closureType !== null && before?.closure_type !== c.closureType) {
      const blockedBy = blockingNodes(c.closureType, incoming, stored, catalog);
      if (blockedBy.length > 0) return { ok: false, blockedBy };
    }
    const values = [
      c.court,
      c.kind,
      c.filedAt,
      c.amountOwed,
      c.amountRecovered,
      c.closedAt,
      c.closureType,
      c.handler,
      c.dishonestCount,
      c.consumptionBanCount,
      c.inquiryCount,
      now,
    ] as const;
    let caseId: number;
    if (before) {
      delta.addCase(caseFacts(before), -1);
      this.update.run(...values, before.id);
      caseId = before.id;
    } else {
      caseId = Number(this.insert.run(c.caseNo, ...values).lastInsertRowid);
    }
    delta.addCase(c, 1);
    const extra = followUps(c, incoming, stored, catalog, calendarOf(this.db));
    const writes = extra.length > 0 ? [...incoming, ...extra] : incoming;
    if (stored.length === 0) {
      this.nodes.insertAll(caseId, c.court, writes, now, delta);
    } else {
      const byKey = new Map(stored.map((n) => [nodeKey(n.type, n.cycle), n]));
      for (const node of writes) this.nodes.write(caseId, c.court, node, now, delta, byKey.get(nodeKey(node.type.code, node.cycle)));
    }
    // A case moved to another court takes its untouched nodes along.
    if (before && before.court_code !== c.court) {
      const touched = new Set(writes.map((n) => nodeKey(n.type.code, n.cycle)));
      for (const n of stored) {
        if (touched.has(nodeKey(n.type, n.cycle))) continue;
        const type = catalog.get(n.type);
        if (!type) continue;
        delta.moveNode(before.court_code, n.state, null);
        this.nodes.write(
          caseId,
          c.court,
          { type, cycle: n.cycle, startedAt: n.started_at, dueAt: n.due_at, doneAt: n.done_at },
          now,
          delta,
          { ...n, state: -1 },
        );
      }
    }
    return { ok: true, created: !before, nodes: writes.length };
  }
}
