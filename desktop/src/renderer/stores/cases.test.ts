import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Case, Deduction, FlowNode, SupervisionOrder } from '@cc/protocol';
import { ApiError } from '../api/client';
import { fakeHub } from '../testing/fake-hub';
import type { RecordedRequest } from '../testing/fakes';
import { sampleCase } from '../testing/samples';
import { RELOAD_DEBOUNCE_MS, useCasesStore } from './cases';
import { chinaDay, nodeRows, ordersOfCase, problemKeys, sortedDeductions } from './cases-model';
import { sessionDeps, useSessionStore } from './session';

const CASE_NO = '(2026)京0108执1号';

const node = (id: number, overrides: Partial<FlowNode> = {}): FlowNode => ({
  id,
  caseNo: CASE_NO,
  court: '110108',
  type: 'network_inquiry',
  category: 'supervised',
  cycle: 0,
  startedAt: '2026-11-01T00:00:00.000Z',
  dueAt: '2026-11-04T16:00:00.000Z',
  doneAt: null,
  state: 'overdue',
  ...overrides,
});

const period = (id: number, overrides: Partial<Deduction> = {}): Deduction => ({
  id,
  caseNo: CASE_NO,
  reason: 'suspension',
  startedOn: '2026-11-02',
  endedOn: null,
  days: 20,
  note: '',
  recordedBy: '王值班',
  recordedAt: '2026-11-21T02:00:00.000Z',
  endedBy: null,
  ...overrides,
});

const detail = (nodes: FlowNode[], deductions: Deduction[]): Case => sampleCase({ caseNo: CASE_NO, nodes, deductions });

const invalidEnd = {
  status: 400,
  body: {
    error: {
      code: 'validation_failed',
      message: '数据校验未通过',
      messageEn: 'Validation failed',
      details: { endedOn: 'not after startedOn' },
    },
  },
};

const unavailable = {
  status: 503,
  body: { error: { code: 'unavailable', message: '服务暂不可用', messageEn: 'Service unavailable' } },
};

const order = (id: string, caseNo: string, state: SupervisionOrder['state'], createdAt: string): SupervisionOrder => ({
  id,
  caseNo,
  nodeId: null,
  court: '110108',
  issuer: { id: 'p1', name: '王值班' },
  content: 'x',
  dueAt: '2026-11-25T00:00:00.000Z',
  state,
  level: 0,
  createdAt,
  closedAt: null,
});

/**
 * A hub holding one case: a POST of a period with `endedOn` before `startedOn` is refused like the real hub does;
 * the case's 督办 orders answer only a query filtered by its number.
 */
function hubWithOneCase(role: string) {
  let current = detail([node(1)], []);
  /**
   * `refuseOrders`: answer the orders query like a hub without the case filter (400); the orders come in
   * pages of 500 (`nextCursor` `p<offset>`), a page from `failFrom` on fails (503).
   */
  const hub = { orders: [] as SupervisionOrder[], refuseOrders: false, failFrom: null as number | null };
  const route = (r: RecordedRequest) => {
    const path = decodeURIComponent(r.path);
    if (path === '/api/v1/auth/me') return { status: 200, body: { id: 'p1', username: 'u', name: '王值班', role, court: null } };
    if (path.startsWith(`/api/v1/supervision?caseNo=${CASE_NO}&limit=500`) && r.method === 'GET') {
      if (hub.refuseOrders) return invalidEnd;
      const from = Number(/&cursor=p(\d+)$/.exec(path)?.[1] ?? 0);
      if (hub.failFrom !== null && from >= hub.failFrom) return unavailable;
      return {
        status: 200,
        body: { orders: hub.orders.slice(from, from + 500), nextCursor: from + 500 < hub.orders.length ? `p${from + 500}` : null },
      };
    }
    if (path === `/api/v1/cases/${CASE_NO}` && r.method === 'GET') return { status: 200, body: current };
    if (path === `/api/v1/cases/${CASE_NO}/deductions` && r.method === 'POST') {
      const body = r.body as { startedOn: string; endedOn?: string; reason: Deduction['reason'] };
      if (body.endedOn !== undefined && body.endedOn <= body.startedOn) return invalidEnd;
      const created = period(7, { reason: body.reason, startedOn: body.startedOn });
      current = detail(
        [node(1, { state: 'pending', paused: true, baseDueAt: '2026-11-04T16:00:00.000Z', dueAt: '2026-11-25T16:00:00.000Z' })],
        [created],
      );
      return { status: 201, body: { deduction: created, moved: 1 } };
    }
    if (path === `/api/v1/cases/${CASE_NO}/deductions/7` && r.method === 'PATCH') {
      const ended = period(7, { endedOn: (r.body as { endedOn: string }).endedOn, endedBy: '王值班' });
      current = detail([node(1, { state: 'due_soon', baseDueAt: '2026-11-04T16:00:00.000Z', dueAt: '2026-11-23T16:00:00.000Z' })], [ended]);
      return { status: 200, body: { deduction: ended, moved: 1 } };
    }
    return undefined;
  };
  return { ...fakeHub(route), change: (next: Case) => (current = next), hub };
}

