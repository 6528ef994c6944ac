import { statSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlowNode } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';
import { walCheckpointerOf } from '../store/checkpointer.js';
import { importCases } from './import.js';
import { importCasesSliced } from './import-sliced.js';
import { listOpenNodes } from './read.js';
import { nodeWriterOf } from './store.js';
import { restartableHubs, type TestHub } from './test-support.js';

// Open nodes written while a bulk import stages them (store.ts, NodeWriter) must be listed,
// paged and counted exactly as indexed ones, before and after they are swept.
const hubs = restartableHubs('cc-hub-staged-');
const hub = (dataDir?: string): Promise<TestHub> => hubs.start(dataDir);
afterEach(() => hubs.cleanup());

const day = (d: number): string => `2026-05-${String(d).padStart(2, '0')}`;

/** Case i: one 超期 node (due dates repeat, so ties are broken by id), one 临期, one done, one pending. */
const record = (i: number): Record<string, unknown> => ({
  caseNo: `(2026)甲执${100 + i}号`,
  court: ['A1', 'B1', 'H1'][i % 3],
  kind: 'first',
  filedAt: '2026-04-01',
  amountOwed: 1000 + i,
  nodes: [
    { type: 'handler_assignment', startedAt: '2026-04-01', dueAt: day(1 + ((i * 7) % 9)) },
    { type: 'sale_start', startedAt: '2026-05-20', dueAt: `2026-06-0${2 + (i % 3)}` },
    { type: 'network_inquiry', startedAt: '2026-04-01', doneAt: '2026-04-02' },
    { type: 'asset_investigation', startedAt: '2026-04-01', dueAt: '2026-08-01' },
  ],
});
const records = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => record(from + k));

const stagedCount = (db: Db): number =>
  (db.prepare('SELECT COUNT(*) AS n FROM flow_nodes WHERE staged IS NOT NULL').get() as { n: number }).n;

/** Open node ids of a state in list order, straight from the table (staged or not). */
const expectedIds = (db: Db, state: 1 | 2, court: string | null = null): number[] =>
  (
    db
      .prepare('SELECT id FROM flow_nodes WHERE state = ? AND (? IS NULL OR court_code = ?) ORDER BY due_at, id')
      .all(state, court, court) as { id: number }[]
  ).map((r) => r.id);

const expectedCounts = (db: Db) => {
  const rows = db
    .prepare('SELECT court_code, state, COUNT(*) AS n FROM flow_nodes WHERE state IN (1, 2) GROUP BY court_code, state ORDER BY court_code')
    .all() as { court_code: string; state: number; n: number }[];
  const byCourt = new Map<string, { court: string; dueSoon: number; overdue: number }>();
  for (const r of rows) {
    const entry = byCourt.get(r.court_code) ?? { court: r.court_code, dueSoon: 0, overdue: 0 };
    if (r.state === 1) entry.dueSoon = r.n;
    else entry.overdue = r.n;
    byCourt.set(r.court_code, entry);
  }
  return [...byCourt.values()];
};

/** Every page of listOpenNodes, `size` at a time, keyset-paged by (due, id). */
function pagedList(db: Db, state: 1 | 2, court: string | null, size: number): FlowNode[] {
  const all: FlowNode[] = [];
  for (;;) {
    const last = all.at(-1);
    const page = listOpenNodes(db, {
      court,
      state,
      limit: size,
      ...(last ? { afterDue: Date.parse(last.dueAt), afterId: last.id } : {}),
    });
    all.push(...page);
    if (page.length < size) return all;
  }
}

/** Every page of GET /api/v1/nodes, following `next`. */
async function pagedRoute(h: TestHub, token: string, query: string, size: number): Promise<FlowNode[]> {
  const all: FlowNode[] = [];
  let after = '';
  for (;;) {
    const response = await h.request<{ nodes: FlowNode[]; next: { afterDue: string; afterId: number } | null }>(
      'GET',
      `/api/v1/nodes?${query}&limit=${size}${after}`,
      token,
    );
    expect(response.status).toBe(200);
    all.push(...response.body.nodes);
    if (!response.body.next) return all;
    after = `&afterDue=${encodeURIComponent(response.body.next.afterDue)}&afterId=${response.body.next.afterId}`;
  }
}

const snapshot = (db: Db) => ({
  dueSoon: listOpenNodes(db, { court: null, state: 1, limit: 500 }),
  overdue: listOpenNodes(db, { court: null, state: 2, limit: 500 }),
});

/** Writes records with staging on and no sweep, as a bulk import between two sweeps (or cut short). */
function writeStaged(h: TestHub, list: Record<string, unknown>[]): void {
  const endStaging = nodeWriterOf(h.ctx.db).beginStaging();
  try {
    importCases(h.ctx, SYSTEM_ACTOR, list);
  } finally {
    endStaging();
  }
}

