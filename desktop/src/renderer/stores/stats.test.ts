import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, socketFactory } from '../testing/fakes';
import { linkDeps, useLinkStore } from './link';
import { sessionDeps } from './session';
import { memoryTokenStorage } from './session-storage';
import { useStatsStore } from './stats';
import { overdueRanking } from './stats-model';

describe('stats store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('loads node counts, refreshes once for a burst of node events, and says when the endpoint is missing', async () => {
    let overdue = 3;
    let available = true;
    const fake = fakeFetch((r) =>
      r.path === '/api/v1/nodes/counts' && available
        ? { status: 200, body: { courts: [{ court: '110108', dueSoon: 1, overdue }], at: 'x' } }
        : undefined,
    );
    const sockets = socketFactory();
    sessionDeps.baseUrl = () => 'http://hub.test/';
    sessionDeps.storage = () => memoryTokenStorage('tok');
    sessionDeps.fetchImpl = fake.fetchImpl;
    linkDeps.socket = sockets.open;
    setActivePinia(createPinia());
    const stats = useStatsStore();
    stats.follow();
    useLinkStore().connect('tok');
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(stats.available).toBe(true);
    expect(stats.nodeCounts).toEqual([{ court: '110108', dueSoon: 1, overdue: 3 }]);

    overdue = 5;
    for (let seq = 1; seq <= 4; seq += 1) {
      const data = { nodeId: seq, caseNo: '(2026)京0108执1号', type: 'T', dueAt: 'x' };
      sockets.last().frame({ type: 'event', event: { seq, at: 'x', type: 'node.overdue', court: '110108', data } });
    }
    await vi.advanceTimersByTimeAsync(2100);
    expect(fake.requests.filter((r) => r.path === '/api/v1/nodes/counts')).toHaveLength(2);
    expect(stats.nodeCounts[0]?.overdue).toBe(5);

    available = false;
    await stats.load();
    expect(stats.available).toBe(false);
    vi.useRealTimers();
  });
});

describe('overdueRanking', () => {
  it('ranks courts by overdue then due-soon nodes, names them, and leaves out clean courts', () => {
    const names: Record<string, string> = { A: '甲法院', B: '乙法院' };
    const ranking = overdueRanking(
      [
        { court: 'A', overdue: 2, dueSoon: 9 },
        { court: 'B', overdue: 7, dueSoon: 0 },
        { court: 'C', overdue: 2, dueSoon: 10 },
        { court: 'D', overdue: 0, dueSoon: 0 },
      ],
      (code) => names[code],
    );
    expect(ranking.map((r) => [r.name, r.overdue])).toEqual([
      ['乙法院', 7],
      ['C', 2],
      ['甲法院', 2],
    ]);
    expect(overdueRanking([{ court: 'A', overdue: 1, dueSoon: 0 }], () => undefined, 0)).toEqual([]);
  });
});
