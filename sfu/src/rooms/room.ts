/**
 * A consultation room (or a live view): one mediasoup router, its peers, the moderation
 * state and the audio gates that enforce it, and the simulcast layer policy.
 */
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import {
  ErrorCode,
  ProtocolError,
  type ConsultationParticipant,
  type JoinTokenClaims,
  type RoomState,
  type SfuNotification,
} from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { SfuConfig } from '../config.js';
import type { PooledWorker } from '../workers/worker-pool.js';
import { effectiveLayer } from './layers.js';
import { mediaCodecs } from './media-codecs.js';
import { Peer, type MediaSourceName } from './peer.js';
import { RoomRouters, type RouterFactory } from './room-routers.js';
import { SpeakerTracker } from './speakers.js';

/**
 * Session-long work that outlives the worker-bound objects (a running recording, a roll
 * call): it lives in the room's memory and is told when the room is rebuilt, lost or ended.
 */
export interface RoomAttachment {
  /** A room was (re)built with this memory. */
  attach?(room: Room): void;
  /** A peer joined (or rejoined) the room. */
  peerJoined?(room: Room, peer: Peer): void;
  /** The room's worker died; the memory waits for the rebuilt room. */
  lost?(room: Room): void;
  /** The session ended (last peer left, or the service stops). */
  end?(): void;
}

/**
 * What survives a worker death, kept in the Node process: the room is rebuilt with it when
 * clients rejoin. Per-peer state (floor, forced mutes, hands, focus) keeps its peer ids:
 * a rejoining participant is recognised by its join token subject and gets its old id back.
 */
export interface RoomMemory {
  sessionId: string;
  startedAt: Date;
  state: RoomState;
  bannedSubs: Set<string>;
  participants: Map<string, ConsultationParticipant>;
  /** Subject → peer id of everyone in the room when its worker died (let in despite a lock, same id). */
  rejoining: Map<string, string>;
  readonly attachments: Set<RoomAttachment>;
}

export function freshMemory(): RoomMemory {
  return {
    sessionId: randomUUID(),
    startedAt: new Date(),
    state: {
      locked: false,
      moderated: false,
      floorPeerId: null,
      layout: 'grid',
      focusPeerId: null,
      recording: false,
      forcedMuted: [],
      handsRaised: [],
    },
    bannedSubs: new Set(),
    participants: new Map(),
    rejoining: new Map(),
    attachments: new Set(),
  };
}

export class Room {
  readonly peers = new Map<string, Peer>();
  readonly speakers: SpeakerTracker;
  /** Closed with the room (roll-call timers, recorders). */
  readonly closers = new Set<() => void>();
  /** Told about every new producer (the recorder follows them). */
  readonly producerWatchers = new Set<(peer: Peer, producer: types.Producer) => void>();
  closed = false;
  /** Called when any of the room's routers closed under it (its worker died). */
  onLost: () => void = () => {};

  private constructor(
    readonly id: string,
    readonly routers: RoomRouters,
    readonly memory: RoomMemory,
    private readonly settings: SfuConfig,
    readonly logger: Logger,
    observer: types.ActiveSpeakerObserver,
  ) {
    this.speakers = new SpeakerTracker(observer, settings.lastN, (peerId, lastN) => {
      this.broadcast({ type: 'notification', event: 'activeSpeaker', data: { peerId, lastN } });
      this.applyLayers();
    });
  }

  static async create(
    id: string,
    slot: PooledWorker,
    settings: SfuConfig,
    logger: Logger,
    memory: RoomMemory,
    factory: RouterFactory,
  ): Promise<Room> {
    const router = await slot.worker.createRouter({ mediaCodecs });
    const observer = await router.createActiveSpeakerObserver({ interval: 300 });
    slot.routers++;
    const child = logger.child({ module: 'room', roomId: id });
    const watch = (r: types.Router): void => {
      r.observer.once('close', () => {
        if (!room.closed) room.onLost();
      });
    };
    const routers = new RoomRouters({ router, slot }, factory, settings.consumersPerRouter, (added) => {
      watch(added.router);
      child.info({ worker: added.slot.index, routers: routers.all.length }, 'room spread onto another router (pipeToRouter)');
    });
    const room = new Room(id, routers, memory, settings, child, observer);
    watch(router);
    if (memory.rejoining.size > 0) {
      const timer = setTimeout(() => room.forgetAbsent(), settings.rejoinGraceMs);
      room.closers.add(() => clearTimeout(timer));
    }
    room.logger.info({ worker: slot.index, sessionId: memory.sessionId }, 'room created');
    return room;
  }

  /** The primary router: ingest, recording and the active-speaker observer live here. */
  get router(): types.Router {
    return this.routers.primary;
  }

