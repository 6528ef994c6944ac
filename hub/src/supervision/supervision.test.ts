import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEventEnvelope, SupervisionOrder } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { importCases } from '../cases/import.js';
import { startTestHub, type TestHub } from '../cases/test-support.js';
import { DAY_MS } from '../deadlines/calendar.js';
import { deadlineEngineOf } from '../deadlines/index.js';

let hub: TestHub;
let events: HubEventEnvelope[];
beforeEach(async () => {
  hub = await startTestHub();
  events = [];
  hub.ctx.events.subscribe((batch) => events.push(...batch));
  importCases(hub.ctx, SYSTEM_ACTOR, [{ caseNo: '(2026)甲执1号', court: 'A1', kind: 'first', filedAt: '2026-05-01', amountOwed: 1 }]);
});
afterEach(async () => {
  await hub.close();
});

const issue = (dueAt = '2026-06-05T00:00:00Z') =>
  hub.request<SupervisionOrder>('POST', '/api/v1/supervision', hub.tokens.officer, {
    caseNo: '(2026)甲执1号',
    content: '请说明财产处置进展',
    dueAt,
  });

describe('督办 supervision orders', () => {
  it('issue → reply → return → reply → accept, each step in the history and as an event for the court', async () => {
    const order = await issue();
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ court: 'A1', state: 'issued', level: 0 });
    const base = `/api/v1/supervision/${order.body.id}`;
    expect((await hub.request('POST', `${base}/accept`, hub.tokens.officer, {})).status).toBe(400); // out of order
    expect((await hub.request('POST', `${base}/reply`, hub.tokens.courtB, { content: '不是我院' })).status).toBe(403);
    expect((await hub.request('POST', `${base}/reply`, hub.tokens.courtA, { content: '已启动评估' })).body).toMatchObject({
      state: 'replied',
    });
    expect((await hub.request('POST', `${base}/return`, hub.tokens.courtA, { comment: 'x' })).status).toBe(403);
    expect((await hub.request('POST', `${base}/return`, hub.tokens.officer, { comment: '请附评估委托书' })).body).toMatchObject({
      state: 'returned',
    });
    await hub.request('POST', `${base}/reply`, hub.tokens.courtA, { content: '已补充' });
    const accepted = await hub.request<SupervisionOrder>('POST', `${base}/accept`, hub.tokens.officer, { comment: '同意' });
    expect(accepted.body.state).toBe('accepted');
    expect(accepted.body.closedAt).not.toBeNull();
    expect(accepted.body.history?.map((h) => h.action)).toEqual(['issued', 'replied', 'returned', 'replied', 'accepted']);
    const changes = events.filter((e) => e.type === 'supervision.changed');
    expect(changes.map((e) => [e.court, (e.data as { state: string }).state])).toEqual([
      ['A1', 'issued'],
      ['A1', 'replied'],
      ['A1', 'returned'],
      ['A1', 'replied'],
      ['A1', 'accepted'],
    ]);
    const listB = await hub.request<{ orders: unknown[] }>('GET', '/api/v1/supervision', hub.tokens.courtB);
    expect(listB.body.orders).toHaveLength(0);
  });

  it('escalates an unanswered order at its deadline and again at +3 and +7 days; a reply stops the clock', async () => {
    const order = await issue();
    const due = Date.parse('2026-06-05T00:00:00Z');
    const engine = deadlineEngineOf(hub.ctx.db);
    expect(engine.nextAt()).toBe(due);
    hub.clock.now = due - 1;
    engine.tick();
    hub.clock.now = due;
    engine.tick();
    hub.clock.now = due + 3 * DAY_MS;
    engine.tick();
    const escalations = (): number[] =>
      events.filter((e) => e.type === 'supervision.escalated').map((e) => (e.data as { level: number }).level);
    expect(escalations()).toEqual([1, 2]);
    await hub.relogin();
    await hub.request('POST', `/api/v1/supervision/${order.body.id}/reply`, hub.tokens.courtA, { content: '迟复' });
    hub.clock.now = due + 8 * DAY_MS;
    engine.tick();
    expect(escalations()).toEqual([1, 2]);
    await hub.relogin();
    const stored = await hub.request<SupervisionOrder>('GET', `/api/v1/supervision/${order.body.id}`, hub.tokens.officer);
    expect(stored.body.level).toBe(2);
  });

  it('refuses a deadline in the past, an unknown case and an unknown node', async () => {
    expect((await issue('2026-05-01')).status).toBe(400);
    const unknown = await hub.request('POST', '/api/v1/supervision', hub.tokens.officer, {
      caseNo: '(2026)无此案',
      content: 'x',
      dueAt: '2026-07-01',
    });
    expect(unknown.status).toBe(404);
    const node = await hub.request('POST', '/api/v1/supervision', hub.tokens.officer, {
      caseNo: '(2026)甲执1号',
      nodeId: 999,
      content: 'x',
      dueAt: '2026-07-01',
    });
    expect(node.status).toBe(404);
    expect(
      (await hub.request('POST', '/api/v1/supervision', hub.tokens.courtA, { caseNo: '(2026)甲执1号', content: 'x', dueAt: '2026-07-01' }))
        .status,
    ).toBe(403);
  });
});
