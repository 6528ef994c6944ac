import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Case, FlowNode, ImportReport } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';
import { importCases } from './import.js';
import { importCasesSliced } from './import-sliced.js';
import { listOpenNodes } from './read.js';
import { nodeWriterOf } from './store.js';
import { startTestHub, type TestHub } from './test-support.js';

// Since cases-002 dropped UNIQUE (case_id, type, cycle), only CaseWriter keeps one row per
// node: re-importing a case's node (same type and cycle) must update that row, never add one.
let hub: TestHub;
beforeEach(async () => {
  hub = await startTestHub();
});
afterEach(async () => {
  await hub.close();
});

const CASE = '(2026)甲执1号';
const record = (caseNo: string, nodes: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  caseNo,
  court: 'A1',
  kind: 'first',
  filedAt: '2026-04-01',
  amountOwed: 1000,
  nodes,
  ...extra,
});
const overdue = { type: 'handler_assignment', startedAt: '2026-04-01', dueAt: '2026-05-10' };
const dueSoon = { type: 'sale_start', startedAt: '2026-05-20', dueAt: '2026-06-03' };

const nodeRows = (db: Db, caseNo: string) =>
  db
    .prepare(
      `SELECT n.id, n.type, n.cycle, n.state, n.done_at FROM flow_nodes n JOIN cases c ON c.id = n.case_id
       WHERE c.case_no = ? ORDER BY n.type, n.cycle`,
    )
    .all(caseNo) as { id: number; type: string; cycle: number; state: number; done_at: number | null }[];
const duplicates = (db: Db) =>
  db.prepare('SELECT case_id, type, cycle, COUNT(*) AS n FROM flow_nodes GROUP BY case_id, type, cycle HAVING COUNT(*) > 1').all();
const total = (db: Db): number => (db.prepare('SELECT COUNT(*) AS n FROM flow_nodes').get() as { n: number }).n;

