/**
 * Delivers bridge events to the hub (`POST /api/v1/ingest/bridge`). Two lanes, each with
 * one request in flight: `urgent` (alarms, online/offline, calls, streams) is sent at
 * once; `bulk` (positions, catalogs, info/status) is batched. While the hub is down both
 * queue (bounded) and retry with backoff. Alarms are never dropped while the process
 * lives; other events are dropped oldest-first beyond the bound, and drops are logged.
 */
import {
  BRIDGE_INGEST_MAX_EVENTS,
  BRIDGE_INGEST_PATH,
  bridgeIngestResponseSchema,
  type BridgeEvent,
  type MobilePosition,
} from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import { makeEvent, type EventSink } from './events.js';

export interface HubSinkOptions {
  hubUrl: string;
  /** Fresh `Authorization` header value per request (service tokens expire). */
  authorization: () => string;
  logger: Logger;
  /** How often positions are flushed, ms. */
  positionFlushMs?: number;
  /** Most queued non-alarm events per lane. */
  maxQueued?: number;
  requestTimeoutMs?: number;
}

const URGENT = new Set<BridgeEvent['type']>([
  'alarm',
  'device.online',
  'device.offline',
  'device.registered',
  'call.state',
  'stream.state',
  'rtsp.status',
  'serial.status',
]);

class Lane {
  private queue: BridgeEvent[] = [];
  private sending = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  dropped = 0;
  delivered = 0;

  constructor(
    private readonly name: string,
    private readonly options: Required<Omit<HubSinkOptions, 'logger'>> & { logger: Logger },
  ) {}

  get size(): number {
    return this.queue.length;
  }

  /** Something queued or in flight, and the hub reachable (not backing off). */
  get busy(): boolean {
    return (this.queue.length > 0 || this.sending) && !this.retryTimer;
  }

  push(event: BridgeEvent): void {
    this.queue.push(event);
    if (this.queue.length > this.options.maxQueued) this.dropOldest();
    this.kick();
  }

  private dropOldest(): void {
    const index = this.queue.findIndex((event) => event.type !== 'alarm');
    if (index < 0) return;
    const [dropped] = this.queue.splice(index, 1);
    this.dropped += 1;
    if (this.dropped === 1 || this.dropped % 1000 === 0) {
      this.options.logger.warn({ lane: this.name, dropped: this.dropped, type: dropped?.type }, 'hub unreachable: dropped queued events');
    }
  }

  kick(): void {
    if (this.sending || this.retryTimer || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.slice(0, BRIDGE_INGEST_MAX_EVENTS);
    void this.send(batch).then((ok) => {
      this.sending = false;
      if (ok) {
        this.queue.splice(0, batch.length);
        this.delivered += batch.length;
        this.backoffMs = 0;
        this.kick();
      } else {
        this.backoffMs = Math.min(30_000, this.backoffMs === 0 ? 500 : this.backoffMs * 2);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, this.backoffMs);
      }
    });
  }

  private async send(events: BridgeEvent[]): Promise<boolean> {
    try {
      const response = await fetch(`${this.options.hubUrl}${BRIDGE_INGEST_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: this.options.authorization() },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      if (!response.ok) {
        this.options.logger.warn(
          { lane: this.name, status: response.status, body: (await response.text()).slice(0, 300) },
          'hub refused events',
        );
        // A 4xx other than auth/rate means the batch itself is bad: do not retry it forever.
        if (response.status >= 400 && response.status < 500 && ![401, 403, 408, 429].includes(response.status)) return true;
        return false;
      }
      bridgeIngestResponseSchema.parse(await response.json());
      return true;
    } catch (error) {
      if (this.backoffMs === 0) this.options.logger.warn({ lane: this.name, err: error }, 'hub unreachable, will retry');
      return false;
    }
  }

  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}

export class HubSink implements EventSink {
  private readonly urgent: Lane;
  private readonly bulk: Lane;
  private positions: MobilePosition[] = [];
  private readonly flushTimer: NodeJS.Timeout;

  constructor(options: HubSinkOptions) {
    const resolved = { positionFlushMs: 1000, maxQueued: 50_000, requestTimeoutMs: 5000, ...options };
    this.urgent = new Lane('urgent', resolved);
    this.bulk = new Lane('bulk', resolved);
    this.flushTimer = setInterval(() => this.flushPositions(), resolved.positionFlushMs);
  }

  publish(event: BridgeEvent): void {
    (URGENT.has(event.type) ? this.urgent : this.bulk).push(event);
  }

  position(position: MobilePosition): void {
    this.positions.push(position);
    if (this.positions.length >= 20_000) this.flushPositions();
  }

  flushPositions(): void {
    if (this.positions.length === 0) return;
    const positions = this.positions;
    this.positions = [];
    this.bulk.push(makeEvent('positions', { positions }));
  }

  stats(): { queued: number; delivered: number; dropped: number } {
    return {
      queued: this.urgent.size + this.bulk.size + this.positions.length,
      delivered: this.urgent.delivered + this.bulk.delivered,
      dropped: this.urgent.dropped + this.bulk.dropped,
    };
  }

  /** Gives queued urgent events (e.g. the offline events of a shutdown) a moment to reach the hub. */
  async drain(timeoutMs = 1500): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.urgent.busy && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  close(): void {
    clearInterval(this.flushTimer);
    this.urgent.close();
    this.bulk.close();
  }
}
