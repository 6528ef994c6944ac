import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FlowNode, Role, SupervisionOrder } from '@cc/protocol';
import { fakeHub } from '../testing/fake-hub';
import { sessionDeps, useSessionStore } from './session';
import { useSupervisionStore } from './supervision';
import { defaultDueDate, dueSoonRows, overdueRows } from './supervision-model';

const node = (id: number, caseNo: string, dueAt = '2026-11-01T00:00:00.000Z'): FlowNode => ({
  id,
  caseNo,
  court: '110108',
  type: 'handler_assignment',
  category: 'supervised',
  cycle: 0,
  startedAt: '2026-10-01T00:00:00.000Z',
  dueAt,
  doneAt: null,
  state: 'overdue',
});

const order = (overrides: Partial<SupervisionOrder>): SupervisionOrder => ({
  id: 'o1',
  caseNo: 'C1',
  nodeId: 1,
  court: '110108',
  issuer: { id: 'p1', name: '王值班' },
  content: '请办理',
  dueAt: '2026-11-25T00:00:00.000Z',
  state: 'issued',
  level: 0,
  createdAt: '2026-11-21T00:00:00.000Z',
  closedAt: null,
  ...overrides,
});

describe('supervision store', () => {
  beforeEach(() => {
    sessionDeps.fetchImpl = undefined;
  });

  it('loads the overdue list with node names, issues an order and marks the node supervised', async () => {
    const orders: SupervisionOrder[] = [];
    const rule = { warnDays: 30, remindDays: [15, 7] };
    let catalog: { code: string; name: string; nameEn?: string; rule: { warnDays: number; remindDays?: number[] } }[] = [
      { code: 'handler_assignment', name: '确定承办人', nameEn: 'Assignment of the case handler', rule },
      { code: 'local_check', name: '本院自定节点', rule: { warnDays: 3 } },
    ];
    const hub = fakeHub((r) => {
      if (r.path.startsWith('/api/v1/nodes?state=overdue'))
        return { status: 200, body: { nodes: [node(1, 'C1'), node(2, 'C2')], next: null } };
      if (r.path.startsWith('/api/v1/supervision') && r.method === 'GET') return { status: 200, body: { orders } };
      if (r.path === '/api/v1/catalog/node-types') return { status: 200, body: { nodeTypes: catalog } };
      if (r.path === '/api/v1/supervision' && r.method === 'POST') {
        const body = r.body as { caseNo: string; nodeId: number; content: string };
        if (body.caseNo === 'missing')
          return { status: 404, body: { error: { code: 'not_found', message: '对象不存在', messageEn: 'Not found' } } };
        const created = order({ id: 'o9', caseNo: body.caseNo, nodeId: body.nodeId, content: body.content });
        orders.push(created);
        return { status: 201, body: created };
      }
      return undefined;
    });
    const supervision = useSupervisionStore();
    supervision.follow();
    hub.connect();
    hub.hello();
    await vi.waitFor(() => expect(supervision.typeName('handler_assignment', 'zh-CN')).toBe('确定承办人'));
    expect(supervision.typeName('handler_assignment', 'en')).toBe('Assignment of the case handler');
    expect(supervision.typeName('local_check', 'en')).toBe('本院自定节点');
    expect(supervision.typeName('unknown_type', 'en')).toBe('unknown_type');
    // Their last warning thresholds: a countdown within them stands out.
    expect([supervision.nodeTypes.handler_assignment?.lastWarnDays, supervision.nodeTypes.local_check?.lastWarnDays]).toEqual([7, 3]);
    // An admin names the custom type in English: the console follows the catalog event.
    catalog = [...catalog.slice(0, 1), { code: 'local_check', name: '本院自定节点', nameEn: 'Local check', rule: { warnDays: 3 } }];
    hub.event('catalog.changed', { code: 'local_check' }, { at: '2026-11-21T03:00:00.000Z' });
    await vi.waitFor(() => expect(supervision.typeName('local_check', 'en')).toBe('Local check'));
    expect(supervision.rows.map((r) => [r.node.id, r.order?.id])).toEqual([
      [1, undefined],
      [2, undefined],
    ]);

    expect(await supervision.issue(2, { caseNo: 'C2', nodeId: 2, content: '请于三日内回复', dueAt: '2026-11-24' })).toBe(true);
    expect(hub.requests.at(-1)).toMatchObject({ method: 'POST', authorization: 'Bearer tok', body: { caseNo: 'C2', nodeId: 2 } });
    expect(supervision.rows.find((r) => r.node.id === 2)?.order?.id).toBe('o9');

    expect(await supervision.issue(1, { caseNo: 'missing', nodeId: 1, content: 'x', dueAt: '2026-11-24' })).toBe(false);
    expect(supervision.error?.code).toBe('not_found');
    expect(supervision.rows.find((r) => r.node.id === 1)?.order).toBeUndefined();
  });

  it('marks overdue nodes with open orders from every page of every open state, never asking for accepted ones', async () => {
    // 500 newer orders would once have hidden an older open one: now the open states are paged through.
    const filler = (state: SupervisionOrder['state'], n: number) =>
      Array.from({ length: n }, (_, i) => order({ id: `${state}-${i}`, caseNo: `X${i}`, nodeId: 1000 + i, state }));
    const pages: Record<string, { orders: SupervisionOrder[]; nextCursor?: string | null }> = {
      'issued:': { orders: filler('issued', 500), nextCursor: 'aXNzdWVkLTI' },
      'issued:aXNzdWVkLTI': { orders: [order({ id: 'old', caseNo: 'C1', nodeId: 1, state: 'issued' })], nextCursor: null },
      'replied:': { orders: [order({ id: 'r1', caseNo: 'C2', nodeId: null, state: 'replied' })], nextCursor: null },
      // A hub without paging answers one page and no nextCursor.
      'returned:': { orders: [] },
    };
    const hub = fakeHub((r) => {
      if (r.path.startsWith('/api/v1/nodes?state=overdue'))
        return { status: 200, body: { nodes: [node(1, 'C1'), node(2, 'C2'), node(3, 'C3')], next: null } };
      if (r.path === '/api/v1/catalog/node-types') return { status: 200, body: { nodeTypes: [] } };
      if (r.path.startsWith('/api/v1/supervision?')) {
        const q = new URLSearchParams(r.path.split('?')[1]);
        const page = pages[`${q.get('state')}:${q.get('cursor') ?? ''}`];
        return page
          ? { status: 200, body: page }
          : { status: 400, body: { error: { code: 'validation_failed', message: 'x', messageEn: 'x' } } };
      }
      return undefined;
    });
    const supervision = useSupervisionStore();
    supervision.follow();
    hub.connect();
    hub.hello();
    await vi.waitFor(() => expect(supervision.rows).toHaveLength(3));
    expect(supervision.rows.map((r) => [r.node.id, r.order?.id])).toEqual([
      [1, 'old'],
      [2, 'r1'],
      [3, undefined],
    ]);
    const asked = hub.requests.filter((r) => r.path.startsWith('/api/v1/supervision?')).map((r) => r.path);
    expect(asked).toHaveLength(4);
    expect(asked.some((p) => !/[?&]state=(issued|replied|returned)(&|$)/.test(p))).toBe(false);
  });
});

