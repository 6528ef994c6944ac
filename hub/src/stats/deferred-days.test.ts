import { afterEach, describe, expect, it, vi } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { checkRecords, importCases, writeChecked } from '../cases/import.js';
import { importCasesSliced } from '../cases/import-sliced.js';
import { writeSlices } from '../cases/import-pipeline.js';
import { restartableHubs, type TestHub } from '../cases/test-support.js';
import type { Db } from '../store/database.js';
import { DeferredDayStats, deferredDayStatsOf, flushDeferredDays, IDLE_MS } from './aggregates.js';

// Bulk imports leave their day and month figures to be written when the hub is idle, or before a
// statistics query reads them (DeferredDayStats): the figures must end up exactly as a
// one-transaction import's, also when a slice fails, no query may see them lag, and they are
// recounted at the next start when the hub stopped before they were written.
const hubs = restartableHubs('cc-hub-deferred-');
const hub = (dataDir?: string): Promise<TestHub> => hubs.start(dataDir);
afterEach(() => hubs.cleanup());

/** Case i: filed on one of 40 days, half of them closed (completed or 终本) with amounts. */
const record = (i: number): Record<string, unknown> => {
  const filed = `2026-0${1 + (i % 4)}-${String(1 + (i % 28)).padStart(2, '0')}`;
  const closed = i % 2 === 0;
  return {
    caseNo: `(2026)丁执${i}号`,
    court: ['A1', 'B1', 'H1'][i % 3],
    kind: 'first',
    filedAt: filed,
    amountOwed: 1000 + i,
    dishonestCount: i % 5 === 0 ? 1 : 0,
    inquiryCount: i % 3,
    nodes: [{ type: 'network_inquiry', startedAt: filed, ...(closed || i % 7 === 0 ? { doneAt: filed } : {}) }],
    ...(closed
      ? {
          closedAt: '2026-05-20',
          closureType: i % 4 === 0 ? 'completed' : 'terminated_current',
          amountRecovered: i % 4 === 0 ? 1000 + i : 10,
        }
      : {}),
  };
};
const records = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => record(from + k));

/** Every statistics row a statistics query reads. */
const figures = (db: Db) => ({
  days: db.prepare('SELECT * FROM case_day_stats WHERE received != 0 OR closed != 0 ORDER BY day, court_code').all(),
  months: db.prepare('SELECT * FROM case_month_stats WHERE received != 0 OR closed != 0 ORDER BY month, court_code').all(),
  totals: db.prepare('SELECT * FROM court_case_totals ORDER BY court_code').all(),
  nodes: db.prepare('SELECT * FROM node_state_counts WHERE n != 0 ORDER BY court_code, state').all(),
});
const received = (db: Db): number => (db.prepare('SELECT COALESCE(SUM(received), 0) AS n FROM case_day_stats').get() as { n: number }).n;
const marks = (db: Db): number => (db.prepare('SELECT COUNT(*) AS n FROM stats_deferred').get() as { n: number }).n;

