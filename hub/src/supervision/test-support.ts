/** Shared set-up of the supervision tests: a test hub with a few cases, orders written straight to the table. */
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { importCases } from '../cases/import.js';
import { startTestHub, type TestHub } from '../cases/test-support.js';
import { nextEscalation } from './store.js';

/** The due time of every order these tests write. */
export const DUE = '2026-07-01T00:00:00Z';

/** A test hub holding one first-instance case per [case number, court]. */
export async function hubWithCases(cases: readonly (readonly [caseNo: string, court: string])[]): Promise<TestHub> {
  const hub = await startTestHub();
  importCases(
    hub.ctx,
    SYSTEM_ACTOR,
    cases.map(([caseNo, court]) => ({ caseNo, court, kind: 'first', filedAt: '2026-05-01', amountOwed: 1 })),
  );
  return hub;
}

export interface StoredOrder {
  id: string;
  caseNo: string;
  court: string;
  state: 'issued' | 'replied';
  createdAt: number;
}

/** Writes orders due at DUE straight to the table, in one transaction (thousands of them in a test). */
export function writeOrders(hub: TestHub, orders: readonly StoredOrder[]): void {
  const due = Date.parse(DUE);
  const insert = hub.ctx.db.prepare(
    `INSERT INTO supervision_orders (id, case_no, node_id, court_code, issuer_id, issuer_name, content, due_at, state, level, next_escalation_at, created_at)
     VALUES (?, ?, NULL, ?, 'p', '值班员', 'x', ?, ?, 0, ?, ?)`,
  );
  hub.ctx.db.transaction(() => {
    for (const o of orders) insert.run(o.id, o.caseNo, o.court, due, o.state, nextEscalation(due, 0), o.createdAt);
  })();
}
