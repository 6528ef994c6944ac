import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HubEventData } from '@cc/protocol';
import { socketFactory } from '../testing/fakes';
import { sampleAlarm } from '../testing/samples';
import { eventStreamUrl, linkDeps, useLinkStore } from './link';

describe('link store', () => {
  let sockets: ReturnType<typeof socketFactory>;

  beforeEach(() => {
    sockets = socketFactory();
    linkDeps.baseUrl = () => 'http://hub.test:8700/';
    linkDeps.socket = sockets.open;
    setActivePinia(createPinia());
  });

  it('builds the stream URL with the token and since, ws or wss after the page', () => {
    expect(eventStreamUrl('http://127.0.0.1:8700/', 'a b', undefined)).toBe('ws://127.0.0.1:8700/api/v1/events?token=a+b');
    expect(eventStreamUrl('https://cc.court/', 't', 12)).toBe('wss://cc.court/api/v1/events?token=t&since=12');
  });

  it('shows connecting, then online, and hands typed, parsed events to subscribers', () => {
    const link = useLinkStore();
    const raised: HubEventData<'alarm.raised'>[] = [];
    let resyncs = 0;
    link.on('alarm.raised', (data) => raised.push(data));
    link.onResync(() => (resyncs += 1));
    link.connect('tok');
    expect(link.state).toBe('connecting');
    expect(sockets.last().url).toBe('ws://hub.test:8700/api/v1/events?token=tok');
    sockets.last().frame({ type: 'hello', protocol: '1.0', seq: 0 });
    expect(link.state).toBe('online');
    expect(resyncs).toBe(1);
    const alarm = sampleAlarm();
    sockets.last().frame({
      type: 'event',
      event: { seq: 1, at: alarm.receivedAt, type: 'alarm.raised', court: null, data: { alarm, newIncident: true } },
    });
    // A payload that does not match its type's schema is dropped, not passed on half-formed.
    sockets
      .last()
      .frame({ type: 'event', event: { seq: 2, at: alarm.receivedAt, type: 'alarm.raised', court: null, data: { alarm: { id: 3 } } } });
    // A type this console does not know (a newer hub) is skipped.
    sockets.last().frame({ type: 'event', event: { seq: 3, at: alarm.receivedAt, type: 'future.thing', court: null, data: {} } });
    expect(raised).toEqual([{ alarm, newIncident: true }]);
    expect(link.seq).toBe(3);
  });

  it('unsubscribes, and disconnect closes the socket and shows offline', () => {
    const link = useLinkStore();
    const seen: string[] = [];
    const off = link.on('entity.changed', (d) => seen.push(d.id));
    link.connect('tok');
    const socket = sockets.last();
    socket.frame({ type: 'hello', protocol: '1.0', seq: 0 });
    socket.frame({
      type: 'event',
      event: { seq: 1, at: 'x', type: 'entity.changed', court: null, data: { entity: 'unit', id: 'u1', action: 'updated' } },
    });
    off();
    socket.frame({
      type: 'event',
      event: { seq: 2, at: 'x', type: 'entity.changed', court: null, data: { entity: 'unit', id: 'u2', action: 'updated' } },
    });
    expect(seen).toEqual(['u1']);
    link.disconnect();
    expect(socket.closed).toBe(true);
    expect(link.state).toBe('offline');
  });
});
