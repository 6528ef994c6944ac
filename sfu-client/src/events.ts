/** Client events: string enum + typed callback map + a small emitter. */
import type { Layout, RollCall, RoomState } from '@cc/protocol';

export const SfuClientEvent = {
  /** Connection state changed (connecting, connected, reconnecting, closed). */
  State: 'state',
  /** A participant joined. */
  ParticipantJoined: 'participantJoined',
  /** A participant left. */
  ParticipantLeft: 'participantLeft',
  /** A remote track became available (after subscribing). */
  TrackAdded: 'trackAdded',
  /** A remote track went away. */
  TrackRemoved: 'trackRemoved',
  /** Loudest speaker and the last N speakers. */
  Speakers: 'speakers',
  /** Moderation state (floor, moderated mode, lock, forced mutes, hands, recording). */
  RoomState: 'roomState',
  /** The leader pushed a layout. */
  Layout: 'layout',
  /** The leader muted your microphone (forced: only a raised hand can help). */
  MutedByLeader: 'mutedByLeader',
  /** Roll call: you are prompted to answer on camera. */
  RollCallPrompt: 'rollCallPrompt',
  /** Roll call progress or final result. */
  RollCallUpdate: 'rollCallUpdate',
  /** You were removed by the leader (no rejoin). */
  Removed: 'removed',
  /** Rejoined after a worker restart or network loss; `ms` from loss to joined. */
  Rejoined: 'rejoined',
} as const;
export type SfuClientEvent = (typeof SfuClientEvent)[keyof typeof SfuClientEvent];

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface Participant {
  peerId: string;
  name: string;
  role: string;
  court?: string;
}

export interface RemoteTrack {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: 'camera' | 'microphone' | 'screen' | 'device';
  track: MediaStreamTrack;
}

export interface SfuClientEvents {
  state: (state: ConnectionState) => void;
  participantJoined: (participant: Participant) => void;
  participantLeft: (peerId: string) => void;
  trackAdded: (track: RemoteTrack) => void;
  trackRemoved: (track: RemoteTrack) => void;
  speakers: (speaker: string | null, lastN: string[]) => void;
  roomState: (state: RoomState) => void;
  layout: (layout: Layout, focusPeerId: string | null) => void;
  mutedByLeader: (forced: boolean) => void;
  rollCallPrompt: (prompt: { rollCallId: string; court: string; timeoutS: number; deadline: string }) => void;
  rollCallUpdate: (done: boolean, rollCall: RollCall) => void;
  removed: (reason: string) => void;
  rejoined: (ms: number) => void;
}

export class Emitter {
  private readonly listeners = new Map<SfuClientEvent, Set<(...args: never[]) => void>>();

  on<E extends SfuClientEvent>(event: E, listener: SfuClientEvents[E]): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (...args: never[]) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (...args: never[]) => void);
  }

  emit<E extends SfuClientEvent>(event: E, ...args: Parameters<SfuClientEvents[E]>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as unknown as (...a: Parameters<SfuClientEvents[E]>) => void)(...args);
      } catch (error) {
        console.error(`listener for ${event} failed`, error);
      }
    }
  }
}
