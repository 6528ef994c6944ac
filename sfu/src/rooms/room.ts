/** A consultation room: one mediasoup router and its peers; relays producers to every other peer. */
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import { ErrorCode, ProtocolError, type JoinTokenClaims, type SfuNotification } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { SfuConfig } from '../config.js';
import type { PooledWorker } from '../workers/worker-pool.js';
import { mediaCodecs } from './media-codecs.js';
import { Peer } from './peer.js';

export class Room {
  readonly peers = new Map<string, Peer>();

  private constructor(
    readonly id: string,
    readonly router: types.Router,
    private readonly slot: PooledWorker,
    private readonly settings: SfuConfig,
    private readonly logger: Logger,
  ) {}

  static async create(id: string, slot: PooledWorker, settings: SfuConfig, logger: Logger): Promise<Room> {
    const router = await slot.worker.createRouter({ mediaCodecs });
    slot.routers++;
    const room = new Room(id, router, slot, settings, logger.child({ module: 'room', roomId: id }));
    room.logger.info({ worker: slot.index }, 'room created');
    return room;
  }

  join(claims: JoinTokenClaims, notify: (message: SfuNotification) => void): Peer {
    const peer = new Peer(randomUUID(), claims, notify);
    for (const other of this.peers.values()) other.notify({ type: 'notification', event: 'peerJoined', data: peer.info });
    this.peers.set(peer.id, peer);
    this.logger.info({ peerId: peer.id, name: claims.name, role: claims.role }, 'peer joined');
    return peer;
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer.id)) return;
    for (const { producer } of peer.producers.values()) this.broadcastProducerClosed(peer, producer.id);
    peer.close();
    for (const other of this.peers.values()) other.notify({ type: 'notification', event: 'peerLeft', data: { peerId: peer.id } });
    this.logger.info({ peerId: peer.id }, 'peer left');
  }

  private broadcastProducerClosed(owner: Peer, producerId: string): void {
    for (const other of this.peers.values()) {
      if (other !== owner) other.notify({ type: 'notification', event: 'producerClosed', data: { producerId } });
    }
  }

  async createTransport(peer: Peer): Promise<types.WebRtcTransport> {
    const announced = this.settings.rtcAnnouncedAddress;
    const listen = (protocol: 'udp' | 'tcp'): types.TransportListenInfo => ({
      protocol,
      ip: this.settings.rtcListenIp,
      ...(announced ? { announcedAddress: announced } : {}),
      portRange: { min: this.settings.rtcMinPort, max: this.settings.rtcMaxPort },
    });
    const transport = await this.router.createWebRtcTransport({
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

  announceProducer(peer: Peer, producer: types.Producer, source: 'camera' | 'microphone' | 'screen' | 'device'): void {
    peer.producers.set(producer.id, { producer, source });
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      if (this.peers.has(peer.id)) this.broadcastProducerClosed(peer, producer.id);
    });
    for (const other of this.peers.values()) {
      if (other === peer) continue;
      other.notify({
        type: 'notification',
        event: 'newProducer',
        data: { producerId: producer.id, peerId: peer.id, kind: producer.kind, source },
      });
    }
  }

  findProducer(producerId: string): types.Producer | undefined {
    for (const peer of this.peers.values()) {
      const entry = peer.producers.get(producerId);
      if (entry) return entry.producer;
    }
    return undefined;
  }

  producerList(): { producerId: string; peerId: string; kind: 'audio' | 'video'; source: 'camera' | 'microphone' | 'screen' | 'device' }[] {
    return [...this.peers.values()].flatMap((peer) =>
      [...peer.producers.values()].map(({ producer, source }) => ({
        producerId: producer.id,
        peerId: peer.id,
        kind: producer.kind,
        source,
      })),
    );
  }

  get empty(): boolean {
    return this.peers.size === 0;
  }

  close(): void {
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    this.router.close();
    this.slot.routers--;
    this.logger.info('room closed');
  }
}
