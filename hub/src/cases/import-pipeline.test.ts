import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';
import { flushDeferredDays } from '../stats/aggregates.js';
import { checkWorkerOf } from './check-pool.js';
import { importCases } from './import.js';
import { importCasesSliced } from './import-sliced.js';
import { startTestHub, type TestHub } from './test-support.js';

// Two hubs on real SQLite files: one imports through the worker pipeline, the other with the
// single-thread path (`importCases`); reports and stored rows must be the same.
let piped: TestHub;
let single: TestHub;
beforeEach(async () => {
  [piped, single] = await Promise.all([startTestHub(), startTestHub()]);
});
afterEach(async () => {
  await Promise.all([piped.close(), single.close()]);
});

const good = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  caseNo: `(2026)甲执${i}号`,
  court: i % 2 === 0 ? 'A1' : 'B1',
  kind: i % 3 === 0 ? 'resumed' : 'first',
  filedAt: '2026-05-01',
  amountOwed: 1000 + i,
  handler: `承办人${i}`,
  nodes: [
    { type: 'network_inquiry', startedAt: '2026-05-01', doneAt: '2026-05-02' },
    { type: 'funds_payout', startedAt: '2026-05-20' },
    { type: 'handler_assignment', startedAt: '2026-05-01', dueAt: '2026-05-10' },
  ],
  ...extra,
});

/** 40 records, bad ones spread over the slices (slice size 7 below). */
function records(): Record<string, unknown>[] {
  const list = Array.from({ length: 40 }, (_, i) => good(i));
  list[3] = good(3, { court: 'ZZ9' });
  list[9] = good(9, { amountOwed: 'lots' });
  list[15] = good(15, { colour: 'red' });
  list[16] = good(16, { nodes: [{ type: 'no_such_node', startedAt: '2026-05-01' }] });
  list[22] = good(22, { closedAt: '2026-05-30', closureType: 'completed' }); // open funds_payout blocks it
  list[23] = good(5);
  list[30] = good(30, { filedAt: '2026-07-01' });
  list[31] = good(31, { closedAt: '2026-05-30', closureType: 'terminated_current', amountRecovered: 10, nodes: [] });
  list[39] = good(39, { nodes: [{ type: 'terminated_recheck', cycle: 1, startedAt: '2026-05-01', doneAt: '2026-05-03' }] });
  return list;
}

// The day figures as a statistics query reads them (held ones written first).
const stored = (db: Db) => {
  flushDeferredDays(db);
  return {
    cases: db.prepare('SELECT * FROM cases ORDER BY case_no').all(),
    nodes: db
      .prepare(
        `SELECT c.case_no, n.court_code, n.type, n.cycle, n.started_at, n.due_at, n.done_at, n.state, n.next_at
       FROM flow_nodes n JOIN cases c ON c.id = n.case_id ORDER BY c.case_no, n.type, n.cycle`,
      )
      .all(),
    days: db.prepare('SELECT * FROM case_day_stats ORDER BY day, court_code').all(),
    states: db.prepare('SELECT * FROM node_state_counts ORDER BY court_code, state').all(),
  };
};

