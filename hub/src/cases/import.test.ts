import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportReport } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { importCases } from './import.js';
import { startTestHub, type TestHub } from './test-support.js';

let hub: TestHub;
beforeEach(async () => {
  hub = await startTestHub();
});
afterEach(async () => {
  await hub.close();
});

const record = (caseNo: string, extra: Record<string, unknown> = {}) => ({
  caseNo,
  court: 'A1',
  kind: 'first',
  filedAt: '2026-05-01',
  amountOwed: 10000,
  nodes: [
    { type: 'network_inquiry', startedAt: '2026-05-01', doneAt: '2026-05-02' },
    { type: 'funds_payout', startedAt: '2026-05-20' },
  ],
  ...extra,
});
const count = (sql: string): number => (hub.ctx.db.prepare(sql).get() as { n: number }).n;

describe('case import (real SQLite file)', () => {
  it('imports cases with nodes, computes due times and states, and is idempotent by case number', () => {
    const first = importCases(hub.ctx, SYSTEM_ACTOR, [record('(2026)甲执1号'), record('(2026)甲执2号')]);
    expect(first).toMatchObject({ received: 2, accepted: 2, created: 2, updated: 0, nodes: 4, rejected: [] });
    const again = importCases(hub.ctx, SYSTEM_ACTOR, [record('(2026)甲执1号', { amountRecovered: 500 })]);
    expect(again).toMatchObject({ accepted: 1, created: 0, updated: 1 });
    expect(count('SELECT COUNT(*) AS n FROM cases')).toBe(2);
    expect(count('SELECT COUNT(*) AS n FROM flow_nodes')).toBe(4);
    const payout = hub.ctx.db.prepare("SELECT due_at, state FROM flow_nodes WHERE type = 'funds_payout' LIMIT 1").get() as {
      due_at: number;
      state: number;
    };
    // 30 days after 2026-05-20 (start day not counted): the period ends with 2026-06-19, China time.
    expect(new Date(payout.due_at).toISOString()).toBe('2026-06-19T16:00:00.000Z');
    expect(payout.state).toBe(0); // pending: 临期 starts 10 days before the due time
  });

  it('rejects bad rows with reasons and writes only the good ones', () => {
    const report: ImportReport = importCases(hub.ctx, SYSTEM_ACTOR, [
      record('(2026)甲执10号'),
      record('(2026)甲执11号', { court: 'ZZ9' }),
      record('(2026)甲执12号', { filedAt: '2026-07-01' }),
      record('(2026)甲执13号', { amountOwed: 'lots' }),
      record('(2026)甲执14号', { colour: 'red' }),
      record('(2026)甲执15号', { nodes: [{ type: 'no_such_node', startedAt: '2026-05-01' }] }),
      record('(2026)甲执16号'),
      record('(2026)甲执16号'),
      record('(2026)甲执17号', { closedAt: '2026-05-30', closureType: 'completed' }),
      record('(2026)甲执18号', { filedAt: '2026-02-30' }),
      record('(2026)甲执19号', { closedAt: '2026-05-30' }),
    ]);
    expect(report.accepted).toBe(1);
    expect(report.rejected.map((r) => [r.row, r.reason])).toEqual([
      [1, 'unknown_court'],
      [2, 'future_date'],
      [3, 'invalid'],
      [4, 'unknown_field'],
      [5, 'unknown_node_type'],
      [6, 'duplicate_case_no'],
      [7, 'duplicate_case_no'],
      [8, 'closure_blocked'],
      [9, 'invalid'],
      [10, 'invalid'],
    ]);
    expect(report.rejected[8]?.detail).toContain('filedAt');
    expect(report.rejected[9]?.detail).toContain('closedAt and closureType go together');
    expect(report.rejected[7]?.detail).toContain('funds_payout');
    expect(count('SELECT COUNT(*) AS n FROM cases')).toBe(1);
  });
});
