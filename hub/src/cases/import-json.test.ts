import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';
import { flushDeferredDays } from '../stats/aggregates.js';
import { checkWorkerOf } from './check-pool.js';
import { importCases } from './import.js';
import { importCasesJson } from './import-json.js';
import { startTestHub, type TestHub } from './test-support.js';

// JSON text parsed and checked in the import check worker, written on the hub thread; compared
// with the single-thread path on a second hub (both real SQLite files).
let piped: TestHub;
let single: TestHub;
beforeEach(async () => {
  [piped, single] = await Promise.all([startTestHub(), startTestHub()]);
});
afterEach(async () => {
  await Promise.all([piped.close(), single.close()]);
});

const record = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  caseNo: `(2026)丙执${i}号`,
  court: i % 2 === 0 ? 'A1' : 'B1',
  kind: 'first',
  filedAt: '2026-04-01',
  amountOwed: 500 + i,
  nodes: [
    { type: 'network_inquiry', startedAt: '2026-04-01', doneAt: '2026-04-02' },
    { type: 'funds_payout', startedAt: '2026-05-25' },
  ],
  ...extra,
});

// The day figures as a statistics query reads them (held ones written first).
const rows = (db: Db) => {
  flushDeferredDays(db);
  return {
    cases: db.prepare('SELECT * FROM cases ORDER BY case_no').all(),
    nodes: db
      .prepare(
        'SELECT c.case_no, n.type, n.cycle, n.due_at, n.done_at, n.state, n.next_at FROM flow_nodes n JOIN cases c ON c.id = n.case_id ORDER BY 1, 2, 3',
      )
      .all(),
    days: db.prepare('SELECT * FROM case_day_stats ORDER BY day, court_code').all(),
  };
};
const caseCount = (db: Db): number => (db.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n;

describe('import of JSON text through the check worker', () => {
  it('gives the same report and rows as the single-thread path on the parsed records', async () => {
    const records = Array.from({ length: 25 }, (_, i) => record(i));
    records[4] = record(4, { court: 'ZZ9' });
    records[11] = record(11, { filedAt: '2026-13-01' });
    records[12] = record(3);
    records[20] = record(20, { closedAt: '2026-05-30', closureType: 'completed' });
    const report = await importCasesJson(piped.ctx, SYSTEM_ACTOR, JSON.stringify({ records }), { slice: 6 });
    expect((await checkWorkerOf(piped.ctx)).checkedSlices).toBe(5);
    expect((await checkWorkerOf(piped.ctx)).scannedBodies).toBe(0); // text is parsed whole
    expect(report).toEqual(importCases(single.ctx, SYSTEM_ACTOR, records));
    expect(report.rejected.map((r) => [r.row, r.reason])).toEqual([
      [3, 'duplicate_case_no'],
      [4, 'unknown_court'],
      [11, 'invalid'],
      [12, 'duplicate_case_no'],
      [20, 'closure_blocked'],
    ]);
    expect(rows(piped.ctx.db)).toEqual(rows(single.ctx.db));
  });

  it('refuses text that is not an import body with the route errors, writing nothing', async () => {
    const attempt = (text: string) => importCasesJson(piped.ctx, SYSTEM_ACTOR, text);
    await expect(attempt('{"records": [')).rejects.toMatchObject({ code: ErrorCode.BadRequest });
    await expect(attempt('{"records": []}')).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
    const unknownKey = await attempt(JSON.stringify({ records: [record(1)], extra: 1 })).catch((e: unknown) => e);
    expect(unknownKey).toBeInstanceOf(ProtocolError);
    expect((unknownKey as ProtocolError).code).toBe(ErrorCode.ValidationFailed);
    expect(caseCount(piped.ctx.db)).toBe(0);
    // The worker is still fine afterwards.
    const report = await attempt(JSON.stringify({ records: [record(1), record(2)] }));
    expect(report).toMatchObject({ received: 2, accepted: 2, created: 2, nodes: 4 });
  });

  it('imports a body given as bytes slice by slice, as the parsed path does', async () => {
    // Bytes take the scanning path (json-scan.ts): records are parsed a slice at a time.
    const records = Array.from({ length: 25 }, (_, i) => record(i));
    records[4] = record(4, { court: 'ZZ9' });
    records[12] = record(3);
    records[20] = record(20, { closedAt: '2026-05-30', closureType: 'completed' });
    // A duplicate written with an escape in another slice is the same case number (both refused).
    const text = JSON.stringify({ records }, null, 2).replace('"caseNo": "(2026)丙执3号"', '"case\\u004eo": "(2026)\\u4e19执3号"');
    expect(text).toContain('case\\u004eo');
    const report = await importCasesJson(piped.ctx, SYSTEM_ACTOR, Buffer.from(`\uFEFF${text}`), { slice: 6 });
    expect((await checkWorkerOf(piped.ctx)).scannedBodies).toBe(1);
    expect(report).toEqual(importCases(single.ctx, SYSTEM_ACTOR, records));
    expect(report.rejected.map((r) => [r.row, r.reason])).toEqual([
      [3, 'duplicate_case_no'],
      [4, 'unknown_court'],
      [12, 'duplicate_case_no'],
      [20, 'closure_blocked'],
    ]);
    expect(rows(piped.ctx.db)).toEqual(rows(single.ctx.db));
  });

  it('refuses a byte body with a syntax error in its last record before writing any slice', async () => {
    const records = Array.from({ length: 30 }, (_, i) => record(i));
    const good = JSON.stringify({ records });
    const bad = good.replace(/,"nodes":(?!.*"nodes")/, ',"nodes":,');
    expect(() => JSON.parse(bad)).toThrow();
    const refused = await importCasesJson(piped.ctx, SYSTEM_ACTOR, Buffer.from(bad), { slice: 5 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect((refused as ProtocolError).code).toBe(ErrorCode.BadRequest);
    expect(JSON.stringify((refused as ProtocolError).details)).toMatch(/JSON|token|Unexpected/);
    expect(caseCount(piped.ctx.db)).toBe(0);
    // Not UTF-8: refused the same way; then the worker imports the good body.
    const notUtf8 = Buffer.concat([Buffer.from(good.slice(0, 40)), Buffer.from([0xc3, 0x28]), Buffer.from(good.slice(40))]);
    await expect(importCasesJson(piped.ctx, SYSTEM_ACTOR, notUtf8, { slice: 5 })).rejects.toMatchObject({ code: ErrorCode.BadRequest });
    expect(caseCount(piped.ctx.db)).toBe(0);
    const report = await importCasesJson(piped.ctx, SYSTEM_ACTOR, Buffer.from(good), { slice: 5 });
    expect(report).toMatchObject({ received: 30, accepted: 30, nodes: 60 });
    expect((await checkWorkerOf(piped.ctx)).checkedSlices).toBe(6);
    expect((await checkWorkerOf(piped.ctx)).scannedBodies).toBe(1);
  });
});