  /** The router a joining peer should use (spreads the room when its routers are full). */
  placePeer(): Promise<types.Router> {
    return this.routers.place((router) => {
      let n = 0;
      for (const peer of this.peers.values()) if (peer.router === router) n += peer.consumers.size;
      return n;
    });
  }

  get state(): RoomState {
    return this.memory.state;
  }

  broadcast(message: SfuNotification, except?: Peer): void {
    for (const peer of this.peers.values()) if (peer !== except) peer.notify(message);
  }

  /** Tells everyone the room state changed and re-applies the audio gates. */
  stateChanged(): void {
    this.gateAudio();
    this.broadcast({ type: 'notification', event: 'roomState', data: this.state });
  }

  join(
    claims: JoinTokenClaims,
    notify: (m: SfuNotification) => void,
    disconnect: (code: number, reason: string) => void,
    router: types.Router = this.router,
  ): Peer {
    if (this.memory.bannedSubs.has(claims.sub)) throw new ProtocolError(ErrorCode.Forbidden, { reason: 'removed from this room' });
    // Someone who was in the room when its worker died comes back as itself (same peer id, let in despite a lock).
    const previousId = this.memory.rejoining.get(claims.sub);
    const rejoin = previousId !== undefined && !this.peers.has(previousId);
    const peer = new Peer(rejoin ? previousId : randomUUID(), claims, notify, disconnect, router);
    if (this.state.locked && !rejoin && !peer.isLeader && !peer.isService) throw new ProtocolError(ErrorCode.RoomLocked, { room: this.id });
    if (rejoin) this.memory.rejoining.delete(claims.sub);
    this.broadcast({ type: 'notification', event: 'peerJoined', data: peer.info });
    this.peers.set(peer.id, peer);
    if (!peer.isService) this.recordParticipant(peer);
    this.logger.info({ peerId: peer.id, name: claims.name, role: claims.role, rejoin }, 'peer joined');
    for (const attachment of this.memory.attachments) attachment.peerJoined?.(this, peer);
    return peer;
  }

  /** The worker died: remember who was here (to let them back as themselves) before the peers go. */
  markLost(): void {
    for (const peer of this.peers.values()) this.memory.rejoining.set(peer.claims.sub, peer.id);
    for (const attachment of [...this.memory.attachments]) attachment.lost?.(this);
  }

  /** The rejoin grace ended: who did not come back loses its per-peer state (floor, forced mute, hand, focus). */
  forgetAbsent(): void {
    if (this.closed || this.memory.rejoining.size === 0) return;
    const gone = new Set(this.memory.rejoining.values());
    for (const sub of this.memory.rejoining.keys()) {
      const participant = this.memory.participants.get(sub);
      if (participant && !participant.leftAt) participant.leftAt = new Date().toISOString();
    }
    this.memory.rejoining.clear();
    const s = this.state;
    if (s.floorPeerId !== null && gone.has(s.floorPeerId)) s.floorPeerId = null;
    if (s.focusPeerId !== null && gone.has(s.focusPeerId)) s.focusPeerId = null;
    s.forcedMuted = s.forcedMuted.filter((id) => !gone.has(id));
    s.handsRaised = s.handsRaised.filter((id) => !gone.has(id));
    this.logger.info({ peers: gone.size }, 'participants did not rejoin after the worker death: their state is dropped');
    this.stateChanged();
  }

  /** The session is over: running recordings and roll calls finish. */
  end(): void {
    for (const attachment of [...this.memory.attachments]) attachment.end?.();
    this.memory.attachments.clear();
  }

