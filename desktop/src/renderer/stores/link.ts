/** The realtime link to the hub (store `link`): its state for the UI, and typed event subscriptions for the other stores. */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { HubEventType } from '@cc/protocol';
import { EventLink, LinkState, type SocketLike } from '../realtime/event-link';
import { HubEventRouter, parseHubEvent, type HubEventHandler } from '../realtime/hub-events';

/** How the link reaches the hub; tests replace it before the store's first use. */
export const linkDeps: { baseUrl: () => string; socket: (url: string) => SocketLike } = {
  baseUrl: () => (typeof document === 'undefined' ? 'http://127.0.0.1:8700/' : document.baseURI),
  socket: (url) => new WebSocket(url) as unknown as SocketLike,
};

export function eventStreamUrl(baseUrl: string, token: string, since: number | undefined): string {
  const url = new URL('api/v1/events', baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  if (since !== undefined) url.searchParams.set('since', String(since));
  return url.toString();
}

export const useLinkStore = defineStore('link', () => {
  const state = ref<LinkState>(LinkState.Offline);
  const seq = ref<number | undefined>(undefined);
  const lastEventAt = ref<string | undefined>(undefined);
  const failures = ref(0);
  const router = new HubEventRouter();
  const link = shallowRef<EventLink | undefined>();
  let failedHook: (attempt: number) => void = () => undefined;

  /** Connects with this session token; `onFailure` hears each failed attempt (e.g. to check the session). */
  function connect(token: string, onFailure: (attempt: number) => void = () => undefined): void {
    disconnect();
    failedHook = onFailure;
    state.value = LinkState.Connecting;
    const created = new EventLink({
      url: (since) => eventStreamUrl(linkDeps.baseUrl(), token, since),
      socket: (url) => linkDeps.socket(url),
      callbacks: {
        state: (s) => (state.value = s),
        event: (envelope) => {
          seq.value = envelope.seq;
          lastEventAt.value = envelope.at;
          const typed = parseHubEvent(envelope);
          if (typed) router.dispatch(typed);
        },
        resync: () => {
          seq.value = created.seq;
          router.resync();
        },
        failed: (attempt) => {
          failures.value += 1;
          failedHook(attempt);
        },
      },
    });
    link.value = created;
    created.start();
  }

  function disconnect(): void {
    link.value?.close();
    link.value = undefined;
    state.value = LinkState.Offline;
  }

  function on<T extends HubEventType>(type: T, handler: HubEventHandler<T>): () => void {
    return router.on(type, handler);
  }

  const onResync = (listener: () => void): (() => void) => router.onResync(listener);
  const reconnectNow = (): void => link.value?.reconnectNow();

  return { state, seq, lastEventAt, failures, connect, disconnect, on, onResync, reconnectNow };
});
