import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HubEventEnvelope, StatsResponse } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { importCases } from '../cases/import.js';
import { startTestHub, type TestHub } from '../cases/test-support.js';

let hub: TestHub;
beforeEach(async () => {
  hub = await startTestHub();
});
afterEach(async () => {
  vi.useRealTimers();
  await hub.close();
});

const c = (caseNo: string, court: string, filedAt: string, extra: Record<string, unknown> = {}) => ({
  caseNo,
  court,
  kind: 'first',
  filedAt,
  amountOwed: 1000,
  ...extra,
});
const seed = () =>
  importCases(hub.ctx, SYSTEM_ACTOR, [
    // Carried over into 2026 (filed 2025, open on 1 Jan).
    c('(2025)甲执1号', 'A1', '2025-11-01', { closedAt: '2026-02-01', closureType: 'completed', amountRecovered: 1000, dishonestCount: 1 }),
    c('(2025)甲执2号', 'A1', '2025-12-01'),
    // Closed in 2025: not carried over.
    c('(2025)甲执3号', 'A1', '2025-03-01', { closedAt: '2025-06-01', closureType: 'completed', amountRecovered: 1000 }),
    c('(2026)甲执1号', 'A1', '2026-03-01', {
      closedAt: '2026-05-01',
      closureType: 'terminated_current',
      amountRecovered: 0,
      inquiryCount: 4,
    }),
    c('(2026)甲执2号', 'A1', '2026-04-01', { nodes: [{ type: 'network_inquiry', startedAt: '2026-04-01' }] }),
    c('(2026)乙执1号', 'B1', '2026-01-10', {
      closedAt: '2026-03-01',
      closureType: 'completed',
      amountRecovered: 500,
      consumptionBanCount: 2,
    }),
  ]);

describe('wall statistics', () => {
  it('computes per-court and total figures for a period from the aggregates', async () => {
    seed();
    const { status, body } = await hub.request<StatsResponse>('GET', '/api/v1/stats?from=2026-01-01&to=2026-05-31', hub.tokens.officer);
    expect(status).toBe(200);
    const a = body.courts.find((x) => x.court === 'A1');
    expect(a).toMatchObject({
      received: 2,
      carriedOver: 2,
      closed: 2,
      closedCompleted: 1,
      closedTerminated: 1,
      closeRate: 0.5,
      terminatedRate: 0.5,
      amountOwed: 2000,
      amountRecovered: 1000,
      recoveryRate: 0.5,
      dishonest: 0,
      inquiries: 4,
      overdueNodes: 1,
    });
    expect(body.total).toMatchObject({
      received: 3,
      closed: 3,
      carriedOver: 2,
      amountRecovered: 1500,
      recoveryRate: 0.5,
      consumptionBans: 2,
      closeRate: 0.6,
    });
    // Ragged period ends (read by day) around whole months (read from the month rollup).
    const ragged = await hub.request<StatsResponse>('GET', '/api/v1/stats?from=2026-01-15&to=2026-03-10', hub.tokens.officer);
    expect(ragged.body.courts.map((x) => [x.court, x.received, x.closed, x.carriedOver])).toEqual([
      ['A1', 1, 1, 2],
      ['B1', 0, 1, 1],
      ['H1', 0, 0, 0],
    ]);
    const oneDay = await hub.request<StatsResponse>('GET', '/api/v1/stats?from=2026-03-01&to=2026-03-01', hub.tokens.officer);
    expect(oneDay.body.total).toMatchObject({ received: 1, closed: 1 });
    // Re-importing a case with a changed closure moves its contribution, not duplicates it.
    importCases(hub.ctx, SYSTEM_ACTOR, [
      c('(2026)甲执1号', 'A1', '2026-03-01', { closedAt: '2026-05-01', closureType: 'completed', amountRecovered: 1000, inquiryCount: 4 }),
    ]);
    const again = await hub.request<StatsResponse>('GET', '/api/v1/stats?from=2026-01-01&to=2026-05-31', hub.tokens.officer);
    expect(again.body.courts.find((x) => x.court === 'A1')).toMatchObject({
      closed: 2,
      closedCompleted: 2,
      closedTerminated: 0,
      amountRecovered: 2000,
      recoveryRate: 1,
    });
  });

  it('ranks courts, scopes court users, and refuses a reversed period', async () => {
    seed();
    const ranking = await hub.request<{ ranking: { court: string; rank: number; value: number | null }[] }>(
      'GET',
      '/api/v1/stats/ranking?metric=closeRate&from=2026-01-01&to=2026-05-31',
      hub.tokens.officer,
    );
    expect(ranking.body.ranking.map((r) => [r.rank, r.court, r.value])).toEqual([
      [1, 'B1', 1],
      [2, 'A1', 0.5],
      [3, 'H1', null],
    ]);
    const mine = await hub.request<StatsResponse>('GET', '/api/v1/stats?from=2026-01-01&to=2026-05-31', hub.tokens.courtB);
    expect(mine.body.courts.map((x) => x.court)).toEqual(['B1']);
    expect(mine.body.total.received).toBe(1);
    expect((await hub.request('GET', '/api/v1/stats?from=2026-05-01&to=2026-01-01', hub.tokens.officer)).status).toBe(400);
    expect((await hub.request('GET', '/api/v1/stats?from=yesterday', hub.tokens.officer)).status).toBe(400);
  });

  it('announces stats.changed once per throttle window with the courts concerned', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const events: HubEventEnvelope[] = [];
    hub.ctx.events.subscribe((batch) => events.push(...batch));
    seed();
    importCases(hub.ctx, SYSTEM_ACTOR, [c('(2026)乙执2号', 'B1', '2026-05-01')]);
    expect(events.filter((e) => e.type === 'stats.changed')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    const changed = events.filter((e) => e.type === 'stats.changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]?.data).toEqual({ courts: ['A1', 'B1'] });
  });
});
