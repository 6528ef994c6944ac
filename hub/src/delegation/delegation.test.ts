import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Delegation, HubEventEnvelope } from '@cc/protocol';
import { startTestHub, type TestHub } from '../cases/test-support.js';
import { deadlineEngineOf } from '../deadlines/index.js';

let hub: TestHub;
let events: HubEventEnvelope[];
beforeEach(async () => {
  hub = await startTestHub();
  events = [];
  hub.ctx.events.subscribe((batch) => events.push(...batch));
});
afterEach(async () => {
  await hub.close();
});

const create = (token: string, body: Record<string, unknown> = {}) =>
  hub.request<Delegation>('POST', '/api/v1/delegations', token, {
    toCourt: 'B1',
    item: 'seal_property',
    content: '查封被执行人在乙区房产',
    dueAt: '2026-06-10',
    ...body,
  });

describe('事项委托 delegation', () => {
  it('A requests, B accepts and completes with a receipt, A confirms; both courts see every step', async () => {
    const d = await create(hub.tokens.courtA);
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ fromCourt: 'A1', toCourt: 'B1', state: 'requested' });
    const base = `/api/v1/delegations/${d.body.id}`;
    expect((await hub.request('POST', `${base}/accept`, hub.tokens.courtA)).status).toBe(403); // the requester cannot accept
    expect((await hub.request('POST', `${base}/confirm`, hub.tokens.courtA)).status).toBe(400); // not completed yet
    expect((await hub.request<Delegation>('POST', `${base}/accept`, hub.tokens.courtB)).body.state).toBe('accepted');
    const done = await hub.request<Delegation>('POST', `${base}/complete`, hub.tokens.courtB, { result: '已查封', receiptNo: '乙回执-7' });
    expect(done.body).toMatchObject({ state: 'completed', result: '已查封', receiptNo: '乙回执-7' });
    expect((await hub.request('POST', `${base}/confirm`, hub.tokens.courtB)).status).toBe(403);
    expect((await hub.request<Delegation>('POST', `${base}/confirm`, hub.tokens.courtA)).body.state).toBe('confirmed');
    const seen = events.filter((e) => e.type === 'delegation.changed').map((e) => `${e.court}:${(e.data as { state: string }).state}`);
    expect(seen).toEqual([
      'A1:requested',
      'B1:requested',
      'A1:accepted',
      'B1:accepted',
      'A1:completed',
      'B1:completed',
      'A1:confirmed',
      'B1:confirmed',
    ]);
    const incomingB = await hub.request<{ delegations: Delegation[] }>('GET', '/api/v1/delegations?direction=incoming', hub.tokens.courtB);
    expect(incomingB.body.delegations).toHaveLength(1);
    const outgoingB = await hub.request<{ delegations: Delegation[] }>('GET', '/api/v1/delegations?direction=outgoing', hub.tokens.courtB);
    expect(outgoingB.body.delegations).toHaveLength(0);
  });

  it('rejection carries a reason; an open delegation past its deadline is flagged overdue once', async () => {
    const rejected = await create(hub.tokens.courtA);
    const r = await hub.request<Delegation>('POST', `/api/v1/delegations/${rejected.body.id}/reject`, hub.tokens.courtB, {
      reason: '不属我院辖区',
    });
    expect(r.body).toMatchObject({ state: 'rejected', rejectReason: '不属我院辖区' });
    const open = await create(hub.tokens.officer, { fromCourt: 'A1' });
    const engine = deadlineEngineOf(hub.ctx.db);
    hub.clock.now = Date.parse('2026-06-10T00:00:00+08:00');
    engine.tick();
    engine.tick();
    const overdue = events.filter((e) => e.type === 'delegation.overdue');
    expect(overdue.map((e) => e.court)).toEqual(['B1', 'A1']);
    expect((overdue[0]?.data as { id: string }).id).toBe(open.body.id);
    await hub.relogin();
    expect((await hub.request<Delegation>('GET', `/api/v1/delegations/${open.body.id}`, hub.tokens.courtB)).body.overdue).toBe(true);
  });

  it('refuses unknown courts, delegating to oneself, a past deadline and strangers', async () => {
    expect((await create(hub.tokens.courtA, { toCourt: 'ZZ' })).status).toBe(400);
    expect((await create(hub.tokens.courtA, { toCourt: 'A1' })).status).toBe(400);
    expect((await create(hub.tokens.courtA, { dueAt: '2026-01-01' })).status).toBe(400);
    expect((await create(hub.tokens.courtA, { item: 'teleport' })).status).toBe(400);
    const d = await create(hub.tokens.officer, { fromCourt: 'H1' });
    expect((await hub.request('GET', `/api/v1/delegations/${d.body.id}`, hub.tokens.courtA)).status).toBe(404);
  });
});
