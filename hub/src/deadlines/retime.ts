/**
 * Re-times open flow nodes after their due time's inputs changed (a deduction period, a
 * catalog rule). Improvements (overdue → pending …) are written at once; a node that must
 * become 临期/超期 keeps its state and gets `next_at` at the moment it should have changed,
 * so the deadline engine raises `node.*` events exactly as it does for the clock (in its
 * slices, no flood). A paused node (open deduction period) or one of an inactive type gets
 * no `next_at`: no warnings while its clock is stopped or its type is switched off.
 *
 * The due time without deductions (`base_due`) is kept in `node_due_bases` for nodes whose
 * due time carries a deduction; `applied_due` detects a node rewritten since (by an import).
 */
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';
import { NodeStateCode, type StatsDelta } from '../stats/aggregates.js';
import { catalogOf } from '../catalog/repository.js';
import { nextWarnAt, warnStart, type WarnRule } from './reminders.js';

export const deductionMigrations: Migration[] = [
  {
    id: 'deadlines-001',
    sql: `
      CREATE TABLE case_deductions (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL,
        reason TEXT NOT NULL,
        start_at INTEGER NOT NULL,
        end_at INTEGER,
        note TEXT NOT NULL DEFAULT '',
        recorded_by TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        ended_by TEXT
      );
      CREATE INDEX case_deductions_case ON case_deductions(case_id, start_at);
      CREATE TABLE node_due_bases (
        node_id INTEGER PRIMARY KEY,
        base_due INTEGER NOT NULL,
        applied_due INTEGER NOT NULL
      );`,
  },
];

/** An open node as re-timing reads it. */
export interface OpenNode {
  id: number;
  court_code: string;
  type: string;
  started_at: number;
  due_at: number;
  state: number;
  next_at: number | null;
}

/** A node's new due time and warning rule (`remindDays` absent: its type's stored reminders). */
export interface Retiming extends WarnRule {
  due: number;
  base: number;
  paused: boolean;
  active: boolean;
}

/** State and `next_at` for a node moving to `r.due` at `now` (see the file comment). */
export function retimedState(node: Pick<OpenNode, 'state'>, r: Retiming, now: number): { state: number; nextAt: number | null } {
  const warnAt = warnStart(r.due, r);
  const target = now >= r.due ? NodeStateCode.overdue : now >= warnAt ? NodeStateCode.due_soon : NodeStateCode.pending;
  if (target > node.state) {
    if (r.paused || !r.active) return { state: node.state, nextAt: null };
    return { state: node.state, nextAt: target === NodeStateCode.overdue ? r.due : warnAt };
  }
  if (r.paused || !r.active) return { state: target, nextAt: null };
  return {
    state: target,
    nextAt: target === NodeStateCode.pending ? warnAt : target === NodeStateCode.due_soon ? nextWarnAt(r.due, r, now) : null,
  };
}

/** Prepared statements for re-timing, made once per db. */
export class NodeRetimer {
  private readonly update;
  private readonly getBase;
  private readonly putBase;
  private readonly dropBase;

  constructor(private readonly db: Db) {
    this.update = db.prepare('UPDATE flow_nodes SET due_at = ?, state = ?, next_at = ? WHERE id = ?');
    this.getBase = db.prepare('SELECT base_due, applied_due FROM node_due_bases WHERE node_id = ?');
    this.putBase = db.prepare(
      `INSERT INTO node_due_bases (node_id, base_due, applied_due) VALUES (?, ?, ?)
       ON CONFLICT(node_id) DO UPDATE SET base_due = excluded.base_due, applied_due = excluded.applied_due`,
    );
    this.dropBase = db.prepare('DELETE FROM node_due_bases WHERE node_id = ?');
  }

  /** The node's due time without deductions, and whether one is stored for it. */
  baseOf(node: Pick<OpenNode, 'id' | 'due_at'>): { base: number; stored: boolean } {
    const row = this.getBase.get(node.id) as { base_due: number; applied_due: number } | undefined;
    if (!row) return { base: node.due_at, stored: false };
    return { base: row.applied_due === node.due_at ? row.base_due : node.due_at, stored: true };
  }

  /** Writes the node's new timing; returns true when its due time moved. */
  apply(node: OpenNode, r: Retiming, now: number, delta: StatsDelta, hadBase: boolean): boolean {
    // Deduction re-timing (cases/deductions.ts) passes only `warnDays`: the reminders come from the catalog.
    const remindDays = r.remindDays ?? catalogOf(this.db).get(node.type)?.rule.remindDays;
    const { state, nextAt } = retimedState(node, remindDays ? { ...r, remindDays } : r, now);
    if (r.due !== r.base) this.putBase.run(node.id, r.base, r.due);
    else if (hadBase) this.dropBase.run(node.id);
    if (r.due === node.due_at && state === node.state && nextAt === node.next_at) return false;
    this.update.run(r.due, state, nextAt, node.id);
    delta.moveNode(node.court_code, node.state, state);
    return r.due !== node.due_at;
  }
}

const retimers = new WeakMap<Db, NodeRetimer>();
export function nodeRetimerOf(db: Db): NodeRetimer {
  let retimer = retimers.get(db);
  if (!retimer) retimers.set(db, (retimer = new NodeRetimer(db)));
  return retimer;
}
