/**
 * Cases and flow nodes on SQLite. Times are integer milliseconds (compact rows and
 * indexes at 10 M nodes). `next_at` is when the deadline engine must look at a node
 * next (its 临期 time, then its due time); the partial index on it lets the engine find
 * the next due node without scanning.
 */
import type { ClosureType, NodeState, NodeType, CaseKind } from '@cc/protocol';
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';
import type { Statement } from 'better-sqlite3';
import { nextWarnAt, warnStart, type WarnRule } from '../deadlines/reminders.js';
import { NodeStateCode, type StatsDelta } from '../stats/aggregates.js';
import { walCheckpointerOf } from '../store/checkpointer.js';

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
  {
    // flow_nodes rebuilt (SQLite cannot drop a UNIQUE constraint in place):
    // - the unique (case_id, type, cycle) index, ~30 bytes an entry, becomes a plain index on case_id
    //   (~8 bytes): a case's nodes are matched by type and cycle in CaseWriter, and the import checks
    //   reject a record naming one twice, so the constraint only cost every insert a wide entry;
    // - `staged` (see NodeWriter): open nodes a bulk import wrote outside the open-node index, which
    //   a sweep later adds in one pass; the open-node index leaves them out.
    id: 'cases-002',
    sql: `
      CREATE TABLE flow_nodes_next_gen (
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
        staged INTEGER
      );
      INSERT INTO flow_nodes_next_gen (id, case_id, court_code, type, cycle, started_at, due_at, done_at, state, next_at)
        SELECT id, case_id, court_code, type, cycle, started_at, due_at, done_at, state, next_at FROM flow_nodes ORDER BY id;
      DROP TABLE flow_nodes;
      ALTER TABLE flow_nodes_next_gen RENAME TO flow_nodes;
      CREATE INDEX flow_nodes_case ON flow_nodes(case_id);
      CREATE INDEX flow_nodes_next ON flow_nodes(next_at) WHERE next_at IS NOT NULL;
      CREATE INDEX flow_nodes_open ON flow_nodes(court_code, state, due_at) WHERE state IN (1, 2) AND staged IS NULL;
      CREATE INDEX flow_nodes_staged ON flow_nodes(id) WHERE staged IS NOT NULL;`,
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
  /** 1 while the node waits for the sweep into the open-node index (see NodeWriter.beginStaging). */
  staged?: number | null;
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

/** A node's state and next engine time at `now` (a 临期 node's: its next graded reminder, else its due time). */
export function nodeTiming(dueAt: number, doneAt: number | null, rule: WarnRule, now: number): { state: number; nextAt: number | null } {
  if (doneAt !== null) return { state: NodeStateCode.done, nextAt: null };
  if (now >= dueAt) return { state: NodeStateCode.overdue, nextAt: null };
  const warnAt = warnStart(dueAt, rule);
  if (now >= warnAt) return { state: NodeStateCode.due_soon, nextAt: nextWarnAt(dueAt, rule, now) };
  return { state: NodeStateCode.pending, nextAt: warnAt };
}

export interface NodeWrite {
  type: NodeType;
  cycle: number;
  startedAt: number;
  dueAt: number;
  doneAt: number | null;
}

const INSERT_NODES = 'INSERT INTO flow_nodes (case_id, court_code, type, cycle, started_at, due_at, done_at, state, next_at, staged)';
const NODE_COLUMNS = 10;
/** Rows per multi-row insert: 320 bound values, well under SQLite's limit of 32,766. */
const INSERT_ROWS = 32;

/**
 * Staged nodes swept into the open-node index per transaction: at 10 M nodes a sweep of 10,000
 * takes 73 ms (p50) / 146 ms (p99), no longer than a write slice; sweeps of 50,000 took up to
 * 0.5 s, holding the event loop that long, for no more throughput (BENCHMARKS.md).
 */
export const SWEEP_ROWS = 10_000;

/**
 * Prepared statements for writing nodes, made once per db.
 *
 * Staging: the open-node index (court, state, due) is ordered by due date, which in a bulk import
 * of historical cases is random, so every 临期/超期 node inserted dirtied its own index page and
 * every slice's commit rewrote thousands of pages (the import's largest cost at 10 M nodes,
 * BENCHMARKS.md "Hub case work"). While staging is on, open nodes are inserted with `staged = 1`,
 * outside that index (in a small index by id instead, which only grows at its end); `sweepStaged`
 * then adds them to the open-node index thousands at a time, so each index page is written once
 * per sweep rather than once per node. Nothing else reads `staged`: states, counts, the
 * deadline engine and case reads are the same for staged nodes; the open-node list (read.ts)
 * merges the staged ones in until they are swept.
 */
export class NodeWriter {
  private readonly insert;
  private readonly update;
  private readonly existing;
  private readonly sweep;
  private readonly anyStaged;
  private readonly inserts: Statement[] = [];
  private staging = 0;
  private sweeping: NodeJS.Immediate | null = null;
  private readonly swept: (() => void)[] = [];
  private closed = false;
  /** Nodes staged since the last sweep by this writer (a hint for when to sweep). */
  stagedSinceSweep = 0;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(`${INSERT_NODES} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.sweep = db.prepare('UPDATE flow_nodes SET staged = NULL WHERE id IN (SELECT id FROM flow_nodes WHERE staged IS NOT NULL LIMIT ?)');
    this.anyStaged = db.prepare('SELECT 1 FROM flow_nodes WHERE staged IS NOT NULL LIMIT 1').pluck();
    this.update = db.prepare(
      'UPDATE flow_nodes SET court_code = ?, started_at = ?, due_at = ?, done_at = ?, state = ?, next_at = ? WHERE id = ?',
    );
    this.existing = db.prepare('SELECT * FROM flow_nodes WHERE case_id = ?');
  }

  /**
   * Inserts a new case's nodes, up to INSERT_ROWS per statement (one statement per case in bulk
   * imports instead of one per node: the per-statement cost was a fifth of the node writes).
   */
  insertAll(caseId: number, court: string, nodes: readonly NodeWrite[], now: number, delta: StatsDelta): void {
    for (let from = 0; from < nodes.length; from += INSERT_ROWS) {
      const count = Math.min(INSERT_ROWS, nodes.length - from);
      const values: (string | number | null)[] = new Array(count * NODE_COLUMNS);
      let k = 0;
      for (let i = from; i < from + count; i++) {
        const node = nodes[i]!;
        const { state, nextAt } = nodeTiming(node.dueAt, node.doneAt, node.type.rule, now);
        delta.moveNode(court, null, state);
        const open = state === NodeStateCode.due_soon || state === NodeStateCode.overdue;
        if (open && this.staging > 0) this.stagedSinceSweep++;
        values[k++] = caseId;
        values[k++] = court;
        values[k++] = node.type.code;
        values[k++] = node.cycle;
        values[k++] = node.startedAt;
        values[k++] = node.dueAt;
        values[k++] = node.doneAt;
        values[k++] = state;
        values[k++] = nextAt;
        values[k++] = open && this.staging > 0 ? 1 : null;
      }
      // Spread, not the array: better-sqlite3 reads an array's values one property lookup at a
      // time, a fifth of an insert's cost; arguments it takes straight off the call.
      this.insertRows(count).run(...values);
    }
  }

  private insertRows(count: number) {
    let statement = this.inserts[count];
    if (!statement) {
      const row = `(${new Array(NODE_COLUMNS).fill('?').join(', ')})`;
      statement = this.inserts[count] = this.db.prepare(`${INSERT_NODES} VALUES ${new Array(count).fill(row).join(', ')}`);
    }
    return statement;
  }

  /** Stages open nodes inserted until the returned function is called (reference-counted). */
  beginStaging(): () => void {
    this.staging++;
    let ended = false;
    return () => {
      if (!ended) this.staging--;
      ended = true;
    };
  }

  /** Moves up to `limit` staged nodes into the open-node index, in one transaction; how many it moved. */
  sweepStaged(limit: number = SWEEP_ROWS): number {
    const moved = this.db.transaction(() => this.sweep.run(limit).changes)();
    this.stagedSinceSweep = Math.max(0, this.stagedSinceSweep - moved);
    return moved;
  }

  hasStaged(): boolean {
    return this.anyStaged.get() !== undefined;
  }

  /**
   * Sweeps every staged node soon, SWEEP_ROWS per turn of the event loop, as its own work rather
   * than as the tail of the import that staged them: the import is answered first, and the sweep
   * runs while the loop is otherwise idle (an importer's next body being parsed in the check
   * worker). Errors go to `onError`; the staged nodes stay listed and the next call retries.
   */
  scheduleSweep(onError: (error: unknown) => void): void {
    if (this.sweeping || this.closed) return;
    const turn = (): void => {
      this.sweeping = null;
      if (this.closed) return this.settle();
      try {
        if (this.sweepStaged() > 0 && this.hasStaged()) {
          this.sweeping = setImmediate(turn);
          return;
        }
        this.stagedSinceSweep = 0;
        // Nothing more to write for now: a checkpoint copying every frame back lets the next
        // import's first transaction restart the WAL, instead of that import waiting for the
        // copy between two of its slices (checkpointer.ts, makeRoom).
        walCheckpointerOf(this.db)
          ?.checkpoint()
          .catch(() => undefined);
      } catch (error) {
        onError(error);
      }
      this.settle();
    };
    this.sweeping = setImmediate(turn);
  }

  /** Resolves when no sweep is scheduled (after the current one, if any). */
  whenSwept(): Promise<void> {
    if (!this.sweeping) return Promise.resolve();
    return new Promise((resolve) => this.swept.push(resolve));
  }

  /** Stops sweeping (the hub is closing; staged nodes are swept at the next start). */
  close(): void {
    this.closed = true;
    if (this.sweeping) clearImmediate(this.sweeping);
    this.sweeping = null;
    this.settle();
  }

  private settle(): void {
    for (const resolve of this.swept.splice(0)) resolve();
  }

  nodesOf(caseId: number): NodeRow[] {
    return this.existing.all(caseId) as NodeRow[];
  }

  /** Inserts or updates (when `stored` is given) one node; returns its id. */
  write(caseId: number, court: string, node: NodeWrite, now: number, delta: StatsDelta, stored?: NodeRow): number {
    const { state, nextAt } = nodeTiming(node.dueAt, node.doneAt, node.type.rule, now);
    delta.moveNode(court, stored ? stored.state : null, state);
    if (stored) {
      this.update.run(court, node.startedAt, node.dueAt, node.doneAt, state, nextAt, stored.id);
      return stored.id;
    }
    const staged = this.staging > 0 && (state === NodeStateCode.due_soon || state === NodeStateCode.overdue) ? 1 : null;
    if (staged !== null) this.stagedSinceSweep++;
    return Number(
      this.insert.run(caseId, court, node.type.code, node.cycle, node.startedAt, node.dueAt, node.doneAt, state, nextAt, staged)
        .lastInsertRowid,
    );
  }
}

const writers = new WeakMap<Db, NodeWriter>();
export function nodeWriterOf(db: Db): NodeWriter {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = new NodeWriter(db)));
  return writer;
}