describe('open nodes staged by a bulk import', () => {
  it('are listed, paged and counted like indexed ones while staged, and unchanged once swept', async () => {
    const [staged, plain] = await Promise.all([hub(), hub()]);
    const db = staged.ctx.db;
    // The first third through a multi-slice import (staged, then swept at its end).
    await importCasesSliced(staged.ctx, SYSTEM_ACTOR, records(0, 12), undefined, { slice: 4, worker: true });
    await nodeWriterOf(db).whenSwept();
    expect(stagedCount(db)).toBe(0);
    // The second third staged and not swept yet.
    writeStaged(staged, records(12, 24));
    expect(stagedCount(db)).toBe(24); // 12 cases × (临期 + 超期)
    expect(db.prepare('SELECT COUNT(*) AS n FROM flow_nodes WHERE staged IS NULL AND state IN (1, 2)').get()).toEqual({ n: 24 });
    // The same cases written without staging, for comparison.
    importCases(plain.ctx, SYSTEM_ACTOR, records(0, 24));

    for (const state of [1, 2] as const) {
      for (const court of [null, 'A1', 'B1', 'H1']) {
        const ids = expectedIds(db, state, court);
        expect(ids.length).toBeGreaterThan(0);
        expect(listOpenNodes(db, { court, state, limit: 500 }).map((n) => n.id)).toEqual(ids);
        // Pages of 5 cut across staged and indexed nodes and across equal due dates.
        expect(pagedList(db, state, court, 5).map((n) => n.id)).toEqual(ids);
        expect(pagedList(db, state, court, 1).map((n) => n.id)).toEqual(ids);
      }
    }
    const whileStaged = snapshot(db);
    expect(whileStaged).toEqual(snapshot(plain.ctx.db));
    expect(whileStaged.overdue.every((n) => n.state === 'overdue')).toBe(true);
    expect(whileStaged.dueSoon.every((n) => n.state === 'due_soon')).toBe(true);

    // Over HTTP: the whole list, a court's list (court user, scoped), and the per-court counts.
    expect(await pagedRoute(staged, staged.tokens.officer, 'state=overdue', 7)).toEqual(whileStaged.overdue);
    expect(await pagedRoute(staged, staged.tokens.officer, 'state=due_soon', 3)).toEqual(whileStaged.dueSoon);
    const courtA = await pagedRoute(staged, staged.tokens.courtA, 'state=overdue', 2);
    expect(courtA.map((n) => n.id)).toEqual(expectedIds(db, 2, 'A1'));
    const counts = await staged.request<{ courts: { court: string; dueSoon: number; overdue: number }[] }>(
      'GET',
      '/api/v1/nodes/counts',
      staged.tokens.officer,
    );
    expect(counts.body.courts).toEqual(expectedCounts(db));
    expect(counts.body.courts).toEqual([
      { court: 'A1', dueSoon: 8, overdue: 8 },
      { court: 'B1', dueSoon: 8, overdue: 8 },
      { court: 'H1', dueSoon: 8, overdue: 8 },
    ]);

    // The last third through a multi-slice import: every staged node is swept right after it.
    await importCasesSliced(staged.ctx, SYSTEM_ACTOR, records(24, 36), undefined, { slice: 4, worker: true });
    await nodeWriterOf(db).whenSwept();
    importCases(plain.ctx, SYSTEM_ACTOR, records(24, 36));
    expect(stagedCount(db)).toBe(0);
    expect(nodeWriterOf(db).hasStaged()).toBe(false);
    const after = snapshot(db);
    expect(after).toEqual(snapshot(plain.ctx.db));
    // What was listed while staged is listed the same, in the same places.
    const listed = new Set(whileStaged.overdue.map((n) => n.id));
    expect(after.overdue.filter((n) => listed.has(n.id))).toEqual(whileStaged.overdue);
    expect(await pagedRoute(staged, staged.tokens.officer, 'state=overdue', 7)).toEqual(after.overdue);
    const countsAfter = await staged.request<{ courts: unknown[] }>('GET', '/api/v1/nodes/counts', staged.tokens.officer);
    expect(countsAfter.body.courts).toEqual(expectedCounts(db));
  });

  it('lists every open node at each point of a multi-slice import where staged rows exist', async () => {
    const staged = await hub();
    const db = staged.ctx.db;
    importCases(staged.ctx, SYSTEM_ACTOR, records(0, 6)); // some indexed nodes first
    const probes: { listed: number[]; expected: number[] }[] = [];
    let done = false;
    const probe = (): void => {
      if (done) return;
      if (nodeWriterOf(db).hasStaged()) {
        for (const state of [1, 2] as const) {
          probes.push({ listed: listOpenNodes(db, { court: null, state, limit: 500 }).map((n) => n.id), expected: expectedIds(db, state) });
        }
      }
      setImmediate(probe);
    };
    setImmediate(probe);
    try {
      await importCasesSliced(staged.ctx, SYSTEM_ACTOR, records(6, 30), undefined, { slice: 3, worker: true });
      // The probe keeps checking while the sweep after the import runs.
      await nodeWriterOf(db).whenSwept();
    } finally {
      done = true;
    }
    expect(probes.length).toBeGreaterThan(0);
    for (const p of probes) expect(p.listed).toEqual(p.expected);
    expect(stagedCount(db)).toBe(0);
    expect(listOpenNodes(db, { court: null, state: 2, limit: 500 }).map((n) => n.id)).toEqual(expectedIds(db, 2));
  });

  it('are swept into the open-node index when the hub starts after an import was cut short', async () => {
    const dataDir = hubs.dataDir();
    const first = await hub(dataDir);
    importCases(first.ctx, SYSTEM_ACTOR, records(0, 6));
    writeStaged(first, records(6, 18));
    expect(stagedCount(first.ctx.db)).toBe(24);
    const before = snapshot(first.ctx.db);
    const stagedIds = (
      first.ctx.db.prepare('SELECT id FROM flow_nodes WHERE staged IS NOT NULL ORDER BY id').all() as { id: number }[]
    ).map((r) => r.id);
    await hubs.stop(first);

    const second = await hub(dataDir);
    const db = second.ctx.db;
    expect(stagedCount(db)).toBe(0);
    expect(nodeWriterOf(db).hasStaged()).toBe(false);
    expect(snapshot(db)).toEqual(before);
    const overdue = await pagedRoute(second, second.tokens.officer, 'state=overdue', 4);
    expect(overdue).toEqual(before.overdue);
    const listed = new Set([...overdue, ...(await pagedRoute(second, second.tokens.officer, 'state=due_soon', 4))].map((n) => n.id));
    expect(stagedIds.filter((id) => !listed.has(id))).toEqual([]);
    // Now through the open-node index alone: the plain query finds them without the staged merge.
    expect(
      db.prepare('SELECT COUNT(*) AS n FROM flow_nodes INDEXED BY flow_nodes_open WHERE state IN (1, 2) AND staged IS NULL').get(),
    ).toEqual({
      n: 36,
    });
  });
});

