/**
 * The hub a store test runs against: the session's fetch answers from a route table, the link's
 * sockets are fakes the test drives frame by frame, and a fresh Pinia is active.
 */
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { PROTOCOL_VERSION, type HubEventData, type HubEventType } from '@cc/protocol';
import { linkDeps, useLinkStore } from '../stores/link';
import { sessionDeps } from '../stores/session';
import { memoryTokenStorage } from '../stores/session-storage';
import { fakeFetch, socketFactory, type FakeSocket, type RecordedRequest, type Route } from './fakes';

export interface FakeHub {
  /** The Pinia made active for the test. */
  readonly pinia: Pinia;
  /** Every request the stores sent, in order. */
  readonly requests: RecordedRequest[];
  /** The socket the link opened last. */
  socket(): FakeSocket;
  /** The link store connects with the stored token; stores that follow the link should do so first. */
  connect(): void;
  /** The hub's greeting, as the real hub sends it first: the link goes online and the following stores load. */
  hello(): void;
  /** A hub event, numbered after the previous one (the first is 1). */
  event<T extends HubEventType>(type: T, data: HubEventData<T>, envelope?: { at?: string; court?: string | null }): void;
}

/** Points the session and the link at a fake hub answering from `route`, with the token `tok` stored. */
export function fakeHub(route: Route): FakeHub {
  const token = 'tok';
  const fake = fakeFetch(route);
  const sockets = socketFactory();
  sessionDeps.baseUrl = () => 'http://hub.test/';
  sessionDeps.storage = () => memoryTokenStorage(token);
  sessionDeps.fetchImpl = fake.fetchImpl;
  linkDeps.baseUrl = () => 'http://hub.test/';
  linkDeps.socket = sockets.open;
  const pinia = createPinia();
  setActivePinia(pinia);
  let seq = 0;
  return {
    pinia,
    requests: fake.requests,
    socket: sockets.last,
    connect: () => useLinkStore().connect(token),
    hello: () => sockets.last().frame({ type: 'hello', protocol: PROTOCOL_VERSION, seq: 0 }),
    event: (type, data, envelope = {}) =>
      sockets.last().frame({
        type: 'event',
        event: { seq: ++seq, at: envelope.at ?? 'x', type, court: envelope.court ?? null, data },
      }),
  };
}
