import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Case, FlowNode, HubEventEnvelope, NodeType, NodeTypePutResult } from '@cc/protocol';
import { deadlineEngineOf } from '../deadlines/index.js';
import { startTestHub, type TestHub } from '../cases/test-support.js';
import { recomputeOptions } from './recompute.js';

let hub: TestHub;
let events: HubEventEnvelope[];
const defaults = { ...recomputeOptions };
beforeEach(async () => {
  hub = await startTestHub(); // clock at 2026-06-01 10:00 China time
  events = [];
  hub.ctx.events.subscribe((batch) => events.push(...batch));
  // Several slices even for a handful of nodes, cut both by id range and by node count.
  Object.assign(recomputeOptions, { slice: 4, nodes: 2 });
});
afterEach(async () => {
  Object.assign(recomputeOptions, defaults);
  await hub.close();
});

const url = (caseNo: string): string => `/api/v1/cases/${encodeURIComponent(caseNo)}`;
const nodeOf = async (caseNo: string): Promise<FlowNode> =>
  (await hub.request<Case & { nodes: FlowNode[] }>('GET', url(caseNo), hub.tokens.officer)).body.nodes[0]!;
const overdueA1 = (): number =>
  (
    hub.ctx.db.prepare("SELECT COALESCE(SUM(n), 0) AS n FROM node_state_counts WHERE court_code = 'A1' AND state = 2").get() as {
      n: number;
    }
  ).n;
const rec = (caseNo: string, node: Record<string, string>) => ({
  caseNo,
  court: 'A1',
  kind: 'first',
  filedAt: '2026-05-01',
  amountOwed: 1,
  nodes: [{ type: 'lead_verification', ...node }],
});

/** lead_verification: 7 days, 临期 D-3, stopped by 中止/暂缓. */
const seed = async (): Promise<void> => {
  await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, {
    records: [
      rec('(2026)甲执1号', { startedAt: '2026-05-28' }), // due end of 4 June: pending
      rec('(2026)甲执2号', { startedAt: '2026-05-20' }), // due end of 27 May: overdue
      rec('(2026)甲执3号', { startedAt: '2026-05-20', doneAt: '2026-05-22' }), // done: never touched
      rec('(2026)甲执4号', { startedAt: '2026-05-20', dueAt: '2026-07-01' }), // due time set at import: kept
      rec('(2026)甲执5号', { startedAt: '2026-05-20' }), // 10 days suspended (below): due end of 6 June
    ],
  });
  const deduction = await hub.request('POST', `${url('(2026)甲执5号')}/deductions`, hub.tokens.officer, {
    reason: 'suspension',
    startedOn: '2026-05-21',
    endedOn: '2026-05-31',
  });
  expect(deduction.status).toBe(201);
};

const put = async (change: (t: NodeType) => NodeType): Promise<NodeTypePutResult> => {
  const current = (await hub.request<NodeType>('GET', '/api/v1/catalog/node-types/lead_verification', hub.tokens.admin)).body;
  const { code: _code, ...body } = change(current);
  const res = await hub.request<NodeTypePutResult>('PUT', '/api/v1/catalog/node-types/lead_verification', hub.tokens.admin, body);
  expect(res.status).toBe(200);
  return res.body;
};
const withAmount = (amount: number) => (t: NodeType) => ({ ...t, rule: { ...t.rule, amount } });

/** The incremental 临期/超期 counts equal a recount of the nodes. */
const countsConsistent = (): void => {
  const kept = hub.ctx.db.prepare('SELECT court_code, state, n FROM node_state_counts WHERE n != 0 ORDER BY court_code, state').all();
  const recount = hub.ctx.db
    .prepare(
      'SELECT court_code, state, COUNT(*) AS n FROM flow_nodes WHERE state IN (1, 2) GROUP BY court_code, state ORDER BY court_code, state',
    )
    .all();
  expect(kept).toEqual(recount);
};