/** A 临期 node of case `C<id>`. */
const dueSoonNode = (id: number, type: string, dueAt: string): FlowNode => ({
  ...node(id, `C${id}`, dueAt),
  type,
  state: 'due_soon',
});

/** 2026-11-24 23:00 China time. */
const NOW = '2026-11-24T15:00:00.000Z';
/** Overdue since 11-24 00:00 and 11-20 00:00 China time. */
const OVERDUE = [node(1, 'C1', '2026-11-23T16:00:00.000Z'), node(2, 'C2', '2026-11-19T16:00:00.000Z')];
/** Due 11-24 23:30 (today), 12-01 and 12-02 00:00 China time, soonest first as the hub lists them. */
const DUE_SOON = [
  dueSoonNode(11, 'funds_payout', '2026-11-24T15:30:00.000Z'),
  dueSoonNode(12, 'freeze_renewal', '2026-11-30T16:00:00.000Z'),
  dueSoonNode(13, 'freeze_renewal', '2026-12-01T16:00:00.000Z'),
];

/**
 * A console following a hub that lists `hub.overdue` and `hub.dueSoon`, with one open order on node 12.
 * `hold`: the `hold.nth` 超期 list asked for (1: the load on hello) is read when asked but answered only when `hold.until` settles.
 */
function consoleWithLists(hub: { overdue: FlowNode[]; dueSoon: FlowNode[] }, hold?: { nth: number; until: Promise<void> }) {
  let overdueAsked = 0;
  const fake = fakeHub((r) => {
    if (r.path.startsWith('/api/v1/nodes?state=overdue')) {
      overdueAsked += 1;
      const answer = { status: 200, body: { nodes: hub.overdue, next: null } };
      return hold && overdueAsked === hold.nth ? hold.until.then(() => answer) : answer;
    }
    if (r.path.startsWith('/api/v1/nodes?state=due_soon')) return { status: 200, body: { nodes: hub.dueSoon, next: null } };
    if (r.path.startsWith('/api/v1/supervision?state=issued'))
      return { status: 200, body: { orders: [order({ id: 'o12', caseNo: 'C12', nodeId: 12 })] } };
    if (r.path.startsWith('/api/v1/supervision?')) return { status: 200, body: { orders: [] } };
    if (r.path === '/api/v1/supervision' && r.method === 'POST') {
      const body = r.body as { caseNo: string; nodeId: number };
      return { status: 201, body: order({ id: 'o9', caseNo: body.caseNo, nodeId: body.nodeId }) };
    }
    if (r.path === '/api/v1/catalog/node-types')
      return {
        status: 200,
        body: {
          nodeTypes: [
            { code: 'funds_payout', name: '案款发放', rule: { warnDays: 3, remindDays: [1] } },
            { code: 'freeze_renewal', name: '续行冻结', rule: { warnDays: 30, remindDays: [15, 7] } },
          ],
        },
      };
    return undefined;
  });
  const supervision = useSupervisionStore();
  const unfollow = supervision.follow();
  fake.connect();
  fake.hello();
  const nodeLists = (): number => fake.requests.filter((r) => r.path.startsWith('/api/v1/nodes?state=due_soon')).length;
  return { supervision, unfollow, event: fake.event, nodeLists };
}

