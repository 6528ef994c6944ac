/** The typed request/response channel over the SFU signalling WebSocket (browser `WebSocket`). */
import type { SfuNotification, SfuRequestData, SfuRequestType, SfuResponseData, WireError } from '@cc/protocol';

/** An error answered by the SFU, with its code and both messages. */
export class SfuRequestError extends Error {
  readonly code: string;
  readonly messageZh: string;
  readonly details: unknown;

  constructor(wire: WireError) {
    super(`${wire.code}: ${wire.messageEn}`);
    this.name = 'SfuRequestError';
    this.code = wire.code;
    this.messageZh = wire.message;
    this.details = wire.details;
  }
}

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
}

type ServerMessage =
  | { type: 'response'; id: number | null; ok: true; data: unknown }
  | { type: 'response'; id: number | null; ok: false; error: WireError }
  | SfuNotification;

export class SignallingChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    private readonly socket: WebSocket,
    onNotification: (message: SfuNotification) => void,
    onClose: (code: number, reason: string) => void,
  ) {
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as ServerMessage;
      if (message.type === 'notification') onNotification(message);
      else this.settle(message);
    };
    socket.onclose = (event) => {
      for (const entry of this.pending.values()) entry.reject(new Error(`signalling closed (${event.code})`));
      this.pending.clear();
      onClose(event.code, event.reason);
    };
  }

  static open(
    url: string,
    onNotification: (message: SfuNotification) => void,
    onClose: (code: number, reason: string) => void,
  ): Promise<SignallingChannel> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.onopen = () => resolve(new SignallingChannel(socket, onNotification, onClose));
      socket.onerror = () => reject(new Error(`cannot open signalling socket ${url}`));
    });
  }

  private settle(message: Exclude<ServerMessage, SfuNotification>): void {
    if (message.id === null) return;
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (message.ok) entry.resolve(message.data);
    else entry.reject(new SfuRequestError(message.error));
  }

  request<T extends SfuRequestType>(type: T, data: SfuRequestData<T>): Promise<SfuResponseData<T>> {
    if (this.socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('signalling is not connected'));
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, type, data }));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (d) => resolve(d as SfuResponseData<T>), reject });
    });
  }

  close(): void {
    this.socket.onclose = null;
    for (const entry of this.pending.values()) entry.reject(new Error('signalling closed'));
    this.pending.clear();
    this.socket.close();
  }
}
