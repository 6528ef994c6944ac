import { describe, expect, it } from 'vitest';
import { createLogger } from '@cc/runtime';
import type { EventSink } from '../hub/events.js';
import type { SipMessage, SipServer } from '../sip/stack.js';
import { GbCommander } from './commander.js';
import { DeviceRegistry } from './registry.js';
import { Subscriptions } from './subscriptions.js';

const DEVICE = '34020000001320000001';
const logger = createLogger('test', 'silent');

/** A recording SIP transport whose device answers each SUBSCRIBE with `status` (and optionally a shorter Expires). */
function setup(answer: { status: number; expires?: string }) {
  const sent: SipMessage[] = [];
  const sip: SipServer = {
    reply: () => undefined,
    request: (message, onResponse) => {
      sent.push(message);
      const headers = {
        ...message.headers,
        to: { ...message.headers.to!, params: { tag: 'dev' } },
        ...(answer.expires ? { expires: answer.expires } : {}),
      };
      onResponse?.({ status: answer.status, reason: 'x', headers });
    },
    contactHost: '127.0.0.1',
    port: 5060,
    close: () => undefined,
  };
  const sink: EventSink = { publish: () => undefined, position: () => undefined };
  const registry = new DeviceRegistry({ keepaliveIntervalS: 60, keepaliveMaxMissed: 3, sink, logger, sweepMs: 3_600_000 });
  registry.register({ deviceId: DEVICE, kind: 'gb28181', transport: 'udp', address: '127.0.0.9', port: 5070, callId: 'r', expiresS: 3600 });
  const commander = new GbCommander(sip, registry, '34020000002000000001', '3402000000', logger);
  const subs = new Subscriptions({
    sip,
    commander,
    registry,
    sipId: '34020000002000000001',
    sipDomain: '3402000000',
    expiresS: 600,
    positionIntervalS: 5,
    logger,
    sweepMs: 3_600_000,
  });
  const notify = (callId: string, state = 'active'): SipMessage => ({
    method: 'NOTIFY',
    uri: 'sip:x',
    headers: { 'call-id': callId, 'subscription-state': state },
  });
  return { sent, subs, registry, notify, close: () => (subs.close(), registry.close()) };
}

describe('Subscriptions (Catalog / MobilePosition dialogs)', () => {
  it('refreshes in the dialog (same Call-ID and tags) at two thirds of the Expires the device granted', () => {
    const t = setup({ status: 200, expires: '300' });
    const start = Date.now();
    t.subs.subscribe(DEVICE, 'Catalog');
    const first = t.sent[0]!;
    expect(first.method).toBe('SUBSCRIBE');
    expect(first.headers.event).toMatch(/^Catalog;id=\d+$/);
    expect(first.headers.expires).toBe('600');
    t.subs.sweep(start + 150_000);
    expect(t.sent).toHaveLength(1);
    t.subs.sweep(start + 201_000);
    const refresh = t.sent[1]!;
    expect(refresh.headers['call-id']).toBe(first.headers['call-id']);
    expect(refresh.headers.from?.params.tag).toBe(first.headers.from?.params.tag);
    expect(refresh.headers.to?.params.tag).toBe('dev');
    expect(t.subs.stats).toMatchObject({ active: 1, refreshes: 1 });
    t.close();
  });

  it('knows its NOTIFYs, forgets on terminated, unsubscribes with Expires: 0, drops a refused one', () => {
    const t = setup({ status: 200 });
    t.subs.subscribe(DEVICE, 'Catalog');
    t.subs.subscribe(DEVICE, 'MobilePosition');
    const [catalog, position] = t.sent.map((m) => String(m.headers['call-id']));
    expect(t.subs.onNotify(t.notify('nope'))).toBe(false);
    expect(t.subs.onNotify(t.notify(position!, 'terminated;reason=timeout'))).toBe(true);
    expect(t.subs.onNotify(t.notify(position!))).toBe(false);
    t.subs.unsubscribe(DEVICE);
    expect(t.sent.at(-1)?.headers).toMatchObject({ 'call-id': catalog, expires: '0' });
    expect(t.subs.onNotify(t.notify(catalog!))).toBe(false);
    expect(t.subs.stats).toMatchObject({ active: 0, unsubscribed: 1 });
    t.close();

    const refused = setup({ status: 489 });
    refused.subs.subscribe(DEVICE, 'Catalog');
    expect(refused.subs.stats).toMatchObject({ active: 0, refused: 1 });
    refused.close();
  });

  it('forgets the subscriptions of a device whose registration lapsed, when they fall due', () => {
    const t = setup({ status: 200 });
    const start = Date.now();
    t.subs.subscribe(DEVICE, 'Catalog');
    t.registry.unregister(DEVICE);
    t.subs.sweep(start + 401_000);
    expect(t.sent).toHaveLength(1);
    expect(t.subs.stats.active).toBe(0);
    t.close();
  });
});