const listed = (rows: { node: FlowNode; timeLeft: unknown; order?: SupervisionOrder }[]) =>
  rows.map((r) => [r.node.id, r.timeLeft, r.order?.id]);

describe('supervision store: 超期 and 临期 lists', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse(NOW));
  });
  afterEach(() => {
    vi.useRealTimers();
    sessionDeps.fetchImpl = undefined;
  });

  it('loads both lists with their counts and switches between them; 临期 rows say days left, soonest first', async () => {
    const { supervision, unfollow } = consoleWithLists({ overdue: OVERDUE, dueSoon: DUE_SOON });
    await vi.advanceTimersByTimeAsync(0);
    expect(supervision.counts).toEqual({ overdue: { n: 2, truncated: false }, due_soon: { n: 3, truncated: false } });
    expect(supervision.shown).toBe('overdue');
    expect(listed(supervision.listed)).toEqual([
      [1, { kind: 'overdue', days: 1 }, undefined],
      [2, { kind: 'overdue', days: 5 }, undefined],
    ]);
    supervision.shown = 'due_soon';
    expect(listed(supervision.listed)).toEqual([
      [11, { kind: 'left', days: 0 }, undefined],
      [12, { kind: 'left', days: 7 }, 'o12'],
      [13, { kind: 'left', days: 8 }, undefined],
    ]);
    // The last reminder thresholds the rows are highlighted within.
    expect([supervision.nodeTypes.funds_payout?.lastWarnDays, supervision.nodeTypes.freeze_renewal?.lastWarnDays]).toEqual([1, 7]);
    supervision.shown = 'overdue';
    expect(supervision.listed.map((r) => r.node.id)).toEqual([1, 2]);
    unfollow();
    expect(supervision.counts.due_soon.n).toBe(0);
  });

  it('reloads the 临期 list once for a burst of node.due_soon events, and marks a list cut at its limit', async () => {
    const hub = { overdue: OVERDUE, dueSoon: DUE_SOON };
    const { supervision, unfollow, event, nodeLists } = consoleWithLists(hub);
    await vi.advanceTimersByTimeAsync(0);
    expect(nodeLists()).toBe(1);
    // The hub moved 97 more nodes into 临期 (100: the console's limit), due 12-11 00:00 China time.
    hub.dueSoon = [
      ...DUE_SOON,
      ...Array.from({ length: 97 }, (_, i) => dueSoonNode(100 + i, 'freeze_renewal', '2026-12-10T16:00:00.000Z')),
    ];
    for (const n of hub.dueSoon.slice(1, 4)) {
      event(
        'node.due_soon',
        { nodeId: n.id, caseNo: n.caseNo, type: n.type, dueAt: n.dueAt, daysLeft: 7, reminder: true },
        { at: NOW, court: '110108' },
      );
    }
    await vi.advanceTimersByTimeAsync(500);
    expect(nodeLists()).toBe(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(nodeLists()).toBe(2);
    expect(supervision.counts.due_soon).toEqual({ n: 100, truncated: true });
    supervision.shown = 'due_soon';
    expect(supervision.listed.at(-1)?.timeLeft).toEqual({ kind: 'left', days: 17 });
    unfollow();
  });

  it('keeps a node that turned overdue when the list loaded on hello answers after the reload its event caused', async () => {
    let answerFirst = (): void => undefined;
    const held = new Promise<void>((r) => (answerFirst = r));
    const hub = { overdue: OVERDUE, dueSoon: DUE_SOON };
    const { supervision, unfollow, event } = consoleWithLists(hub, { nth: 1, until: held });
    await vi.advanceTimersByTimeAsync(0);
    // The list on its way was read with two overdue nodes; then node 3 turns overdue.
    const turned = node(3, 'C3', '2026-11-24T12:00:00.000Z');
    hub.overdue = [...OVERDUE, turned];
    event('node.overdue', { nodeId: 3, caseNo: 'C3', type: turned.type, dueAt: turned.dueAt }, { at: NOW, court: '110108' });
    await vi.advanceTimersByTimeAsync(1100);
    expect(supervision.listed.map((r) => r.node.id)).toEqual([1, 2, 3]);
    answerFirst();
    await vi.advanceTimersByTimeAsync(0);
    expect(supervision.listed.map((r) => r.node.id)).toEqual([1, 2, 3]);
    expect(supervision.counts.overdue.n).toBe(3);
    unfollow();
  });

  it('keeps the 督办 order issued while the list was on its way', async () => {
    let answerReload = (): void => undefined;
    const held = new Promise<void>((r) => (answerReload = r));
    const { supervision, unfollow, event } = consoleWithLists({ overdue: OVERDUE, dueSoon: DUE_SOON }, { nth: 2, until: held });
    await vi.advanceTimersByTimeAsync(0);
    // A case changed: the lists reload, and their orders are read before the officer issues one on node 1.
    event('case.changed', { caseNo: 'C2', action: 'node_completed' }, { at: NOW, court: '110108' });
    await vi.advanceTimersByTimeAsync(1100);
    expect(await supervision.issue(1, { caseNo: 'C1', nodeId: 1, content: '请于三日内回复', dueAt: '2026-11-27' })).toBe(true);
    expect(supervision.listed[0]?.order?.id).toBe('o9');
    answerReload();
    await vi.advanceTimersByTimeAsync(0);
    expect(listed(supervision.listed)).toEqual([
      [1, { kind: 'overdue', days: 1 }, 'o9'],
      [2, { kind: 'overdue', days: 5 }, undefined],
    ]);
    unfollow();
  });

  it('moves both lists’ day counts on at China midnight without an event, and stops with unfollow', async () => {
    const { supervision, unfollow, nodeLists } = consoleWithLists({ overdue: OVERDUE, dueSoon: DUE_SOON });
    await vi.advanceTimersByTimeAsync(0);
    supervision.shown = 'due_soon';
    expect(supervision.listed.map((r) => r.timeLeft.days)).toEqual([0, 7, 8]);
    await vi.advanceTimersByTimeAsync(59 * 60_000); // 23:59
    expect(supervision.listed.map((r) => r.timeLeft.days)).toEqual([0, 7, 8]);
    await vi.advanceTimersByTimeAsync(60_000); // 00:00 on 11-25
    expect(listed(supervision.listed)).toEqual([
      // Past its due time (23:30 yesterday): overdue until the hub's node.overdue moves it to the other list.
      [11, { kind: 'overdue', days: 2 }, undefined],
      [12, { kind: 'left', days: 6 }, 'o12'],
      [13, { kind: 'left', days: 7 }, undefined],
    ]);
    supervision.shown = 'overdue';
    expect(supervision.listed.map((r) => r.timeLeft.days)).toEqual([2, 6]);
    // The next midnight too: the timer sets itself again.
    await vi.advanceTimersByTimeAsync(86_400_000);
    expect(supervision.listed.map((r) => r.timeLeft.days)).toEqual([3, 7]);
    expect(nodeLists()).toBe(1);
    const timers = vi.getTimerCount();
    unfollow();
    expect(vi.getTimerCount()).toBe(timers - 1);
  });
});