describe('import pipeline (check worker + writes on the hub thread)', () => {
  it('gives the same report and the same rows as the single-thread path', async () => {
    const input = records();
    const checkpointPages = piped.ctx.db.pragma('wal_autocheckpoint', { simple: true });
    const report = await importCasesSliced(piped.ctx, SYSTEM_ACTOR, input, undefined, { slice: 7, worker: true });
    const expected = importCases(single.ctx, SYSTEM_ACTOR, input);
    expect((await checkWorkerOf(piped.ctx)).checkedSlices).toBe(6);
    expect(report).toEqual(expected);
    expect(report.rejected.map((r) => [r.row, r.reason])).toEqual([
      [3, 'unknown_court'],
      [5, 'duplicate_case_no'],
      [9, 'invalid'],
      [15, 'unknown_field'],
      [16, 'unknown_node_type'],
      [22, 'closure_blocked'],
      [23, 'duplicate_case_no'],
      [30, 'future_date'],
    ]);
    expect(report.accepted).toBe(32);
    expect(stored(piped.ctx.db)).toEqual(stored(single.ctx.db));
    expect(piped.ctx.db.pragma('wal_autocheckpoint', { simple: true })).toBe(checkpointPages); // bulk mode left
    // 终本 closure got its re-check node; the done recurring node its next cycle.
    const types = (stored(piped.ctx.db).nodes as { type: string; cycle: number }[]).map((n) => `${n.type}|${n.cycle}`);
    expect(types).toContain('terminated_recheck|0');
    expect(types).toContain('terminated_recheck|2');
  });

  it('re-imports idempotently through the worker (updates, no duplicates)', async () => {
    const input = records();
    await importCasesSliced(piped.ctx, SYSTEM_ACTOR, input, undefined, { slice: 7, worker: true });
    const again = await importCasesSliced(piped.ctx, SYSTEM_ACTOR, input, undefined, { slice: 7, worker: true });
    importCases(single.ctx, SYSTEM_ACTOR, input);
    expect(again).toEqual(importCases(single.ctx, SYSTEM_ACTOR, input));
    expect(again).toMatchObject({ accepted: 32, created: 0, updated: 32 });
    expect(stored(piped.ctx.db)).toEqual(stored(single.ctx.db));
  });

  it('rejects only the malformed record of a later slice; the other rows of that slice are written', async () => {
    const input = Array.from({ length: 30 }, (_, i) => good(i));
    input[17] = { caseNo: '(2026)甲执17号', court: 'A1', kind: 'first', filedAt: 'yesterday', amountOwed: 1, nodes: 'none' };
    const report = await importCasesSliced(piped.ctx, SYSTEM_ACTOR, input, undefined, { slice: 5, worker: true });
    expect(report.rejected.map((r) => [r.row, r.caseNo, r.reason])).toEqual([[17, '(2026)甲执17号', 'invalid']]);
    expect(report).toMatchObject({ accepted: 29, created: 29, nodes: 87 });
    const written = piped.ctx.db.prepare("SELECT case_no FROM cases WHERE case_no LIKE '(2026)甲执1_号' ORDER BY case_no").all();
    expect(written.map((r) => (r as { case_no: string }).case_no)).toEqual(
      [10, 11, 12, 13, 14, 15, 16, 18, 19].map((i) => `(2026)甲执${i}号`),
    );
  });

  it('checks on the hub thread what cannot go to the worker, with the same verdicts', async () => {
    const input = Array.from({ length: 12 }, (_, i) => good(i));
    input[8] = { ...good(8), handler: () => 'not data' }; // not cloneable, as no JSON record is
    const report = await importCasesSliced(piped.ctx, SYSTEM_ACTOR, input, undefined, { slice: 4, worker: true });
    expect(report).toEqual(importCases(single.ctx, SYSTEM_ACTOR, input));
    expect(report.rejected.map((r) => [r.row, r.reason])).toEqual([[8, 'invalid']]);
    expect(stored(piped.ctx.db)).toEqual(stored(single.ctx.db));
  });

  it('starts a new worker for the next import after the worker died', async () => {
    const first = await checkWorkerOf(piped.ctx);
    await first.close();
    expect(first.alive).toBe(false);
    const input = records();
    const report = await importCasesSliced(piped.ctx, SYSTEM_ACTOR, input, undefined, { slice: 7, worker: true });
    const second = await checkWorkerOf(piped.ctx);
    expect(second).not.toBe(first);
    expect(second.checkedSlices).toBe(6);
    expect(report).toEqual(importCases(single.ctx, SYSTEM_ACTOR, input));
  });

  it('writes one audit entry per slice that has rows to write, and one for an import with none', async () => {
    const audit = () =>
      (piped.ctx.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'cases.import'").get() as { n: number }).n;
    await importCasesSliced(
      piped.ctx,
      SYSTEM_ACTOR,
      Array.from({ length: 10 }, (_, i) => good(i)),
      undefined,
      { slice: 4, worker: true },
    );
    expect(audit()).toBe(3);
    const none = await importCasesSliced(piped.ctx, SYSTEM_ACTOR, [good(1, { court: 'ZZ9' }), good(2, { court: 'ZZ9' })], undefined, {
      slice: 1,
      worker: true,
    });
    expect(none).toMatchObject({ received: 2, accepted: 0 });
    expect(audit()).toBe(4);
  });
});
