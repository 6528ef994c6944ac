/**
 * WebSocket `/api/v1/events?token=…&since=SEQ`: a hello with the newest sequence
 * number, then what the client missed since SEQ (or a resync), then live events.
 * Court users receive only their court's events and court-less (global) ones.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, ProtocolError, type HubEventEnvelope, type HubStreamFrame, type Principal } from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { courtScope } from '../auth/auth.js';

/** A client this far behind is cut off; it reconnects with `since` and catches up. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export function registerEventStream(ctx: HubContext): { clients: () => number } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  ctx.disposables.add('event stream', () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });

  ctx.app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://hub');
    if (url.pathname !== '/api/v1/events') return;
    let principal: Principal;
    try {
      const token = url.searchParams.get('token');
      principal = ctx.auth.resolve(token ? `Bearer ${token}` : request.headers.authorization);
    } catch (error) {
      const wire = error instanceof ProtocolError ? error.toWire() : undefined;
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ error: wire })}`);
      return;
    }
    const sinceText = url.searchParams.get('since');
    const since = sinceText !== null && /^\d+$/.test(sinceText) ? Number(sinceText) : undefined;
    wss.handleUpgrade(request, socket, head, (ws) => attach(ctx, ws, principal, since));
  });
  return { clients: () => wss.clients.size };
}

function attach(ctx: HubContext, ws: WebSocket, principal: Principal, since: number | undefined): void {
  const scope = courtScope(principal);
  const visible = (event: HubEventEnvelope): boolean => scope === null || event.court === null || event.court === scope;
  const send = (frame: HubStreamFrame): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(1013, 'too far behind: reconnect with since');
      return;
    }
    ws.send(JSON.stringify(frame));
  };
  // Subscribe before reading the backlog so nothing falls between the two; drop duplicates by seq.
  let lastSent = since ?? ctx.events.latestSeq;
  const queued: HubEventEnvelope[] = [];
  let live = false;
  const unsubscribe = ctx.events.subscribe((events) => {
    for (const event of events) {
      if (!live) queued.push(event);
      else if (event.seq > lastSent && visible(event)) {
        send({ type: 'event', event });
        lastSent = event.seq;
      } else if (event.seq > lastSent) lastSent = event.seq;
    }
  });
  ws.on('close', unsubscribe);
  ws.on('error', unsubscribe);
  // Clients do not talk on this stream; anything they send is ignored.

  send({ type: 'hello', protocol: PROTOCOL_VERSION, seq: ctx.events.latestSeq });
  if (since !== undefined) {
    const backlog = ctx.events.since(since);
    if (!backlog) {
      lastSent = ctx.events.latestSeq;
      send({ type: 'resync', seq: lastSent });
    } else {
      for (const event of backlog) {
        if (visible(event)) send({ type: 'event', event });
        lastSent = event.seq;
      }
    }
  }
  live = true;
  for (const event of queued) {
    if (event.seq <= lastSent) continue;
    if (visible(event)) send({ type: 'event', event });
    lastSent = event.seq;
  }
}
