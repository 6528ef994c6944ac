/** 督办 orders and their history on SQLite; the deadline source that escalates overdue orders. */
import type { SupervisionOrder } from '@cc/protocol';
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';
import { DAY_MS, iso, isoOrNull } from '../deadlines/calendar.js';
import type { DeadlineSource } from '../deadlines/engine.js';

export const supervisionMigrations: Migration[] = [
  {
    id: 'supervision-001',
    sql: `
      CREATE TABLE supervision_orders (
        id TEXT PRIMARY KEY,
        case_no TEXT NOT NULL,
        node_id INTEGER,
        court_code TEXT NOT NULL,
        issuer_id TEXT NOT NULL,
        issuer_name TEXT NOT NULL,
        content TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        level INTEGER NOT NULL DEFAULT 0,
        next_escalation_at INTEGER,
        created_at INTEGER NOT NULL,
        closed_at INTEGER
      );
      CREATE INDEX supervision_court ON supervision_orders(court_code, state);
      CREATE INDEX supervision_closed ON supervision_orders(court_code, closed_at) WHERE closed_at IS NOT NULL;
      CREATE INDEX supervision_escalation ON supervision_orders(next_escalation_at) WHERE next_escalation_at IS NOT NULL;
      CREATE TABLE supervision_history (
        id INTEGER PRIMARY KEY,
        order_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor_id TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        action TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX supervision_history_order ON supervision_history(order_id, id);`,
  },
  {
    // The case panel lists one case's orders, newest first: without this the list scans every order.
    id: 'supervision-002',
    sql: 'CREATE INDEX supervision_case ON supervision_orders(case_no, created_at);',
  },
  {
    // The list pages by (created_at, id), newest first: one index per way in (a case, a court, all
    // orders) walks a page in that order, without a sort of every matching order.
    id: 'supervision-003',
    sql: `
      DROP INDEX supervision_case;
      CREATE INDEX supervision_case ON supervision_orders(case_no, created_at, id);
      CREATE INDEX supervision_court_created ON supervision_orders(court_code, created_at, id);
      CREATE INDEX supervision_created ON supervision_orders(created_at, id);`,
  },
];

/** Escalation levels: at the deadline, 3 days and 7 days after (flow-nodes.md §0 thresholds, design default). */
export const ESCALATION_OFFSETS_DAYS = [0, 3, 7];

export const nextEscalation = (dueAt: number, level: number): number | null => {
  const offset = ESCALATION_OFFSETS_DAYS[level];
  return offset === undefined ? null : dueAt + offset * DAY_MS;
};

export interface OrderRow {
  id: string;
  case_no: string;
  node_id: number | null;
  court_code: string;
  issuer_id: string;
  issuer_name: string;
  content: string;
  due_at: number;
  state: SupervisionOrder['state'];
  level: number;
  next_escalation_at: number | null;
  created_at: number;
  closed_at: number | null;
}

export const toOrder = (r: OrderRow): SupervisionOrder => ({
  id: r.id,
  caseNo: r.case_no,
  nodeId: r.node_id,
  court: r.court_code,
  issuer: { id: r.issuer_id, name: r.issuer_name },
  content: r.content,
  dueAt: iso(r.due_at),
  state: r.state,
  level: r.level,
  createdAt: iso(r.created_at),
  closedAt: isoOrNull(r.closed_at),
});

export function addHistory(
  db: Db,
  orderId: string,
  at: number,
  actor: { id: string; name: string },
  action: string,
  comment: string,
): void {
  db.prepare('INSERT INTO supervision_history (order_id, at, actor_id, actor_name, action, comment) VALUES (?, ?, ?, ?, ?, ?)').run(
    orderId,
    at,
    actor.id,
    actor.name,
    action,
    comment,
  );
}

export function historyOf(db: Db, orderId: string): NonNullable<SupervisionOrder['history']> {
  const rows = db.prepare('SELECT * FROM supervision_history WHERE order_id = ? ORDER BY id').all(orderId) as {
    at: number;
    actor_id: string;
    actor_name: string;
    action: NonNullable<SupervisionOrder['history']>[number]['action'];
    comment: string;
  }[];
  return rows.map((r) => ({ at: iso(r.at), actor: { id: r.actor_id, name: r.actor_name }, action: r.action, comment: r.comment }));
}

/** Escalates orders whose court has not answered by the deadline (and again at each later level). */
export function supervisionDeadlineSource(db: Db): DeadlineSource {
  const next = db.prepare('SELECT MIN(next_escalation_at) AS at FROM supervision_orders WHERE next_escalation_at IS NOT NULL');
  const due = db.prepare(
    'SELECT * FROM supervision_orders WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= ? ORDER BY next_escalation_at LIMIT ?',
  );
  const update = db.prepare('UPDATE supervision_orders SET level = ?, next_escalation_at = ? WHERE id = ?');
  return {
    name: 'supervision',
    nextAt: () => (next.get() as { at: number | null }).at,
    fire({ emit }, now, limit) {
      const rows = due.all(now, limit) as OrderRow[];
      for (const r of rows) {
        const level = r.level + 1;
        update.run(level, nextEscalation(r.due_at, level), r.id);
        addHistory(db, r.id, now, { id: 'system', name: '系统' }, 'escalated', `level ${level}`);
        emit({ type: 'supervision.escalated', court: r.court_code, data: { id: r.id, caseNo: r.case_no, dueAt: iso(r.due_at), level } });
      }
      return rows.length;
    },
  };
}

/** Per court: open orders now, escalated open orders, orders closed in [fromMs, toMs). */
export function supervisionCounts(db: Db, fromMs: number, toMs: number): Map<string, { open: number; escalated: number; closed: number }> {
  const rows = db
    .prepare(
      `SELECT court_code, SUM(state != 'accepted') AS open, SUM(state != 'accepted' AND level > 0) AS escalated,
         SUM(closed_at >= @fromMs AND closed_at < @toMs) AS closed
       FROM supervision_orders GROUP BY court_code`,
    )
    .all({ fromMs, toMs }) as { court_code: string; open: number; escalated: number; closed: number }[];
  return new Map(rows.map((r) => [r.court_code, { open: r.open, escalated: r.escalated, closed: r.closed }]));
}
