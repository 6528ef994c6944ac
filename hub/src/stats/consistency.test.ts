import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { importCases } from '../cases/import.js';
import { startTestHub, type TestHub } from '../cases/test-support.js';
import { DAY_MS } from '../deadlines/calendar.js';
import { deadlineEngineOf } from '../deadlines/index.js';

let hub: TestHub;
beforeEach(async () => {
  hub = await startTestHub();
});
afterEach(async () => {
  await hub.close();
});

const rows = (sql: string): unknown[] => hub.ctx.db.prepare(sql).all();

/** The incremental aggregates must equal what a full recount of the tables gives. */
function expectAggregatesMatchTables(): void {
  expect(rows('SELECT court_code, state, n FROM node_state_counts WHERE n != 0 ORDER BY court_code, state')).toEqual(
    rows(
      'SELECT court_code, state, COUNT(*) AS n FROM flow_nodes WHERE state IN (1, 2) GROUP BY court_code, state ORDER BY court_code, state',
    ),
  );
  expect(rows('SELECT court_code, received, closed FROM court_case_totals WHERE received != 0 OR closed != 0 ORDER BY court_code')).toEqual(
    rows('SELECT court_code, COUNT(*) AS received, COUNT(closed_at) AS closed FROM cases GROUP BY court_code ORDER BY court_code'),
  );
  const byMonth = rows(
    `SELECT court_code, month, SUM(received) AS received, SUM(closed) AS closed, SUM(recovered_closed) AS recovered
     FROM case_month_stats GROUP BY court_code, month HAVING received != 0 OR closed != 0 ORDER BY court_code, month`,
  );
  const byDay = rows(
    `SELECT court_code, CAST(strftime('%Y', day * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', day * 86400, 'unixepoch') AS INTEGER) - 1 AS month,
       SUM(received) AS received, SUM(closed) AS closed, SUM(recovered_closed) AS recovered
     FROM case_day_stats GROUP BY court_code, month HAVING received != 0 OR closed != 0 ORDER BY court_code, month`,
  );
  expect(byMonth).toEqual(byDay);
}

describe('incremental statistics stay equal to a recount', () => {
  it('after imports, re-imports that move a case to another court, ticks, completions and closures', async () => {
    const nodes = [
      { type: 'network_inquiry', startedAt: '2026-05-20' },
      { type: 'funds_payout', startedAt: '2026-05-25' },
      { type: 'deposit_freeze_expiry', startedAt: '2025-06-10' },
    ];
    const records = Array.from({ length: 40 }, (_, i) => ({
      caseNo: `(2026)甲执${i}号`,
      court: i % 2 ? 'A1' : 'B1',
      kind: 'first',
      filedAt: `2026-0${1 + (i % 5)}-1${i % 10}`,
      amountOwed: 1000 + i,
      ...(i % 4 === 0 ? { closedAt: '2026-05-30', closureType: 'terminated', amountRecovered: 10 * i } : {}),
      nodes,
    }));
    importCases(hub.ctx, SYSTEM_ACTOR, records);
    expectAggregatesMatchTables();
    // Re-import: some cases change court, closure and amounts; nodes partly done now.
    importCases(
      hub.ctx,
      SYSTEM_ACTOR,
      records.slice(0, 20).map((r, i) => ({
        ...r,
        court: i % 3 ? r.court : 'H1',
        closedAt: '2026-05-31',
        closureType: 'not_enforced',
        amountRecovered: 5,
        nodes: [{ ...nodes[1], doneAt: '2026-05-31' }],
      })),
    );
    expectAggregatesMatchTables();
    const engine = deadlineEngineOf(hub.ctx.db);
    for (let d = 0; d < 40; d++) {
      hub.clock.now += DAY_MS;
      while (Object.values(engine.tick().handled).some((n) => n > 0));
    }
    expectAggregatesMatchTables();
    await hub.relogin();
    const open = hub.ctx.db
      .prepare('SELECT n.id, c.case_no FROM flow_nodes n JOIN cases c ON c.id = n.case_id WHERE n.done_at IS NULL LIMIT 5')
      .all() as {
      id: number;
      case_no: string;
    }[];
    for (const n of open) {
      const done = await hub.request(
        'POST',
        `/api/v1/cases/${encodeURIComponent(n.case_no)}/nodes/${n.id}/complete`,
        hub.tokens.officer,
        {},
      );
      expect(done.status).toBe(200);
    }
    expectAggregatesMatchTables();
  });
});
