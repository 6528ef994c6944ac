/**
 * The SIP transport of the bridge: the npm `sip` stack (UDP + TCP on one port) behind a
 * typed surface. It refuses oversized bodies, answers methods without a handler with
 * 405, and never lets a handler's exception escape into the stack.
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the typings must also reach tsconfig.tests.json
/// <reference path="./sip.d.ts" />
import { createHash } from 'node:crypto';
import dgram, { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import sip, { type SipHeaders, type SipMessage, type SipRemote } from 'sip';
import type { Logger } from '@cc/runtime';

export interface SipServerOptions {
  host: string;
  port: number;
  /** Address written into our Via/Contact (never 0.0.0.0). */
  publicHost: string;
  maxBodyBytes: number;
  logger: Logger;
}

export type SipRequestHandler = (request: SipMessage, remote: SipRemote) => void;

export interface SipServer {
  /**
   * Answers a request inside its server transaction. `brief`: the transaction may end a
   * few seconds after the answer instead of the RFC's 32 s (Timer J) — for idempotent
   * requests (keepalives, positions) whose late retransmission may be handled twice.
   */
  reply(request: SipMessage, status: number, reason: string, extra?: { headers?: SipHeaders; content?: string }, brief?: boolean): void;
  /** Sends a request; `onResponse` sees provisional and final answers. */
  request(message: SipMessage, onResponse?: (response: SipMessage) => void): void;
  readonly contactHost: string;
  readonly port: number;
  close(): void;
}

/** The `sip` stack binds without telling us whether it worked: check the port first. */
async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (error) => reject(new Error(`SIP UDP ${host}:${port}: ${error.message}`)));
    socket.bind(port, host, () => socket.close(() => resolve()));
  });
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => reject(new Error(`SIP TCP ${host}:${port}: ${error.message}`)));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

export async function createSipServer(options: SipServerOptions, handlers: Record<string, SipRequestHandler>): Promise<SipServer> {
  await assertPortFree(options.host, options.port);
  const log = options.logger;
  let stack: ReturnType<typeof sip.create> | undefined;
  const reply: SipServer['reply'] = (request, status, reason, extra, brief) => {
    const response = sip.makeResponse(request, status, reason, extra);
    const to = request.headers.to;
    // RFC 3261 8.2.6.2: a final answer carries a To tag.
    if (to && status > 100 && !to.params.tag) response.headers.to = { ...to, params: { ...to.params, tag: toTag(request) } };
    if (brief) withShortTimerJ(() => stack?.send(response));
    else stack?.send(response);
  };
  stack = withLargeUdpBuffers(log, () =>
    sip.create(
      {
        address: options.host,
        port: options.port,
        publicAddress: options.publicHost,
        udp: true,
        tcp: true,
        maxContentLength: options.maxBodyBytes,
        logger: { error: (error: unknown) => log.debug({ err: error }, 'sip stack error') },
      },
      (request, remote) => {
        const method = request.method ?? '';
        if (method === 'ACK') return handlers.ACK?.(request, remote);
        if (Buffer.byteLength(request.content ?? '', 'latin1') > options.maxBodyBytes) {
          return reply(request, 413, 'Request Entity Too Large');
        }
        const handler = handlers[method];
        if (!handler) return reply(request, 405, 'Method Not Allowed', { headers: { allow: Object.keys(handlers).join(', ') } });
        try {
          handler(request, remote);
        } catch (error) {
          log.warn({ err: error, method, from: remote.address }, 'SIP request handler failed');
          reply(request, 500, 'Server Internal Error');
        }
      },
    ),
  );
  return {
    reply,
    request: (message, onResponse) => stack?.send(message, onResponse),
    contactHost: options.publicHost,
    port: options.port,
    close: () => {
      stack?.destroy();
      stack = undefined;
    },
  };
}

/** Receive buffer for the SIP UDP socket: 20 000 devices coming back after a power cut arrive in bursts. */
const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * The `sip` stack creates its UDP socket itself, with the kernel's default buffer
 * (~200 KB, a few hundred datagrams) and no error listener. While it starts, hand it
 * sockets with a large buffer (capped by net.core.rmem_max) and a logged error listener.
 */
function withLargeUdpBuffers<T>(log: Logger, create: () => T): T {
  const original = dgram.createSocket;
  const patched = (
    type: dgram.SocketType | dgram.SocketOptions,
    listener?: (msg: Buffer, rinfo: dgram.RemoteInfo) => void,
  ): dgram.Socket => {
    const options: dgram.SocketOptions = typeof type === 'string' ? { type } : { ...type };
    const socket = original({ ...options, recvBufferSize: UDP_BUFFER_BYTES, sendBufferSize: UDP_BUFFER_BYTES }, listener);
    socket.on('error', (error) => log.error({ err: error }, 'SIP UDP socket error'));
    return socket;
  };
  dgram.createSocket = patched as typeof dgram.createSocket;
  try {
    return create();
  } finally {
    dgram.createSocket = original;
  }
}

/** How long a brief server transaction absorbs retransmissions after its answer. */
const BRIEF_TIMER_J_MS = 4000;
const RFC_TIMER_J_MS = 32_000;

/**
 * The `sip` package arms Timer J (32 s) with the global setTimeout while the final answer
 * is sent. At 1 000+ MESSAGEs a second that keeps ~35 000 transactions (and their
 * messages) alive; for idempotent requests a shorter Timer J is enough.
 */
function withShortTimerJ(send: () => void): void {
  const original = globalThis.setTimeout;
  const shortened = ((handler: () => void, ms?: number) =>
    original(handler, ms === RFC_TIMER_J_MS ? BRIEF_TIMER_J_MS : ms)) as unknown as typeof setTimeout;
  globalThis.setTimeout = shortened;
  try {
    send();
  } finally {
    globalThis.setTimeout = original;
  }
}

/** A To tag that stays the same for retransmissions of one request (the tag `reply` puts on final answers). */
export function toTag(request: SipMessage): string {
  return createHash('sha1')
    .update(`${String(request.headers['call-id'])}/${String(request.headers.from?.params.tag)}`)
    .digest('hex')
    .slice(0, 10);
}

/** The user part of a From/To header (`sip:USER@host`), or undefined. */
export function userOf(address: { uri: string } | undefined): string | undefined {
  if (!address) return undefined;
  return sip.parseUri(address.uri)?.user;
}

export { sip };
export type { SipMessage, SipRemote };