  private recordParticipant(peer: Peer): void {
    const entry: ConsultationParticipant = {
      sub: peer.claims.sub,
      name: peer.claims.name,
      role: peer.claims.role,
      joinedAt: peer.joinedAt.toISOString(),
    };
    if (peer.claims.court !== undefined) entry.court = peer.claims.court;
    const previous = this.memory.participants.get(peer.claims.sub);
    this.memory.participants.set(peer.claims.sub, previous ? { ...previous, leftAt: undefined } : entry);
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer.id)) return;
    for (const { producer } of peer.producers.values()) this.broadcastProducerClosed(peer, producer.id);
    peer.close();
    const participant = this.memory.participants.get(peer.claims.sub);
    if (participant) participant.leftAt = new Date().toISOString();
    const s = this.state;
    const before = JSON.stringify(s);
    if (s.floorPeerId === peer.id) s.floorPeerId = null;
    if (s.focusPeerId === peer.id) s.focusPeerId = null;
    s.forcedMuted = s.forcedMuted.filter((id) => id !== peer.id);
    s.handsRaised = s.handsRaised.filter((id) => id !== peer.id);
    this.speakers.forget(peer.id);
    this.broadcast({ type: 'notification', event: 'peerLeft', data: { peerId: peer.id } });
    if (JSON.stringify(s) !== before) this.stateChanged();
    this.logger.info({ peerId: peer.id }, 'peer left');
  }

  private broadcastProducerClosed(owner: Peer, producerId: string): void {
    this.broadcast({ type: 'notification', event: 'producerClosed', data: { producerId } }, owner);
  }

  async createTransport(peer: Peer): Promise<types.WebRtcTransport> {
    const announced = this.settings.rtcAnnouncedAddress;
    const listen = (protocol: 'udp' | 'tcp'): types.TransportListenInfo => ({
      protocol,
      ip: this.settings.rtcListenIp,
      ...(announced ? { announcedAddress: announced } : {}),
      portRange: { min: this.settings.rtcMinPort, max: this.settings.rtcMaxPort },
    });
    const transport = await peer.router.createWebRtcTransport({
      listenInfos: [listen('udp'), listen('tcp')],
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
    });
    peer.transports.set(transport.id, transport);
    return transport;
  }

  transportOf(peer: Peer, transportId: string): types.WebRtcTransport {
    const transport = peer.transports.get(transportId);
    if (!transport) throw new ProtocolError(ErrorCode.NotFound, { transportId });
    return transport;
  }

  announceProducer(peer: Peer, producer: types.Producer, source: MediaSourceName): void {
    peer.producers.set(producer.id, { producer, source, selfPaused: false, gatePaused: producer.paused });
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      if (this.peers.has(peer.id)) this.broadcastProducerClosed(peer, producer.id);
    });
    if (producer.kind === 'audio') {
      // The speaker observer runs on the primary router: audio from other routers is piped there.
      void this.routers.ensureOn(producer.id, peer.router, this.router).then(
        () => this.speakers.add(producer, peer.id),
        (error: unknown) => this.logger.warn({ err: error, producerId: producer.id }, 'cannot pipe audio to the primary router'),
      );
    }
    this.gateAudio();
    for (const watch of this.producerWatchers) watch(peer, producer);
    this.broadcast(
      { type: 'notification', event: 'newProducer', data: { producerId: producer.id, peerId: peer.id, kind: producer.kind, source } },
      peer,
    );
  }

  /** Server-side pause of every microphone that must not be heard (self-muted, forced, or moderated without the floor). */
  gateAudio(): void {
    const s = this.state;
    for (const peer of this.peers.values()) {
      const silenced = s.forcedMuted.includes(peer.id) || (s.moderated && !peer.isLeader && !peer.isService && s.floorPeerId !== peer.id);
      for (const entry of peer.producers.values()) {
        if (entry.producer.kind !== 'audio' || entry.producer.closed) continue;
        const pause = entry.selfPaused || silenced;
        if (pause === entry.gatePaused) continue;
        entry.gatePaused = pause;
        void (pause ? entry.producer.pause() : entry.producer.resume()).catch(() => undefined);
      }
    }
  }

  /** Simulcast: each video consumer gets the layer its tile asks for; outside the last N speakers, the lowest. */
  applyLayers(): void {
    const large = this.peers.size > this.settings.lastN;
    for (const peer of this.peers.values()) {
      for (const entry of peer.consumers.values()) {
        const { consumer } = entry;
        if (consumer.kind !== 'video' || consumer.closed || consumer.type !== 'simulcast') continue;
        const layer = effectiveLayer(entry.tileLayer, !large || this.speakers.isRecent(entry.producerPeerId));
        if (consumer.preferredLayers?.spatialLayer !== layer) {
          void consumer.setPreferredLayers({ spatialLayer: layer, temporalLayer: 2 }).catch(() => undefined);
        }
      }
    }
  }

  findProducer(producerId: string): { peer: Peer; producer: types.Producer } | undefined {
    for (const peer of this.peers.values()) {
      const entry = peer.producers.get(producerId);
      if (entry) return { peer, producer: entry.producer };
    }
    return undefined;
  }

  producerList(): { producerId: string; peerId: string; kind: 'audio' | 'video'; source: MediaSourceName }[] {
    return [...this.peers.values()].flatMap((peer) =>
      [...peer.producers.values()].map(({ producer, source }) => ({
        producerId: producer.id,
        peerId: peer.id,
        kind: producer.kind,
        source,
      })),
    );
  }

  peer(peerId: string): Peer {
    const peer = this.peers.get(peerId);
    if (!peer) throw new ProtocolError(ErrorCode.NotFound, { peerId });
    return peer;
  }

  get consumerCount(): number {
    let n = 0;
    for (const peer of this.peers.values()) n += peer.consumers.size;
    return n;
  }

  get empty(): boolean {
    return this.peers.size === 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const close of this.closers) close();
    this.closers.clear();
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    this.routers.close();
    this.logger.info('room closed');
  }
}
