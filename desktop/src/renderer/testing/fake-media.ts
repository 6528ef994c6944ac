/** Test double of a joined SFU room (see stores/media-session.ts): tracks and states the test drives, and the join opening it. */
import type { RemoteTrack, SfuClientEvents } from '@cc/sfu-client';
import { mediaDeps, type MediaSession } from '../stores/media-session';

type Listener = (...args: never[]) => void;

export class FakeMediaSession {
  peerId = 'me';
  closed = false;
  readonly published: { track: MediaStreamTrack; source: string }[] = [];
  private readonly tracks: RemoteTrack[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(readonly options: { url: string; token: string; refreshToken?: () => Promise<string> }) {}

  on<E extends keyof SfuClientEvents>(event: E, listener: SfuClientEvents[E]): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as Listener);
    this.listeners.set(event, set);
    return () => set.delete(listener as Listener);
  }

  emit<E extends keyof SfuClientEvents>(event: E, ...args: Parameters<SfuClientEvents[E]>): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => void)(...args);
  }

  /** A remote producer's track arrives (as the SFU client's TrackAdded). */
  addTrack(kind: 'audio' | 'video', producerId: string): RemoteTrack {
    const track = { kind, id: `${kind}-${producerId}` } as unknown as MediaStreamTrack;
    const remote: RemoteTrack = { consumerId: `c-${producerId}`, producerId, peerId: 'device', kind, source: 'device', track };
    this.tracks.push(remote);
    this.emit('trackAdded', remote);
    return remote;
  }

  remoteTracks(): RemoteTrack[] {
    return [...this.tracks];
  }

  async publish(track: MediaStreamTrack, source: string): Promise<string> {
    this.published.push({ track, source });
    return `producer-${source}`;
  }

  close(): void {
    this.closed = true;
  }

  asSession(): MediaSession {
    return this as unknown as MediaSession;
  }
}

/** Has `mediaDeps.join` join fake rooms; returns them, in the order joined. */
export function fakeMediaRooms(): FakeMediaSession[] {
  const sessions: FakeMediaSession[] = [];
  mediaDeps.join = async (options) => {
    const session = new FakeMediaSession(options);
    sessions.push(session);
    return session.asSession();
  };
  return sessions;
}