describe('supervision store: who may issue', () => {
  it('offers 督办 to the centre only (duty officers, leaders, admins), as the hub allows, and to nobody signed out', () => {
    setActivePinia(createPinia());
    const session = useSessionStore();
    const supervision = useSupervisionStore();
    const roles: Role[] = ['duty_officer', 'leader', 'admin', 'technician', 'court_user', 'viewer'];
    const offered = roles.map((role) => {
      session.user = { id: 'p1', username: 'u1', name: '王', role, court: role === 'court_user' ? '110108' : null };
      return [role, supervision.canIssue];
    });
    expect(offered).toEqual([
      ['duty_officer', true],
      ['leader', true],
      ['admin', true],
      ['technician', false],
      ['court_user', false],
      ['viewer', false],
    ]);
    session.user = null;
    expect(supervision.canIssue).toBe(false);
  });
});

describe('supervision model', () => {
  it('counts China calendar days overdue and matches open orders by node, else by case', () => {
    const now = Date.parse('2026-11-04T12:00:00.000Z');
    const rows = overdueRows(
      [node(1, 'C1'), node(2, 'C2'), node(3, 'C3'), node(4, 'C4', '2026-11-04T06:00:00.000Z')],
      [
        order({ id: 'a', nodeId: 1 }),
        order({ id: 'b', caseNo: 'C2', nodeId: null }),
        order({ id: 'c', caseNo: 'C3', nodeId: 3, state: 'accepted' }),
      ],
      now,
    );
    expect(rows.map((r) => [r.node.id, r.daysOverdue, r.order?.id])).toEqual([
      [1, 4, 'a'],
      [2, 4, 'b'],
      [3, 4, undefined],
      [4, 1, undefined],
    ]);
    expect(defaultDueDate(Date.parse('2026-11-21T10:00:00.000Z'))).toBe('2026-11-24');
  });

  it('counts China calendar days left to a 临期 node, due today included, and matches its open order', () => {
    const rows = dueSoonRows(DUE_SOON, [order({ id: 'c', caseNo: 'C13', nodeId: null })], Date.parse(NOW));
    expect(listed(rows)).toEqual([
      [11, { kind: 'left', days: 0 }, undefined],
      [12, { kind: 'left', days: 7 }, undefined],
      [13, { kind: 'left', days: 8 }, 'c'],
    ]);
  });
});