describe('the sweep after a bulk import', () => {
  it('ends with a checkpoint, so the next write starts the WAL over instead of the next import waiting for one', async () => {
    const h = await hub();
    const db = h.ctx.db;
    const checkpointer = walCheckpointerOf(db)!;
    // Only the writer's checkpoint counts here: the periodic ones are stopped (after the one in flight).
    clearInterval((checkpointer as unknown as { timer: NodeJS.Timeout }).timer);
    await checkpointer.checkpoint();
    const runs = checkpointer.runs;
    await importCasesSliced(h.ctx, SYSTEM_ACTOR, records(0, 40), undefined, { slice: 7, worker: false });
    await nodeWriterOf(db).whenSwept();
    expect(stagedCount(db)).toBe(0);
    const importFrames = (statSync(`${db.name}-wal`).size - 32) / (4096 + 24);
    expect(importFrames).toBeGreaterThan(50);
    await vi.waitFor(() => expect(checkpointer.runs).toBe(runs + 1), { timeout: 5000 });
    // Every frame was copied back: one more write goes to the start of the WAL.
    importCases(h.ctx, SYSTEM_ACTOR, records(40, 41));
    const after = await checkpointer.checkpoint();
    expect(after.log).toBeLessThan(importFrames / 2);
  });
});

describe('open-node list query plan', () => {
  it('reads indexed nodes through flow_nodes_open and staged ones through flow_nodes_staged', async () => {
    const h = await hub();
    const db = h.ctx.db;
    importCases(h.ctx, SYSTEM_ACTOR, records(0, 6));
    writeStaged(h, records(6, 12));
    // The statements listOpenNodes prepares, explained with the parameters it binds.
    const prepared: { source: string; params: unknown }[] = [];
    const prepare = db.prepare.bind(db);
    const spy = vi.spyOn(db, 'prepare').mockImplementation((source: string) => {
      const statement = prepare(source);
      if (!source.includes('flow_nodes')) return statement;
      const all = statement.all.bind(statement);
      return Object.assign(statement, {
        all: (params: unknown) => {
          prepared.push({ source, params });
          return all(params);
        },
      });
    });
    try {
      listOpenNodes(db, { court: 'A1', state: 2, limit: 10, afterDue: Date.parse('2026-05-02'), afterId: 3 });
    } finally {
      spy.mockRestore();
    }
    expect(prepared).toHaveLength(2); // the indexed query and the staged one, for court A1
    const plans = prepared.map(({ source, params }) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | '),
    );
    expect(plans[0]).toMatch(/SEARCH n USING INDEX flow_nodes_open \(court_code=\? AND state=\?/);
    expect(plans[1]).toMatch(/flow_nodes_staged/);
    expect(plans[1]).not.toMatch(/SCAN n(?! USING)/);
  });
});