describe('day and month figures of a bulk import', () => {
  it('are held through the import and written later, equal to a one-transaction import of the same records', async () => {
    const [sliced, single] = await Promise.all([hub(), hub()]);
    importCases(sliced.ctx, SYSTEM_ACTOR, records(0, 10));
    importCases(single.ctx, SYSTEM_ACTOR, records(0, 10));
    // Probe between slices: the cases are there, their day figures not yet, and the import is marked.
    const probes: { cases: number; received: number; marks: number }[] = [];
    const db = sliced.ctx.db;
    let probing = true;
    const probe = (): void => {
      if (!probing) return;
      probes.push({
        cases: (db.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n,
        received: received(db),
        marks: marks(db),
      });
      setImmediate(probe);
    };
    setImmediate(probe);
    // Re-imports (updated cases: their old figures come off) and new cases, in slices of 7.
    const list = [...records(5, 10).map((r) => ({ ...r, amountOwed: 5 })), ...records(10, 60)];
    const report = await importCasesSliced(sliced.ctx, SYSTEM_ACTOR, list, undefined, { slice: 7, worker: false });
    probing = false;
    expect(report).toMatchObject({ accepted: 55, created: 50, updated: 5 });
    importCases(single.ctx, SYSTEM_ACTOR, list);
    expect(probes.some((p) => p.cases > 10 && p.received === 10 && p.marks === 1)).toBe(true);
    // Answered, still held (the hub has not been idle yet) …
    expect(received(db)).toBe(10);
    expect(marks(db)).toBe(1);
    // … and written when it has been.
    await vi.waitFor(() => expect(marks(db)).toBe(0), { timeout: IDLE_MS * 5, interval: 50 });
    expect(figures(db)).toEqual(figures(single.ctx.db));
    expect(received(db)).toBe(60);
    expect(marks(db)).toBe(0);
    expect(deferredDayStatsOf(sliced.ctx).writes).toBe(1);
  });

  it('of imports one after the other are written once, and a statistics query right after one counts all its cases', async () => {
    const [sliced, single] = await Promise.all([hub(), hub()]);
    const db = sliced.ctx.db;
    for (const [from, to] of [
      [0, 40],
      [40, 80],
      [80, 120],
    ] as const)
      await importCasesSliced(sliced.ctx, SYSTEM_ACTOR, records(from, to), undefined, { slice: 9, worker: false });
    importCases(single.ctx, SYSTEM_ACTOR, records(0, 120));
    expect(received(db)).toBe(0);
    expect(marks(db)).toBe(1);
    const stats = await sliced.request<{ total: { received: number; closed: number } }>(
      'GET',
      '/api/v1/stats?from=2026-01-01&to=2026-05-31',
      sliced.tokens.admin,
    );
    expect(stats.status).toBe(200);
    expect(stats.body.total).toMatchObject({ received: 120, closed: 60 });
    expect(figures(db)).toEqual(figures(single.ctx.db));
    expect(marks(db)).toBe(0);
    expect(deferredDayStatsOf(sliced.ctx).writes).toBe(1);
  });

  it('stay held when writing them fails: the statistics query answers with the stored figures, and the next one counts all', async () => {
    const h = await hub();
    const db = h.ctx.db;
    importCases(h.ctx, SYSTEM_ACTOR, records(0, 10));
    await importCasesSliced(h.ctx, SYSTEM_ACTOR, records(10, 40), undefined, { slice: 7, worker: false });
    // A write that fails inside the transaction (as a full disk would), after the day rows went in.
    db.exec(`CREATE TRIGGER month_fails BEFORE INSERT ON case_month_stats BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const query = () => h.request<{ total: { received: number } }>('GET', '/api/v1/stats?from=2026-01-01&to=2026-05-31', h.tokens.admin);
    const failed = await query();
    expect(failed.status).toBe(200);
    expect(failed.body.total.received).toBe(10);
    expect(received(db)).toBe(10);
    expect(marks(db)).toBe(1);
    db.exec('DROP TRIGGER month_fails');
    const counted = await query();
    expect(counted.body.total.received).toBe(40);
    expect(received(db)).toBe(40);
    expect(marks(db)).toBe(0);
  });

  it('are written when the hub closes', async () => {
    const dataDir = hubs.dataDir();
    const first = await hub(dataDir);
    await importCasesSliced(first.ctx, SYSTEM_ACTOR, records(0, 30), undefined, { slice: 7, worker: false });
    expect(received(first.ctx.db)).toBe(0);
    await hubs.stop(first);
    const again = await hub(dataDir);
    // Written at close, so nothing was left to recount: the mark is gone and the figures are there.
    expect(received(again.ctx.db)).toBe(30);
    expect(marks(again.ctx.db)).toBe(0);
  });

  it('keep the figures of the slices written before one failed', async () => {
    const [sliced, single] = await Promise.all([hub(), hub()]);
    const list = records(0, 30);
    const checked = checkRecords(sliced.ctx, SYSTEM_ACTOR, list);
    expect(checked.rejected).toEqual([]);
    // The third slice's check fails (as when the check worker dies and the retry fails too).
    const failing = writeSlices(sliced.ctx, SYSTEM_ACTOR, list.length, [10, 20, 30], async (from, to) => {
      if (from === 20) throw new Error('check failed');
      return { accepted: checked.accepted.slice(from, to), rejected: [] };
    });
    await expect(failing).rejects.toThrow('check failed');
    importCases(single.ctx, SYSTEM_ACTOR, records(0, 20));
    flushDeferredDays(sliced.ctx.db);
    expect(figures(sliced.ctx.db)).toEqual(figures(single.ctx.db));
    expect(marks(sliced.ctx.db)).toBe(0);
  });

  it('are recounted from the cases at the next start when the hub stopped before writing them', async () => {
    const dataDir = hubs.dataDir();
    const first = await hub(dataDir);
    importCases(first.ctx, SYSTEM_ACTOR, records(0, 12));
    // A bulk import cut short after two slices: written, marked, figures never written (a
    // DeferredDayStats of its own, not the hub's, which would write them at close).
    const deferred = new DeferredDayStats(first.ctx.db, (error) => {
      throw error;
    });
    deferred.begin(first.ctx.now());
    for (const [from, to] of [
      [12, 24],
      [24, 36],
    ] as const) {
      const { accepted } = checkRecords(first.ctx, SYSTEM_ACTOR, records(from, to));
      writeChecked(first.ctx, SYSTEM_ACTOR, 0, accepted, [], deferred);
    }
    expect(received(first.ctx.db)).toBe(12);
    expect(marks(first.ctx.db)).toBe(1);
    await hubs.stop(first);

    const [second, single] = await Promise.all([hub(dataDir), hub()]);
    importCases(single.ctx, SYSTEM_ACTOR, records(0, 36));
    expect(figures(second.ctx.db)).toEqual(figures(single.ctx.db));
    expect(received(second.ctx.db)).toBe(36);
    expect(marks(second.ctx.db)).toBe(0);
    // And over HTTP, the wall's figures count every case.
    const stats = await second.request<{ total: { received: number } }>(
      'GET',
      '/api/v1/stats?from=2026-01-01&to=2026-05-31',
      second.tokens.admin,
    );
    expect(stats.status).toBe(200);
    expect(stats.body.total.received).toBe(36);
  });
});
