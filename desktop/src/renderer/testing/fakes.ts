/**
 * Test doubles for the renderer's unit tests: a WebSocket the test drives frame by frame, and
 * a fetch that answers from a route table. The real hub is exercised by tests/e2e/desktop-console.test.ts.
 */
import type { HubStreamFrame } from '@cc/protocol';
import type { SocketLike } from '../realtime/event-link';

export class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {}

  frame(frame: HubStreamFrame | string): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** The server side drops the connection. */
  drop(): void {
    this.onclose?.({});
  }

  close(): void {
    this.closed = true;
  }
}

/** Collects every socket the code under test opens. */
export function socketFactory(): { sockets: FakeSocket[]; open: (url: string) => FakeSocket; last: () => FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    open: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    last: () => sockets[sockets.length - 1]!,
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}

export type RouteAnswer = { status: number; body?: unknown } | undefined;
/** An answer now, or later (a promise) to hold a request in flight while a test drives events. */
export type Route = (request: RecordedRequest) => RouteAnswer | Promise<RouteAnswer>;

/** A fetch answering from `route` (404 when it returns undefined), recording every request. */
export function fakeFetch(route: Route): { fetchImpl: typeof fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const request: RecordedRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      authorization: headers.get('authorization'),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(request);
    const answer = (await route(request)) ?? {
      status: 404,
      body: { error: { code: 'not_found', message: '对象不存在', messageEn: 'Not found' } },
    };
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status });
  }) as typeof fetch;
  return { fetchImpl, requests };
}

export const unauthenticated = {
  status: 401,
  body: { error: { code: 'unauthenticated', message: '未登录或登录已失效', messageEn: 'Not signed in or session expired' } },
};