async function signedIn(role: string) {
  const hub = hubWithOneCase(role);
  await useSessionStore().restore();
  const cases = useCasesStore();
  const unfollow = cases.follow();
  hub.connect();
  hub.hello();
  return { ...hub, cases, unfollow };
}

describe('cases store', () => {
  beforeEach(() => {
    sessionDeps.fetchImpl = undefined;
  });

  it('opens a case, records a suspension (the overdue node turns paused) and ends it', async () => {
    const { cases, requests } = await signedIn('duty_officer');
    await cases.open(` ${CASE_NO} `);
    expect(cases.caseNo).toBe(CASE_NO);
    expect(cases.canEdit).toBe(true);
    expect(cases.nodes.map((r) => [r.node.id, r.status, r.paused])).toEqual([[1, 'overdue', false]]);

    const recording = cases.recordDeduction({ reason: 'suspension', startedOn: '2026-11-02', endedOn: '', note: '' });
    // While the request runs the store is busy (the UI disables its buttons) and refuses a second change.
    expect(cases.busy).toBe(true);
    expect(await cases.endDeduction(7, '2026-11-21')).toBe(false);
    expect(await recording).toBe(true);
    const posted = requests.find((r) => r.method === 'POST');
    expect(posted).toMatchObject({ authorization: 'Bearer tok', body: { reason: 'suspension', startedOn: '2026-11-02', note: '' } });
    expect(posted?.body).not.toHaveProperty('endedOn');
    expect(cases.nodes.map((r) => [r.status, r.paused, r.baseDueAt])).toEqual([['normal', true, '2026-11-04T16:00:00.000Z']]);
    expect(cases.deductions.map((d) => [d.id, d.endedOn])).toEqual([[7, null]]);
    expect(cases.busy).toBe(false);

    expect(await cases.endDeduction(7, '2026-11-21')).toBe(true);
    expect(requests.filter((r) => r.method === 'PATCH')).toMatchObject([{ body: { endedOn: '2026-11-21' } }]);
    expect(cases.deductions[0]?.endedOn).toBe('2026-11-21');
    expect(cases.nodes.map((r) => [r.status, r.paused])).toEqual([['due_soon', false]]);
  });

  it('keeps the case unchanged and names the problem when the hub refuses a period ending before it starts', async () => {
    const { cases, requests } = await signedIn('court_user');
    await cases.open(CASE_NO);
    const before = cases.detail;
    expect(await cases.recordDeduction({ reason: 'suspension', startedOn: '2026-11-10', endedOn: '2026-11-05' })).toBe(false);
    expect(cases.actionError?.code).toBe('validation_failed');
    expect(cases.actionError?.messageZh).toBe('数据校验未通过');
    expect(problemKeys(cases.actionError!)).toEqual(['cases.problem.endNotAfterStart']);
    expect(cases.detail).toBe(before);
    expect(cases.busy).toBe(false);
    // Only the one refused POST after the first load: no reload of a case that did not change.
    expect(requests.filter((r) => r.path.startsWith('/api/v1/cases')).map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it('reloads the open case on its own case.changed event only, and shows a viewer no form', async () => {
    const { cases, requests, event, change, unfollow } = await signedIn('viewer');
    expect(cases.canEdit).toBe(false);
    await cases.open(CASE_NO);
    const gets = () => requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/cases')).length;
    expect(gets()).toBe(1);
    const changed = (caseNo: string) =>
      event('case.changed', { caseNo, action: 'deduction_recorded', deductionId: 9 }, { at: '2026-11-21T03:00:00.000Z', court: '110108' });
    changed('(2026)京0108执99号');
    await new Promise((resolve) => setTimeout(resolve, RELOAD_DEBOUNCE_MS * 2));
    expect(gets()).toBe(1);
    change(detail([node(1, { state: 'pending', paused: true })], [period(9, { recordedBy: '李法官' })]));
    changed(CASE_NO);
    await vi.waitFor(() => expect(cases.deductions.map((d) => d.recordedBy)).toEqual(['李法官']));
    expect(gets()).toBe(2);
    unfollow();
    expect(cases.caseNo).toBeNull();
  });

  it('asks the hub for the open case’s 督办 orders by case number and reloads them on that case’s supervision events', async () => {
    const { cases, requests, event, hub } = await signedIn('duty_officer');
    hub.orders = [order('a', CASE_NO, 'issued', '2026-11-20T00:00:00.000Z')];
    await cases.open(CASE_NO);
    const orderGets = () => requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/supervision'));
    expect(orderGets().map((r) => decodeURIComponent(r.path))).toEqual([`/api/v1/supervision?caseNo=${CASE_NO}&limit=500`]);
    expect(cases.orders.map((o) => o.id)).toEqual(['a']);

    const changed = (caseNo: string) =>
      event('supervision.changed', { id: 'b', caseNo, state: 'issued' }, { at: '2026-11-21T03:00:00.000Z', court: '110108' });
    changed('(2026)京0108执99号');
    await new Promise((resolve) => setTimeout(resolve, RELOAD_DEBOUNCE_MS * 2));
    expect(orderGets()).toHaveLength(1);
    hub.orders = [order('b', CASE_NO, 'issued', '2026-11-21T00:00:00.000Z'), ...hub.orders];
    changed(CASE_NO);
    await vi.waitFor(() => expect(cases.orders.map((o) => o.id)).toEqual(['b', 'a']));
    expect(orderGets()).toHaveLength(2);
    cases.close();
    expect(cases.orders).toEqual([]);
  });

  it('loads every page of a case’s 督办 orders, and keeps the pages so far with the reason when a later page fails', async () => {
    const { cases, requests, hub } = await signedIn('duty_officer');
    const at = Date.parse('2026-11-20T00:00:00.000Z');
    hub.orders = Array.from({ length: 1203 }, (_, i) =>
      order(`o${i}`, CASE_NO, i % 5 === 0 ? 'accepted' : 'issued', new Date(at - i * 60_000).toISOString()),
    );
    await cases.open(CASE_NO);
    const orderGets = () =>
      requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/supervision')).map((r) => decodeURIComponent(r.path));
    const base = `/api/v1/supervision?caseNo=${CASE_NO}&limit=500`;
    expect(orderGets()).toEqual([base, `${base}&cursor=p500`, `${base}&cursor=p1000`]);
    expect(cases.orders.map((o) => o.id)).toEqual(hub.orders.map((o) => o.id));
    expect(new Set(cases.orders.map((o) => o.id)).size).toBe(1203);
    expect(cases.ordersError).toBeNull();
    // The panel lists open orders first: the oldest open order, on the last page, is among them.
    expect(
      ordersOfCase(cases.orders, CASE_NO)
        .slice(0, 962)
        .map((o) => o.id),
    ).toContain('o1202');

    hub.failFrom = 1000;
    await cases.load();
    expect(cases.orders.map((o) => o.id)).toEqual(hub.orders.slice(0, 1000).map((o) => o.id));
    expect(cases.ordersError?.code).toBe('unavailable');
    expect(cases.detail?.caseNo).toBe(CASE_NO);
    expect(cases.loadError).toBeNull();
    hub.failFrom = null;
    await cases.load();
    expect(cases.orders).toHaveLength(1203);
    expect(cases.ordersError).toBeNull();
  });

  it('drops the pages of a load that a newer load or a close overtook', async () => {
    const { cases, hub } = await signedIn('duty_officer');
    const orders = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => order(`${prefix}${i}`, CASE_NO, 'issued', new Date(Date.parse('2026-11-20') - i).toISOString()));
    // The first load pages through three pages; the newer one, asked meanwhile, finds one page and ends first.
    hub.orders = orders('old', 1203);
    const first = cases.open(CASE_NO);
    hub.orders = orders('new', 300);
    await Promise.all([first, cases.load()]);
    expect(cases.orders.map((o) => o.id)).toEqual(hub.orders.map((o) => o.id));
    const closing = cases.load();
    cases.close();
    await closing;
    expect(cases.orders).toEqual([]);
    expect(cases.loading).toBe(false);
  });

  it('still shows the case, without orders, when the hub refuses the orders query', async () => {
    const { cases, hub } = await signedIn('duty_officer');
    hub.orders = [order('a', CASE_NO, 'issued', '2026-11-20T00:00:00.000Z')];
    hub.refuseOrders = true;
    await cases.open(CASE_NO);
    expect(cases.detail?.caseNo).toBe(CASE_NO);
    expect(cases.loadError).toBeNull();
    expect(cases.orders).toEqual([]);
  });

  it('counts the open case’s days overdue again at China midnight without a reload, and stops with unfollow', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-11-05T15:00:00.000Z')); // 2026-11-05 23:00 China time
    try {
      const { cases, requests, unfollow } = await signedIn('duty_officer');
      await cases.open(CASE_NO);
      expect(cases.nodes[0]?.timeLeft).toEqual({ kind: 'overdue', days: 1 });
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(cases.nodes[0]?.timeLeft).toEqual({ kind: 'overdue', days: 2 });
      expect(requests.filter((r) => r.path.startsWith('/api/v1/cases/'))).toHaveLength(1);
      const timers = vi.getTimerCount();
      unfollow();
      expect(vi.getTimerCount()).toBe(timers - 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows why an unknown case number cannot be opened', async () => {
    const { cases } = await signedIn('duty_officer');
    await cases.open('(2026)京0108执404号');
    expect(cases.detail).toBeNull();
    expect(cases.loadError?.code).toBe('not_found');
  });
});

describe('cases model', () => {
  it('maps node states to 正常/临期/超期/已完成, shows the base due time only when periods moved it, and counts days left of running 临期/超期 clocks', () => {
    const rows = nodeRows(
      [
        node(1, { state: 'pending' }),
        node(2, { state: 'due_soon', baseDueAt: '2026-11-04T16:00:00.000Z' }),
        node(3, { state: 'overdue', dueAt: '2026-10-30T16:00:00.000Z' }),
        node(4, { state: 'done', doneAt: '2026-11-03T00:00:00.000Z' }),
        node(5, { state: 'pending', paused: true, baseDueAt: '2026-11-01T16:00:00.000Z' }),
        node(6, { state: 'due_soon', paused: true }),
      ],
      Date.parse('2026-11-02T04:00:00.000Z'),
    );
    expect(rows.map((r) => [r.status, r.paused, r.baseDueAt, r.timeLeft])).toEqual([
      ['normal', false, null, null],
      ['due_soon', false, null, { kind: 'left', days: 3 }],
      ['overdue', false, null, { kind: 'overdue', days: 3 }],
      ['done', false, null, null],
      ['normal', true, '2026-11-01T16:00:00.000Z', null],
      ['due_soon', true, null, null],
    ]);
  });

  it('lists open periods first and the case orders open first', () => {
    const sorted = sortedDeductions([
      period(1, { startedOn: '2026-10-01', endedOn: '2026-10-05' }),
      period(2, { startedOn: '2026-09-01' }),
      period(3, { startedOn: '2026-11-01', endedOn: '2026-11-03' }),
    ]);
    expect(sorted.map((d) => d.id)).toEqual([2, 3, 1]);
    const orders = [
      order('a', CASE_NO, 'accepted', '2026-11-20T00:00:00.000Z'),
      order('b', 'other', 'issued', '2026-11-20T00:00:00.000Z'),
      order('c', CASE_NO, 'issued', '2026-11-18T00:00:00.000Z'),
      order('d', CASE_NO, 'replied', '2026-11-19T00:00:00.000Z'),
    ];
    expect(ordersOfCase(orders, CASE_NO).map((o) => o.id)).toEqual(['d', 'c', 'a']);
  });

  it('counts days in China time and explains known hub problems only', () => {
    expect(chinaDay('2026-11-21T16:30:00.000Z')).toBe('2026-11-22');
    expect(chinaDay(Date.parse('2026-11-21T15:59:00.000Z'))).toBe('2026-11-21');
    const wire = (code: 'validation_failed' | 'conflict', details: unknown) =>
      new ApiError(400, { code, message: 'm', messageEn: 'm', details });
    expect(problemKeys(wire('validation_failed', { startedOn: 'after today' }))).toEqual(['cases.problem.afterToday']);
    expect(problemKeys(wire('validation_failed', { issues: [{ path: 'reason' }] }))).toEqual([]);
    expect(problemKeys(wire('conflict', { overlaps: 3, reason: 'suspension' }))).toEqual(['cases.problem.overlaps']);
  });
});
