/**
 * Cases and flow nodes on SQLite. Times are integer milliseconds (compact rows and
 * indexes at 10 M nodes). `next_at` is when the deadline engine must look at a node
 * next (its 临期 time, then its due time); the partial index on it lets the engine find
 * the next due node without scanning.
 */
import type { ClosureType, NodeState, NodeType, CaseKind } from '@cc/protocol';
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';
import { DAY_MS } from '../deadlines/calendar.js';
import { NodeStateCode, type StatsDelta } from '../stats/aggregates.js';

export const casesMigrations: Migration[] = [
  {
    id: 'cases-001',
    sql: `
      CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        case_no TEXT NOT NULL UNIQUE,
        court_code TEXT NOT NULL,
        kind TEXT NOT NULL,
        filed_at INTEGER NOT NULL,
        amount_owed REAL NOT NULL,
        amount_recovered REAL NOT NULL,
        closed_at INTEGER,
        closure_type TEXT,
        handler TEXT NOT NULL DEFAULT '',
        dishonest_count INTEGER NOT NULL DEFAULT 0,
        ban_count INTEGER NOT NULL DEFAULT 0,
        inquiry_count INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX cases_court ON cases(court_code, case_no);
      CREATE TABLE flow_nodes (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL,
        court_code TEXT NOT NULL,
        type TEXT NOT NULL,
        cycle INTEGER NOT NULL DEFAULT 0,
        started_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        done_at INTEGER,
        state INTEGER NOT NULL,
        next_at INTEGER,
        UNIQUE (case_id, type, cycle)
      );
      CREATE INDEX flow_nodes_next ON flow_nodes(next_at) WHERE next_at IS NOT NULL;
      CREATE INDEX flow_nodes_open ON flow_nodes(court_code, state, due_at) WHERE state IN (1, 2);`,
  },
];

export const stateNames: NodeState[] = ['pending', 'due_soon', 'overdue', 'done'];

export interface CaseRow {
  id: number;
  case_no: string;
  court_code: string;
  kind: CaseKind;
  filed_at: number;
  amount_owed: number;
  amount_recovered: number;
  closed_at: number | null;
  closure_type: ClosureType | null;
  handler: string;
  dishonest_count: number;
  ban_count: number;
  inquiry_count: number;
  updated_at: number;
}

export interface NodeRow {
  id: number;
  case_id: number;
  court_code: string;
  type: string;
  cycle: number;
  started_at: number;
  due_at: number;
  done_at: number | null;
  state: number;
  next_at: number | null;
}

export const caseFacts = (r: CaseRow) => ({
  court: r.court_code,
  filedAt: r.filed_at,
  closedAt: r.closed_at,
  closureType: r.closure_type,
  amountOwed: r.amount_owed,
  amountRecovered: r.amount_recovered,
  dishonestCount: r.dishonest_count,
  consumptionBanCount: r.ban_count,
  inquiryCount: r.inquiry_count,
});

/** A node's state and next engine time at `now`. */
export function nodeTiming(dueAt: number, doneAt: number | null, warnDays: number, now: number): { state: number; nextAt: number | null } {
  if (doneAt !== null) return { state: NodeStateCode.done, nextAt: null };
  if (now >= dueAt) return { state: NodeStateCode.overdue, nextAt: null };
  const warnAt = dueAt - warnDays * DAY_MS;
  if (now >= warnAt) return { state: NodeStateCode.due_soon, nextAt: dueAt };
  return { state: NodeStateCode.pending, nextAt: warnAt };
}

export interface NodeWrite {
  type: NodeType;
  cycle: number;
  startedAt: number;
  dueAt: number;
  doneAt: number | null;
}

/** Prepared statements for writing nodes, made once per db. */
export class NodeWriter {
  private readonly insert;
  private readonly update;
  private readonly existing;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO flow_nodes (case_id, court_code, type, cycle, started_at, due_at, done_at, state, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.update = db.prepare(
      'UPDATE flow_nodes SET court_code = ?, started_at = ?, due_at = ?, done_at = ?, state = ?, next_at = ? WHERE id = ?',
    );
    this.existing = db.prepare('SELECT * FROM flow_nodes WHERE case_id = ?');
  }

  nodesOf(caseId: number): NodeRow[] {
    return this.existing.all(caseId) as NodeRow[];
  }

  /** Inserts or updates (when `stored` is given) one node; returns its id. */
  write(caseId: number, court: string, node: NodeWrite, now: number, delta: StatsDelta, stored?: NodeRow): number {
    const { state, nextAt } = nodeTiming(node.dueAt, node.doneAt, node.type.rule.warnDays, now);
    delta.moveNode(court, stored ? stored.state : null, state);
    if (stored) {
      this.update.run(court, node.startedAt, node.dueAt, node.doneAt, state, nextAt, stored.id);
      return stored.id;
    }
    return Number(
      this.insert.run(caseId, court, node.type.code, node.cycle, node.startedAt, node.dueAt, node.doneAt, state, nextAt).lastInsertRowid,
    );
  }
}

const writers = new WeakMap<Db, NodeWriter>();
export function nodeWriterOf(db: Db): NodeWriter {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = new NodeWriter(db)));
  return writer;
}
