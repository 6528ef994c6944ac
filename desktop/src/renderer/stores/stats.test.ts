import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatsFigures, StatsResponse } from '@cc/protocol';
import { fakeHub } from '../testing/fake-hub';
import { useStatsStore } from './stats';
import { overdueRanking, percent } from './stats-model';

const figures = (overrides: Partial<StatsFigures> = {}): StatsFigures => ({
  received: 10,
  carriedOver: 5,
  closed: 6,
  closedCompleted: 4,
  closedTerminated: 2,
  closeRate: 0.4,
  completedRate: 0.6667,
  terminatedRate: 0.3333,
  amountOwed: 1000,
  amountRecovered: 250,
  recoveryRate: 0.25,
  dishonest: 1,
  consumptionBans: 1,
  inquiries: 3,
  dueSoonNodes: 0,
  overdueNodes: 0,
  supervisionOpen: 0,
  supervisionEscalated: 0,
  supervisionClosed: 0,
  ...overrides,
});

const court = (code: string, name: string, overdueNodes: number, dueSoonNodes: number) => ({
  ...figures({ overdueNodes, dueSoonNodes }),
  court: code,
  name,
});

describe('stats store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads the figures on the first hello, refreshes once for a burst of stats.changed, and says when they are missing', async () => {
    let overdue = 3;
    let up = true;
    const answer = (): StatsResponse => ({
      from: '2026-01-01',
      to: '2026-11-21',
      at: 'x',
      total: figures({ overdueNodes: overdue }),
      courts: [],
    });
    const hub = fakeHub((r) => (r.path === '/api/v1/stats' && up ? { status: 200, body: answer() } : undefined));
    const stats = useStatsStore();
    stats.follow();
    hub.connect();
    hub.hello();
    await vi.advanceTimersByTimeAsync(0);
    expect(stats.available).toBe(true);
    expect(stats.figures?.total.overdueNodes).toBe(3);

    overdue = 5;
    for (let i = 0; i < 4; i += 1) hub.event('stats.changed', { courts: ['110108'] });
    await vi.advanceTimersByTimeAsync(1600);
    expect(hub.requests.filter((r) => r.path === '/api/v1/stats')).toHaveLength(2);
    expect(stats.figures?.total.overdueNodes).toBe(5);

    up = false;
    await stats.load();
    expect(stats.available).toBe(false);
  });

  it('keeps the figures of a stats.changed reload when the load begun on hello answers after it', async () => {
    let answerFirst = (): void => undefined;
    const firstHeld = new Promise<void>((r) => (answerFirst = r));
    let overdue = 3;
    let asked = 0;
    const hub = fakeHub((r) => {
      if (r.path !== '/api/v1/stats') return undefined;
      // Read when asked: the first load (on hello) sees 3 overdue nodes but answers only when released.
      asked += 1;
      const answer = {
        status: 200,
        body: { from: '2026-01-01', to: '2026-11-21', at: 'x', total: figures({ overdueNodes: overdue }), courts: [] },
      };
      return asked === 1 ? firstHeld.then(() => answer) : answer;
    });
    const stats = useStatsStore();
    const unfollow = stats.follow();
    hub.connect();
    hub.hello();
    await vi.advanceTimersByTimeAsync(0);
    overdue = 5;
    hub.event('stats.changed', { courts: ['110108'] });
    await vi.advanceTimersByTimeAsync(1600);
    expect(stats.figures?.total.overdueNodes).toBe(5);
    answerFirst();
    await vi.advanceTimersByTimeAsync(0);
    expect(stats.figures?.total.overdueNodes).toBe(5);
    unfollow();
  });
});

describe('stats model', () => {
  it('ranks courts by overdue then due-soon nodes and leaves out clean courts', () => {
    const ranking = overdueRanking([
      court('A', '甲法院', 2, 9),
      court('B', '乙法院', 7, 0),
      court('C', '丙法院', 2, 10),
      court('D', '丁法院', 0, 0),
    ]);
    expect(ranking.map((r) => [r.name, r.overdue, r.dueSoon])).toEqual([
      ['乙法院', 7, 0],
      ['丙法院', 2, 10],
      ['甲法院', 2, 9],
    ]);
    expect(overdueRanking([court('A', '甲法院', 1, 0)], 0)).toEqual([]);
  });

  it('shows rates as percentages and a dash without a denominator', () => {
    expect(percent(0.8734)).toBe('87.3%');
    expect(percent(null)).toBe('—');
  });
});
