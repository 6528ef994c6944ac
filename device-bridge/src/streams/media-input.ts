/**
 * Where a device's RTP comes from: a UDP port, or one TCP connection carrying RFC 4571
 * framed RTP — the device connects to us (TCP-passive, `a=setup:passive`) or we connect
 * to the port in its SDP answer (TCP-active). A TCP peer whose framing breaks (a length
 * that cannot be RTP) is cut off; a passive listener then waits for the next connection.
 */
import type { Socket as UdpSocket } from 'node:dgram';
import { connect, type Server, type Socket } from 'node:net';
import type { Logger } from '@cc/runtime';
import { Rfc4571Framer } from '../media/rtp.js';

export interface MediaInputStats {
  /** TCP connections accepted (passive) or made (active). */
  connections: number;
  /** TCP peers cut off for broken framing. */
  badFraming: number;
}

export interface MediaInput {
  readonly stats: MediaInputStats;
  /** Every RTP packet received (framing already removed). */
  onPacket(listener: (packet: Buffer) => void): void;
  /** The media connection is gone for good (TCP-active only). */
  onLost(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

/** UDP: every datagram is one packet; the socket is owned (and closed) by the stream. */
export class UdpInput implements MediaInput {
  readonly stats: MediaInputStats = { connections: 0, badFraming: 0 };

  constructor(private readonly socket: UdpSocket) {}

  onPacket(listener: (packet: Buffer) => void): void {
    this.socket.on('message', listener);
  }

  onLost(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Reads framed RTP from one TCP socket; cuts the socket off when the framing breaks. */
function attach(socket: Socket, stats: MediaInputStats, logger: Logger, deliver: (packet: Buffer) => void): void {
  const framer = new Rfc4571Framer();
  stats.connections += 1;
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    for (const packet of framer.push(chunk)) deliver(packet);
    if (framer.corrupt) {
      stats.badFraming += 1;
      logger.warn({ peer: `${socket.remoteAddress}:${socket.remotePort}` }, 'RTP over TCP: broken framing, connection cut off');
      socket.destroy();
    }
  });
  socket.on('error', (error) => logger.debug({ err: error }, 'RTP over TCP socket error'));
}

/**
 * TCP-passive: we listen, the device connects. One media connection at a time: a newcomer is
 * refused while the current connection carries RTP, but replaces one that has sent nothing yet
 * (a stray or hostile peer cannot hold the port against the device).
 */
export class TcpPassiveInput implements MediaInput {
  readonly stats: MediaInputStats = { connections: 0, badFraming: 0 };
  private current: Socket | undefined;
  private currentPackets = 0;
  private listener: (packet: Buffer) => void = () => undefined;

  constructor(
    private readonly server: Server,
    private readonly logger: Logger,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => logger.warn({ err: error }, 'RTP over TCP listener error'));
  }

  private accept(socket: Socket): void {
    if (this.current && this.currentPackets > 0) {
      socket.destroy();
      return;
    }
    this.current?.destroy();
    this.current = socket;
    this.currentPackets = 0;
    socket.on('close', () => {
      if (this.current === socket) this.current = undefined;
    });
    attach(socket, this.stats, this.logger, (packet) => {
      if (this.current !== socket) return;
      this.currentPackets += 1;
      this.listener(packet);
    });
  }

  onPacket(listener: (packet: Buffer) => void): void {
    this.listener = listener;
  }

  onLost(): void {}

  close(): Promise<void> {
    this.current?.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** TCP-active: we connect to the device's port (from its SDP answer), retrying briefly while it starts listening. */
export class TcpActiveInput implements MediaInput {
  readonly stats: MediaInputStats = { connections: 0, badFraming: 0 };
  private socket: Socket | undefined;
  private closed = false;
  private listener: (packet: Buffer) => void = () => undefined;
  private lost: (reason: string) => void = () => undefined;

  private constructor(private readonly logger: Logger) {}

  static async connect(host: string, port: number, logger: Logger, attempts = 5): Promise<TcpActiveInput> {
    const input = new TcpActiveInput(logger);
    for (let attempt = 1; ; attempt++) {
      try {
        input.socket = await new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host, port, timeout: 5000 });
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
          socket.once('timeout', () => {
            socket.destroy();
            reject(new Error(`connect to ${host}:${port} timed out`));
          });
        });
        break;
      } catch (error) {
        if (attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      }
    }
    const socket = input.socket;
    socket.setTimeout(0);
    attach(socket, input.stats, logger, (packet) => input.listener(packet));
    socket.on('close', () => {
      if (!input.closed) input.lost(input.stats.badFraming > 0 ? 'device broke the RTP framing' : 'device closed the media connection');
    });
    return input;
  }

  onPacket(listener: (packet: Buffer) => void): void {
    this.listener = listener;
  }

  onLost(listener: (reason: string) => void): void {
    this.lost = listener;
  }

  close(): Promise<void> {
    this.closed = true;
    this.socket?.destroy();
    this.logger.debug('RTP over TCP (active) closed');
    return Promise.resolve();
  }
}
