/**
 * The connection to the hub's event stream (`/api/v1/events?token=…&since=SEQ`): hello /
 * event / resync frames, reconnection with exponential backoff that resumes from the last
 * sequence number seen, and a link state the UI shows (连接中 / 在线 / 重连中 / 离线).
 */
import { hubStreamFrameSchema, type HubEventEnvelope } from '@cc/protocol';

export const LinkState = {
  /** First connection attempt, nothing received yet. */
  Connecting: 'connecting',
  /** Hello received; events flow. */
  Online: 'online',
  /** The link dropped; trying again. */
  Reconnecting: 'reconnecting',
  /** Several attempts failed in a row (still trying, at the longest backoff), or stopped. */
  Offline: 'offline',
} as const;
export type LinkState = (typeof LinkState)[keyof typeof LinkState];

/** The minimal WebSocket surface the link uses (the browser's WebSocket, or a test double). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface EventLinkCallbacks {
  /** The link state changed. */
  state: (state: LinkState) => void;
  /** A hub event, in sequence order, none twice. */
  event: (event: HubEventEnvelope) => void;
  /** Local state may have missed events (first connection or the hub's backlog did not reach back): reload it. */
  resync: () => void;
  /** A connection attempt failed: the owner may check whether the session is still valid. */
  failed: (attempt: number) => void;
}

export interface EventLinkOptions {
  /** WebSocket URL for the given token and `since` (undefined on the first connection). */
  url: (since: number | undefined) => string;
  socket: (url: string) => SocketLike;
  callbacks: EventLinkCallbacks;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failed attempts in a row after which the state shows offline. */
  offlineAfter?: number;
  random?: () => number;
}

/** Delay before reconnection attempt `attempt` (1-based): exponential, capped, ±20 % jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

export class EventLink {
  private socket: SocketLike | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private closed = false;
  private current: LinkState = LinkState.Connecting;
  /** Newest sequence number applied; undefined until the first hello. */
  seq: number | undefined;

  constructor(private readonly options: EventLinkOptions) {}

  get state(): LinkState {
    return this.current;
  }

  start(): void {
    this.closed = false;
    this.connect();
  }

  /** Stops for good: no reconnection; the state becomes offline. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.detach()?.close(1000, 'closed by client');
    this.setState(LinkState.Offline);
  }

  /** Drops the current connection and reconnects at once (e.g. the network came back). */
  reconnectNow(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.detach()?.close(4000, 'reconnect');
    this.connect();
  }

  private setState(state: LinkState): void {
    if (state === this.current) return;
    this.current = state;
    this.options.callbacks.state(state);
  }

  private detach(): SocketLike | undefined {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    return socket;
  }

  private connect(): void {
    let socket: SocketLike;
    try {
      socket = this.options.socket(this.options.url(this.seq));
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.detach();
      this.scheduleRetry();
    };
    socket.onerror = () => undefined;
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.attempt += 1;
    this.options.callbacks.failed(this.attempt);
    const offlineAfter = this.options.offlineAfter ?? 4;
    this.setState(this.attempt >= offlineAfter ? LinkState.Offline : LinkState.Reconnecting);
    const delay = backoffDelay(this.attempt, this.options.baseDelayMs ?? 500, this.options.maxDelayMs ?? 10_000, this.options.random);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect();
    }, delay);
  }

  private receive(data: unknown): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      return;
    }
    const frame = hubStreamFrameSchema.safeParse(parsed);
    if (!frame.success) return;
    const f = frame.data;
    if (f.type === 'hello') {
      this.attempt = 0;
      const first = this.seq === undefined;
      // A hub restarted on a fresh store counts from zero again: our `since` means nothing there.
      const restarted = this.seq !== undefined && f.seq < this.seq;
      if (first || restarted) this.seq = f.seq;
      this.setState(LinkState.Online);
      if (first || restarted) this.options.callbacks.resync();
    } else if (f.type === 'resync') {
      this.seq = f.seq;
      this.options.callbacks.resync();
    } else if (this.seq === undefined || f.event.seq > this.seq) {
      this.seq = f.event.seq;
      this.options.callbacks.event(f.event);
    }
  }
}
