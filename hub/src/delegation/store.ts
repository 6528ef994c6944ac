/** 事项委托 rows on SQLite and the deadline source that flags overdue delegations (once). */
import type { Delegation } from '@cc/protocol';
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';
import { iso } from '../deadlines/calendar.js';
import type { DeadlineSource } from '../deadlines/engine.js';

export const delegationMigrations: Migration[] = [
  {
    id: 'delegation-001',
    sql: `
      CREATE TABLE delegations (
        id TEXT PRIMARY KEY,
        from_court TEXT NOT NULL,
        to_court TEXT NOT NULL,
        case_no TEXT,
        item TEXT NOT NULL,
        content TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        overdue INTEGER NOT NULL DEFAULT 0,
        watch_at INTEGER,
        result TEXT NOT NULL DEFAULT '',
        receipt_no TEXT NOT NULL DEFAULT '',
        reject_reason TEXT NOT NULL DEFAULT '',
        created_by_id TEXT NOT NULL,
        created_by_name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX delegations_from ON delegations(from_court, created_at);
      CREATE INDEX delegations_to ON delegations(to_court, created_at);
      CREATE INDEX delegations_watch ON delegations(watch_at) WHERE watch_at IS NOT NULL;`,
  },
];

export interface DelegationRow {
  id: string;
  from_court: string;
  to_court: string;
  case_no: string | null;
  item: Delegation['item'];
  content: string;
  due_at: number;
  state: Delegation['state'];
  overdue: number;
  /** The due time while the delegation is open and not yet flagged overdue. */
  watch_at: number | null;
  result: string;
  receipt_no: string;
  reject_reason: string;
  created_by_id: string;
  created_by_name: string;
  created_at: number;
  updated_at: number;
}

export const toDelegation = (r: DelegationRow): Delegation => ({
  id: r.id,
  fromCourt: r.from_court,
  toCourt: r.to_court,
  caseNo: r.case_no,
  item: r.item,
  content: r.content,
  dueAt: iso(r.due_at),
  state: r.state,
  overdue: r.overdue === 1,
  result: r.result,
  receiptNo: r.receipt_no,
  rejectReason: r.reject_reason,
  createdBy: { id: r.created_by_id, name: r.created_by_name },
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export function delegationDeadlineSource(db: Db): DeadlineSource {
  const next = db.prepare('SELECT MIN(watch_at) AS at FROM delegations WHERE watch_at IS NOT NULL');
  const due = db.prepare('SELECT * FROM delegations WHERE watch_at IS NOT NULL AND watch_at <= ? ORDER BY watch_at LIMIT ?');
  const flag = db.prepare('UPDATE delegations SET overdue = 1, watch_at = NULL WHERE id = ?');
  return {
    name: 'delegation',
    nextAt: () => (next.get() as { at: number | null }).at,
    fire({ emit }, now, limit) {
      const rows = due.all(now, limit) as DelegationRow[];
      for (const r of rows) {
        flag.run(r.id);
        const data = { id: r.id, fromCourt: r.from_court, toCourt: r.to_court, dueAt: iso(r.due_at) };
        emit({ type: 'delegation.overdue', court: r.to_court, data });
        emit({ type: 'delegation.overdue', court: r.from_court, data });
      }
      return rows.length;
    },
  };
}
