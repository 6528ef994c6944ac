import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HubEventEnvelope } from '@cc/protocol';
import { socketFactory } from '../testing/fakes';
import { EventLink, LinkState, backoffDelay, type EventLinkCallbacks } from './event-link';

const envelope = (seq: number): HubEventEnvelope => ({
  seq,
  at: '2026-11-21T10:00:00.000Z',
  type: 'entity.changed',
  court: null,
  data: { entity: 'unit', id: 'u1', action: 'updated' },
});

function setup(offlineAfter = 3) {
  const sockets = socketFactory();
  const seen = { states: [] as LinkState[], events: [] as number[], resyncs: 0, failures: [] as number[] };
  const callbacks: EventLinkCallbacks = {
    state: (s) => seen.states.push(s),
    event: (e) => seen.events.push(e.seq),
    resync: () => (seen.resyncs += 1),
    failed: (n) => seen.failures.push(n),
  };
  const link = new EventLink({
    url: (since) => `ws://hub/api/v1/events?token=t${since === undefined ? '' : `&since=${since}`}`,
    socket: sockets.open,
    callbacks,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    offlineAfter,
    random: () => 0.5,
  });
  return { link, sockets, seen };
}

describe('EventLink', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('goes online on hello, reloads state once, and delivers events in order without duplicates', () => {
    const { link, sockets, seen } = setup();
    link.start();
    expect(link.state).toBe(LinkState.Connecting);
    expect(sockets.last().url).toBe('ws://hub/api/v1/events?token=t');
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 7 });
    expect(seen.states).toEqual([LinkState.Online]);
    expect(seen.resyncs).toBe(1);
    for (const seq of [8, 9, 9, 8, 10]) sockets.last().frame({ type: 'event', event: envelope(seq) });
    expect(seen.events).toEqual([8, 9, 10]);
    expect(link.seq).toBe(10);
  });

  it('ignores malformed and unknown frames', () => {
    const { link, sockets, seen } = setup();
    link.start();
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 0 });
    sockets.last().frame('not json');
    sockets.last().frame(JSON.stringify({ type: 'mystery', seq: 3 }));
    sockets.last().frame(JSON.stringify({ type: 'event', event: { seq: -1 } }));
    expect(seen.events).toEqual([]);
    expect(link.state).toBe(LinkState.Online);
  });

  it('reconnects with backoff and since=last seq, shows reconnecting then offline, and recovers', () => {
    const { link, sockets, seen } = setup(3);
    link.start();
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 4 });
    sockets.last().frame({ type: 'event', event: envelope(5) });
    sockets.last().drop();
    expect(link.state).toBe(LinkState.Reconnecting);
    vi.advanceTimersByTime(99);
    expect(sockets.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets.last().url).toBe('ws://hub/api/v1/events?token=t&since=5');
    sockets.last().drop();
    vi.advanceTimersByTime(200);
    sockets.last().drop();
    expect(link.state).toBe(LinkState.Offline);
    expect(seen.failures).toEqual([1, 2, 3]);
    vi.advanceTimersByTime(400);
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 6 });
    expect(link.state).toBe(LinkState.Online);
    // Resumed from `since`: the backlog follows, no full reload.
    expect(seen.resyncs).toBe(1);
    sockets.last().frame({ type: 'event', event: envelope(6) });
    expect(seen.events).toEqual([5, 6]);
  });

  it('reloads on a resync frame and continues from its seq', () => {
    const { link, sockets, seen } = setup();
    link.start();
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 2 });
    sockets.last().frame({ type: 'resync', seq: 50 });
    expect(seen.resyncs).toBe(2);
    sockets.last().frame({ type: 'event', event: envelope(50) });
    sockets.last().frame({ type: 'event', event: envelope(51) });
    expect(seen.events).toEqual([51]);
  });

  it('treats a hello older than its seq as a hub on a fresh store: reload and follow the new numbering', () => {
    const { link, sockets, seen } = setup();
    link.start();
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 90 });
    sockets.last().drop();
    vi.advanceTimersByTime(100);
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 3 });
    expect(seen.resyncs).toBe(2);
    sockets.last().frame({ type: 'event', event: envelope(4) });
    expect(seen.events).toEqual([4]);
  });

  it('stops for good on close: no timer, no reconnection', () => {
    const { link, sockets } = setup();
    link.start();
    const first = sockets.last();
    link.close();
    expect(first.closed).toBe(true);
    expect(link.state).toBe(LinkState.Offline);
    first.drop();
    vi.advanceTimersByTime(10_000);
    expect(sockets.sockets).toHaveLength(1);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base, caps at the maximum, and jitters by ±20 %', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 500, 10_000, () => 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 10_000]);
    expect(backoffDelay(1, 500, 10_000, () => 0)).toBe(400);
    expect(backoffDelay(1, 500, 10_000, () => 1)).toBe(600);
  });
});
