import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FlowNode, SupervisionOrder } from '@cc/protocol';
import { fakeFetch, socketFactory } from '../testing/fakes';
import { linkDeps, useLinkStore } from './link';
import { sessionDeps } from './session';
import { memoryTokenStorage } from './session-storage';
import { useSupervisionStore } from './supervision';
import { defaultDueDate, overdueRows } from './supervision-model';

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
    const fake = fakeFetch((r) => {
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
    const sockets = socketFactory();
    sessionDeps.baseUrl = () => 'http://hub.test/';
    sessionDeps.storage = () => memoryTokenStorage('tok');
    sessionDeps.fetchImpl = fake.fetchImpl;
    linkDeps.socket = sockets.open;
    setActivePinia(createPinia());
    const supervision = useSupervisionStore();
    supervision.follow();
    useLinkStore().connect('tok');
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 0 });
    await vi.waitFor(() => expect(supervision.typeName('handler_assignment', 'zh-CN')).toBe('确定承办人'));
    expect(supervision.typeName('handler_assignment', 'en')).toBe('Assignment of the case handler');
    expect(supervision.typeName('local_check', 'en')).toBe('本院自定节点');
    expect(supervision.typeName('unknown_type', 'en')).toBe('unknown_type');
    // Their last warning thresholds: a countdown within them stands out.
    expect([supervision.nodeTypes.handler_assignment?.lastWarnDays, supervision.nodeTypes.local_check?.lastWarnDays]).toEqual([7, 3]);
    // An admin names the custom type in English: the console follows the catalog event.
    catalog = [...catalog.slice(0, 1), { code: 'local_check', name: '本院自定节点', nameEn: 'Local check', rule: { warnDays: 3 } }];
    sockets.last().frame({
      type: 'event',
      event: { seq: 1, at: '2026-11-21T03:00:00.000Z', type: 'catalog.changed', court: null, data: { code: 'local_check' } },
    });
    await vi.waitFor(() => expect(supervision.typeName('local_check', 'en')).toBe('Local check'));
    expect(supervision.rows.map((r) => [r.node.id, r.order?.id])).toEqual([
      [1, undefined],
      [2, undefined],
    ]);

    expect(await supervision.issue(2, { caseNo: 'C2', nodeId: 2, content: '请于三日内回复', dueAt: '2026-11-24' })).toBe(true);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', authorization: 'Bearer tok', body: { caseNo: 'C2', nodeId: 2 } });
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
    const fake = fakeFetch((r) => {
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
    const sockets = socketFactory();
    sessionDeps.baseUrl = () => 'http://hub.test/';
    sessionDeps.storage = () => memoryTokenStorage('tok');
    sessionDeps.fetchImpl = fake.fetchImpl;
    linkDeps.socket = sockets.open;
    setActivePinia(createPinia());
    const supervision = useSupervisionStore();
    supervision.follow();
    useLinkStore().connect('tok');
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 0 });
    await vi.waitFor(() => expect(supervision.rows).toHaveLength(3));
    expect(supervision.rows.map((r) => [r.node.id, r.order?.id])).toEqual([
      [1, 'old'],
      [2, 'r1'],
      [3, undefined],
    ]);
    const asked = fake.requests.filter((r) => r.path.startsWith('/api/v1/supervision?')).map((r) => r.path);
    expect(asked).toHaveLength(4);
    expect(asked.some((p) => !/[?&]state=(issued|replied|returned)(&|$)/.test(p))).toBe(false);
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
});
