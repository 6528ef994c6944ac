/**
 * Deadline source for flow nodes: pending → 临期 at the warn time, a repeated `node.due_soon` at each
 * graded reminder (deadlines/reminders.ts), → 超期 at the due time (active types only).
 */
import { catalogOf } from '../catalog/repository.js';
import type { Db } from '../store/database.js';
import { NodeStateCode, StatsDelta } from '../stats/aggregates.js';
import { iso } from './calendar.js';
import type { DeadlineSource } from './engine.js';
import { daysLeftAt, nextWarnAt } from './reminders.js';

interface DueRow {
  id: number;
  court_code: string;
  type: string;
  due_at: number;
  state: number;
  case_no: string;
}

export function nodeDeadlineSource(db: Db): DeadlineSource {
  const next = db.prepare('SELECT MIN(next_at) AS at FROM flow_nodes WHERE next_at IS NOT NULL');
  const due = db.prepare(
    `SELECT n.id, n.court_code, n.type, n.due_at, n.state, c.case_no FROM flow_nodes n JOIN cases c ON c.id = n.case_id
     WHERE n.next_at IS NOT NULL AND n.next_at <= ? ORDER BY n.next_at LIMIT ?`,
  );
  const update = db.prepare('UPDATE flow_nodes SET state = ?, next_at = ? WHERE id = ?');
  return {
    name: 'nodes',
    nextAt: () => (next.get() as { at: number | null }).at,
    fire({ emit }, now, limit) {
      const rows = due.all(now, limit) as DueRow[];
      const delta = new StatsDelta();
      const catalog = catalogOf(db);
      for (const n of rows) {
        if (catalog.get(n.type)?.active === false) {
          // A switched-off type raises no new warnings (catalog/recompute.ts re-arms it when switched on).
          update.run(n.state, null, n.id);
          continue;
        }
        const data = { nodeId: n.id, caseNo: n.case_no, type: n.type, dueAt: iso(n.due_at) };
        if (now >= n.due_at) {
          update.run(NodeStateCode.overdue, null, n.id);
          delta.moveNode(n.court_code, n.state, NodeStateCode.overdue);
          emit({ type: 'node.overdue', court: n.court_code, data });
          continue;
        }
        // Entering 临期, or a graded reminder of a node already 临期 (state and counts unchanged).
        const rule = catalog.get(n.type)?.rule ?? { warnDays: 0 };
        update.run(NodeStateCode.due_soon, nextWarnAt(n.due_at, rule, now), n.id);
        delta.moveNode(n.court_code, n.state, NodeStateCode.due_soon);
        const daysLeft = daysLeftAt(n.due_at, rule, now);
        const reminder = n.state === NodeStateCode.due_soon;
        emit({ type: 'node.due_soon', court: n.court_code, data: { ...data, daysLeft, ...(reminder ? { reminder } : {}) } });
      }
      delta.apply(db);
      return rows.length;
    },
  };
}