describe('catalog changes apply to existing open nodes', () => {
  it('re-times the open nodes of the type in slices, keeping import-set due times and deductions, and reports the count', async () => {
    await seed();
    expect(overdueA1()).toBe(1);
    const result = await put(withAmount(14));
    expect(result.recomputed).toEqual({ nodes: 4, moved: 3 });
    expect((await nodeOf('(2026)甲执1号')).dueAt).toBe('2026-06-11T16:00:00.000Z');
    expect(await nodeOf('(2026)甲执2号')).toMatchObject({ dueAt: '2026-06-03T16:00:00.000Z', state: 'due_soon' });
    expect((await nodeOf('(2026)甲执3号')).dueAt).toBe('2026-05-27T16:00:00.000Z');
    expect((await nodeOf('(2026)甲执4号')).dueAt).toBe('2026-06-30T16:00:00.000Z');
    expect(await nodeOf('(2026)甲执5号')).toMatchObject({ dueAt: '2026-06-13T16:00:00.000Z', baseDueAt: '2026-06-03T16:00:00.000Z' });
    expect(overdueA1()).toBe(0);

    // Open nodes 1, 2, 4, 5: ids (0, 2] (batch of 2 full), then (2, 5], then done.
    const progress = events.filter((e) => e.type === 'catalog.recompute').map((e) => e.data);
    expect(progress).toEqual([
      { code: 'lead_verification', scanned: 2, total: 5, moved: 2, done: false },
      { code: 'lead_verification', scanned: 5, total: 5, moved: 3, done: true },
    ]);
    const slices = hub.ctx.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'catalog.recompute.slice'").get() as {
      n: number;
    };
    expect(slices.n).toBe(2);
    const audit = hub.ctx.db.prepare("SELECT before_json, after_json FROM audit_log WHERE action = 'catalog.recompute'").all() as {
      before_json: string;
      after_json: string;
    }[];
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.before_json)).toMatchObject({ rule: { amount: 7 } });
    expect(JSON.parse(audit[0]!.after_json)).toMatchObject({ rule: { amount: 14 }, nodes: 4, moved: 3 });

    // Shorter again: a node that must now be 超期 is handed to the deadline engine, which raises the event.
    expect((await put(withAmount(2))).recomputed).toEqual({ nodes: 4, moved: 3 });
    // (The engine's own timer may already have fired: re-arming it is what the progress events do.)
    deadlineEngineOf(hub.ctx.db).tick();
    const overdue = events.filter((e) => e.type === 'node.overdue').map((e) => (e.data as { caseNo: string }).caseNo);
    expect(overdue.sort()).toEqual(['(2026)甲执1号', '(2026)甲执2号']);
    expect(overdueA1()).toBe(2);
    countsConsistent();
    // An unchanged rule re-times nothing.
    expect((await put((t) => ({ ...t, name: '核查财产线索（改名）' }))).recomputed).toEqual({ nodes: 0, moved: 0 });
  });

  it('a deactivated type raises no new warnings; switching it on again does', async () => {
    await seed();
    await put((t) => ({ ...t, active: false }));
    hub.clock.now = Date.parse('2026-06-20T02:00:00Z');
    await hub.relogin();
    deadlineEngineOf(hub.ctx.db).tick();
    expect(events.filter((e) => e.type.startsWith('node.'))).toEqual([]);
    // A node of the inactive type imported now stays quiet too.
    await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, { records: [rec('(2026)甲执6号', { startedAt: '2026-06-01' })] });
    deadlineEngineOf(hub.ctx.db).tick();
    expect(events.filter((e) => e.type.startsWith('node.'))).toEqual([]);

    const on = await put((t) => ({ ...t, active: true }));
    expect(on.recomputed.nodes).toBe(5);
    deadlineEngineOf(hub.ctx.db).tick();
    // 1 and 5 passed their due times while switched off (6 was imported overdue: counted, no event, as for any import).
    const overdue = events.filter((e) => e.type === 'node.overdue').map((e) => (e.data as { caseNo: string }).caseNo);
    expect(overdue.sort()).toEqual(['(2026)甲执1号', '(2026)甲执5号']);
  });

  it('a holiday-calendar change re-times the open nodes whose clock runs over that day', async () => {
    hub.clock.now = Date.parse('2026-09-28T10:00:00+08:00');
    await hub.relogin();
    const node = (caseNo: string, type: string, extra: Record<string, string> = {}) => ({
      ...rec(caseNo, { startedAt: '2026-09-28', ...extra }),
      nodes: [{ type, startedAt: '2026-09-28', ...extra }],
    });
    await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, {
      records: [
        node('(2026)甲执11号', 'dishonest_removal'), // 3 working days from Mon 28 Sep: Tue, Wed, Thu 1 Oct
        node('(2026)甲执12号', 'funds_claim'), // 3 days: ends on Thu 1 Oct
        node('(2026)甲执13号', 'dishonest_removal', { dueAt: '2026-10-09' }), // set at import: kept
        node('(2026)甲执14号', 'deposit_freeze_expiry'), // runs over 1 Oct, its end (2027) is not moved
        { ...rec('(2026)甲执15号', { startedAt: '2026-09-01' }), nodes: [{ type: 'funds_claim', startedAt: '2026-09-01' }] }, // fell due before
      ],
    });
    const put = await hub.request<{ recomputed: { nodes: number; moved: number } }>(
      'PUT',
      '/api/v1/catalog/calendar/2026-10-01',
      hub.tokens.admin,
      { kind: 'holiday', name: '国庆节' },
    );
    expect(put.status).toBe(200);
    expect(put.body.recomputed).toEqual({ nodes: 4, moved: 2 });
    expect((await nodeOf('(2026)甲执11号')).dueAt).toBe('2026-10-02T16:00:00.000Z'); // Tue, Wed, Fri 2 Oct
    expect((await nodeOf('(2026)甲执12号')).dueAt).toBe('2026-10-02T16:00:00.000Z'); // to the day after the holiday
    expect((await nodeOf('(2026)甲执13号')).dueAt).toBe('2026-10-08T16:00:00.000Z');
    expect((await nodeOf('(2026)甲执14号')).dueAt).toBe('2027-09-28T16:00:00.000Z');
    // Back as it was: the same nodes move back.
    const removed = await hub.request<{ recomputed: { moved: number } }>('DELETE', '/api/v1/catalog/calendar/2026-10-01', hub.tokens.admin);
    expect(removed.body.recomputed.moved).toBe(2);
    expect((await nodeOf('(2026)甲执11号')).dueAt).toBe('2026-10-01T16:00:00.000Z');
    expect((await nodeOf('(2026)甲执12号')).dueAt).toBe('2026-10-01T16:00:00.000Z');
    const audit = hub.ctx.db.prepare("SELECT target FROM audit_log WHERE action = 'catalog.recompute' ORDER BY seq").all();
    expect(audit).toEqual([{ target: 'calendar:2026-10-01' }, { target: 'calendar:2026-10-01' }]);
  });
});
