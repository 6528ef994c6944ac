/**
 * Subscriptions the bridge holds at its GB/T 28181 devices: Catalog (`Event: Catalog`;
 * channel changes ADD/DEL/UPDATE/ON/OFF arrive as NOTIFY) and MobilePosition
 * (`Event: presence`). Each is a SIP dialog (Call-ID + tags), refreshed in the dialog at
 * two thirds of its expiry, cancelled with `Expires: 0` when the device unregisters and
 * forgotten (when it falls due) once its registration lapsed. A NOTIFY outside all of them is not ours (481).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '@cc/runtime';
import { manscdpBody } from '../manscdp/encode.js';
import type { SipMessage, SipServer } from '../sip/stack.js';
import type { GbCommander } from './commander.js';
import type { DeviceRegistry } from './registry.js';

export type SubscriptionEvent = 'Catalog' | 'MobilePosition';

interface Subscription {
  deviceId: string;
  event: SubscriptionEvent;
  callId: string;
  fromTag: string;
  toTag?: string;
  sn: number;
  refreshAt: number;
  inFlight: boolean;
}

export interface SubscriptionOptions {
  sip: SipServer;
  commander: GbCommander;
  registry: DeviceRegistry;
  sipId: string;
  sipDomain: string;
  /** Expires asked for, s. */
  expiresS: number;
  /** MobilePosition notification interval asked for, s. */
  positionIntervalS: number;
  logger: Logger;
  sweepMs?: number;
}

export interface SubscriptionStats {
  active: number;
  refreshes: number;
  refused: number;
  unsubscribed: number;
}

export class Subscriptions {
  private readonly byCallId = new Map<string, Subscription>();
  /** `deviceId/event` → the current subscription (20 000 devices: no scans). */
  private readonly byDevice = new Map<string, Subscription>();
  private readonly timer: NodeJS.Timeout;
  private readonly counters = { refreshes: 0, refused: 0, unsubscribed: 0 };

  constructor(private readonly options: SubscriptionOptions) {
    this.timer = setInterval(() => this.sweep(Date.now()), options.sweepMs ?? 1000);
  }

  /** Starts (or restarts) a subscription at a registered device. */
  subscribe(deviceId: string, event: SubscriptionEvent): void {
    const previous = this.byDevice.get(`${deviceId}/${event}`);
    if (previous) this.forget(previous);
    const sub: Subscription = {
      deviceId,
      event,
      callId: `${randomBytes(8).toString('hex')}@${this.options.sip.contactHost}`,
      fromTag: randomBytes(4).toString('hex'),
      sn: this.options.commander.nextSn(),
      refreshAt: Number.POSITIVE_INFINITY,
      inFlight: false,
    };
    this.byCallId.set(sub.callId, sub);
    this.byDevice.set(`${deviceId}/${event}`, sub);
    this.send(sub, this.options.expiresS);
  }

  private forget(sub: Subscription): void {
    this.byCallId.delete(sub.callId);
    if (this.byDevice.get(`${sub.deviceId}/${sub.event}`) === sub) this.byDevice.delete(`${sub.deviceId}/${sub.event}`);
  }

  private send(sub: Subscription, expiresS: number): void {
    const { sipId, sipDomain, sip, positionIntervalS } = this.options;
    const body =
      sub.event === 'Catalog'
        ? manscdpBody('Query', 'Catalog', sub.sn, sub.deviceId)
        : manscdpBody('Query', 'MobilePosition', sub.sn, sub.deviceId, { Interval: positionIntervalS });
    const headers: SipMessage['headers'] = {
      event: `${sub.event === 'Catalog' ? 'Catalog' : 'presence'};id=${sub.sn}`,
      expires: String(expiresS),
      contact: [{ uri: `sip:${sipId}@${sip.contactHost}:${sip.port}`, params: {} }],
      'call-id': sub.callId,
      from: { uri: `sip:${sipId}@${sipDomain}`, params: { tag: sub.fromTag } },
      ...(sub.toTag ? { to: { uri: `sip:${sub.deviceId}@${sipDomain}`, params: { tag: sub.toTag } } } : {}),
    };
    sub.inFlight = true;
    const answered = (status: number, response: SipMessage): void => this.answered(sub, expiresS, status, response);
    this.options.commander.message(sub.deviceId, body, sub.deviceId, answered, 'SUBSCRIBE', headers);
  }

  private answered(sub: Subscription, requestedS: number, status: number, response: SipMessage): void {
    sub.inFlight = false;
    if (requestedS === 0 || this.byCallId.get(sub.callId) !== sub) return;
    if (status >= 300) {
      this.forget(sub);
      this.counters.refused += 1;
      this.options.logger.info({ deviceId: sub.deviceId, event: sub.event, status }, 'device refused the subscription');
      return;
    }
    sub.toTag = response.headers.to?.params.tag ?? sub.toTag;
    const granted = Number(response.headers.expires);
    const expiresS = Number.isInteger(granted) && granted > 0 && granted <= requestedS ? granted : requestedS;
    sub.refreshAt = Date.now() + (expiresS * 1000 * 2) / 3;
  }

  /** A NOTIFY: true when it belongs to one of our subscriptions (`Subscription-State: terminated` ends it). */
  onNotify(request: SipMessage): boolean {
    const sub = this.byCallId.get(String(request.headers['call-id']));
    if (!sub) return false;
    if (/^\s*terminated/i.test(String(request.headers['subscription-state'] ?? ''))) this.forget(sub);
    return true;
  }

  /** The device unregisters: cancel its subscriptions (Expires: 0) while it is still reachable. */
  unsubscribe(deviceId: string): void {
    for (const sub of this.of(deviceId)) {
      this.forget(sub);
      this.counters.unsubscribed += 1;
      try {
        this.send(sub, 0);
      } catch (error) {
        this.options.logger.debug({ err: error, deviceId }, 'unsubscribe not sent');
      }
    }
  }

  private of(deviceId: string): Subscription[] {
    const events: SubscriptionEvent[] = ['Catalog', 'MobilePosition'];
    return events.flatMap((event) => this.byDevice.get(`${deviceId}/${event}`) ?? []);
  }

  sweep(now: number): void {
    // 40 000 subscriptions on a 20 000-device bridge: a number comparison each until one is due.
    for (const sub of this.byCallId.values()) {
      if (sub.inFlight || now < sub.refreshAt) continue;
      if (!this.options.registry.registered(sub.deviceId, now)) {
        this.forget(sub);
        continue;
      }
      this.counters.refreshes += 1;
      try {
        this.send(sub, this.options.expiresS);
      } catch (error) {
        this.forget(sub);
        this.options.logger.debug({ err: error, deviceId: sub.deviceId }, 'subscription refresh not sent');
      }
    }
  }

  get stats(): SubscriptionStats {
    return { active: this.byCallId.size, ...this.counters };
  }

  close(): void {
    clearInterval(this.timer);
  }
}