describe('re-importing a node (same type and cycle)', () => {
  it('updates the stored row in place, single-slice and multi-slice', async () => {
    const db = hub.ctx.db;
    importCases(hub.ctx, SYSTEM_ACTOR, [record(CASE, [overdue, dueSoon])]);
    const first = nodeRows(db, CASE);
    expect(first.map((n) => [n.type, n.state])).toEqual([
      ['handler_assignment', 2],
      ['sale_start', 1],
    ]);
    // Again unchanged, then with the 超期 node done, then with cycle given explicitly.
    importCases(hub.ctx, SYSTEM_ACTOR, [record(CASE, [overdue, dueSoon])]);
    importCases(hub.ctx, SYSTEM_ACTOR, [record(CASE, [{ ...overdue, doneAt: '2026-05-30' }, dueSoon])]);
    importCases(hub.ctx, SYSTEM_ACTOR, [record(CASE, [{ ...overdue, cycle: 0, doneAt: '2026-05-30' }])]);
    const updated = nodeRows(db, CASE);
    expect(updated.map((n) => n.id)).toEqual(first.map((n) => n.id));
    expect(updated.map((n) => [n.type, n.state])).toEqual([
      ['handler_assignment', 3],
      ['sale_start', 1],
    ]);
    // A multi-slice import (staging on) over the same case and new ones.
    const others = Array.from({ length: 7 }, (_, i) => record(`(2026)甲执${10 + i}号`, [overdue, dueSoon]));
    await importCasesSliced(
      hub.ctx,
      SYSTEM_ACTOR,
      [...others.slice(0, 3), record(CASE, [overdue, dueSoon]), ...others.slice(3)],
      undefined,
      {
        slice: 2,
        worker: true,
      },
    );
    await importCasesSliced(hub.ctx, SYSTEM_ACTOR, [record(CASE, [overdue, dueSoon]), ...others], undefined, { slice: 3, worker: true });
    expect(nodeRows(db, CASE).map((n) => n.id)).toEqual(first.map((n) => n.id));
    expect(nodeRows(db, CASE).map((n) => [n.type, n.state])).toEqual([
      ['handler_assignment', 2],
      ['sale_start', 1],
    ]);
    expect(total(db)).toBe(16);
    expect(duplicates(db)).toEqual([]);
  });

  it('updates a node still staged by a bulk import: one row, listed once', () => {
    const db = hub.ctx.db;
    const endStaging = nodeWriterOf(db).beginStaging();
    try {
      importCases(hub.ctx, SYSTEM_ACTOR, [record(CASE, [overdue, dueSoon])]);
      importCases(hub.ctx, SYSTEM_ACTOR, [record(CASE, [{ ...overdue, dueAt: '2026-05-12' }, dueSoon])]);
    } finally {
      endStaging();
    }
    expect(db.prepare('SELECT COUNT(*) AS n FROM flow_nodes WHERE staged IS NOT NULL').get()).toEqual({ n: 2 });
    importCases(hub.ctx, SYSTEM_ACTOR, [record(CASE, [{ ...overdue, dueAt: '2026-05-14' }, dueSoon])]);
    expect(total(db)).toBe(2);
    const listed = listOpenNodes(db, { court: null, state: 2, limit: 100 });
    expect(listed).toHaveLength(1);
    expect(listed[0]?.type).toBe('handler_assignment');
    expect(Date.parse(listed[0]!.dueAt)).toBe(db.prepare("SELECT due_at FROM flow_nodes WHERE type = 'handler_assignment'").pluck().get());
    nodeWriterOf(db).sweepStaged();
    expect(listOpenNodes(db, { court: null, state: 2, limit: 100 })).toEqual(listed);
  });

  it('keeps one 终本 re-check and one next cycle of a recurring node over repeated imports', async () => {
    const db = hub.ctx.db;
    const terminated = record('(2026)甲执2号', [], { closedAt: '2026-05-20', closureType: 'terminated_current' });
    const recurring = record('(2026)甲执3号', [{ type: 'terminated_recheck', cycle: 1, startedAt: '2026-04-01', doneAt: '2026-04-03' }]);
    importCases(hub.ctx, SYSTEM_ACTOR, [terminated, recurring]);
    const once = { terminated: nodeRows(db, '(2026)甲执2号'), recurring: nodeRows(db, '(2026)甲执3号') };
    expect(once.terminated.map((n) => `${n.type}|${n.cycle}`)).toEqual(['terminated_recheck|0']);
    expect(once.recurring.map((n) => `${n.type}|${n.cycle}`)).toEqual(['terminated_recheck|1', 'terminated_recheck|2']);
    importCases(hub.ctx, SYSTEM_ACTOR, [terminated, recurring]);
    await importCasesSliced(hub.ctx, SYSTEM_ACTOR, [terminated, recurring], undefined, {
      slice: 1,
      worker: true,
    });
    expect({ terminated: nodeRows(db, '(2026)甲执2号'), recurring: nodeRows(db, '(2026)甲执3号') }).toEqual(once);
    expect(duplicates(db)).toEqual([]);
  });

  it('updates over the nodes CSV route, and a record naming a node twice is rejected', async () => {
    const db = hub.ctx.db;
    await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, { records: [record(CASE, [overdue])] });
    const ids = nodeRows(db, CASE).map((n) => n.id);
    const csv = ['caseNo,type,cycle,startedAt,dueAt,doneAt', `${CASE},handler_assignment,,2026-04-01,2026-05-10,2026-05-31`].join('\n');
    const report = await hub.request<ImportReport>('POST', '/api/v1/cases/nodes/import', hub.tokens.officer, csv, 'text/csv');
    expect(report.body).toMatchObject({ accepted: 1, created: 0, updated: 1, rejected: [] });
    expect(nodeRows(db, CASE).map((n) => [n.id, n.state])).toEqual([[ids[0], 3]]);
    const stored = await hub.request<Case & { nodes: FlowNode[] }>('GET', `/api/v1/cases/${encodeURIComponent(CASE)}`, hub.tokens.officer);
    expect(stored.body.nodes.map((n) => [n.id, n.type, n.state])).toEqual([[ids[0], 'handler_assignment', 'done']]);

    // Cycle left out and cycle 0 are the same node: the record is rejected for a new case and an existing one.
    const twice = (caseNo: string) => record(caseNo, [overdue, { ...overdue, cycle: 0 }]);
    const rejected = await hub.request<ImportReport>('POST', '/api/v1/cases/import', hub.tokens.officer, {
      records: [twice('(2026)甲执5号'), twice(CASE)],
    });
    expect(rejected.body.rejected.map((r) => [r.caseNo, r.reason])).toEqual([
      ['(2026)甲执5号', 'duplicate_node'],
      [CASE, 'duplicate_node'],
    ]);
    expect(total(db)).toBe(1);
  });
});
