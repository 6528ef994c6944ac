/**
 * Live sources from the device bridge: PlainTransport producers (comedia) that join a room as
 * a device pseudo-peer, and intercom listen legs (PlainTransport consumers sending to the bridge).
 */
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { z } from 'zod';
import {
  ErrorCode,
  ProtocolError,
  liveRoomId,
  type IngestListener,
  type IngestSource,
  type IngestTrackEndpoint,
  type RoomProducerList,
  type createIngestListenerSchema,
  type createIngestSourceSchema,
} from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { SfuConfig } from '../config.js';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import { audioCapabilities, audioRtpParameters, videoRtpParameters } from './rtp-parameters.js';

type CreateSource = z.infer<typeof createIngestSourceSchema>;
type CreateListener = z.infer<typeof createIngestListenerSchema>;

interface LiveSource {
  info: IngestSource;
  request: CreateSource;
  room: Room;
  peer: Peer;
}

/** Device pseudo-peers never expire while the source exists (their "token" is never checked again). */
const NEVER_S = 2 ** 31 - 1;

export class LiveSources {
  private readonly sources = new Map<string, LiveSource>();
  private readonly listeners = new Map<string, { info: IngestListener; transport: types.PlainTransport }>();

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly settings: SfuConfig,
    private readonly logger: Logger,
  ) {
    rooms.roomLostListeners.add((room) => void this.rebuild(room.id));
  }

  /** Ports: a range, or the exact ports of a source being rebuilt (the bridge keeps sending there). */
  private async plainTransport(
    room: Room,
    rtcpMux: boolean,
    comedia: boolean,
    ports?: { rtp: number; rtcp: number },
  ): Promise<types.PlainTransport> {
    const announced = this.settings.rtcAnnouncedAddress;
    const base = { protocol: 'udp' as const, ip: this.settings.rtcListenIp, ...(announced ? { announcedAddress: announced } : {}) };
    const range = { portRange: { min: this.settings.rtcMinPort, max: this.settings.rtcMaxPort } };
    return room.router.createPlainTransport({
      listenInfo: { ...base, ...(ports ? { port: ports.rtp } : range) },
      ...(ports && !rtcpMux ? { rtcpListenInfo: { ...base, port: ports.rtcp } } : {}),
      rtcpMux,
      comedia,
    });
  }

  /** The source's worker died: the same source comes back on the same ports, so RTP keeps flowing. */
  private async rebuild(roomId: string): Promise<void> {
    for (const source of [...this.sources.values()].filter((s) => s.info.room === roomId)) {
      this.sources.delete(source.info.sourceId);
      try {
        await this.build(source.info.sourceId, source.request, source.info.tracks);
        this.logger.warn({ sourceId: source.info.sourceId, room: roomId }, 'live source rebuilt after a worker death');
      } catch (error) {
        this.logger.error(
          { err: error, sourceId: source.info.sourceId },
          'cannot rebuild the live source; the bridge must create it again',
        );
      }
    }
  }

  private async addTrack(
    source: LiveSource,
    kind: 'audio' | 'video',
    rtpParameters: types.RtpParameters,
    rtcpMux: boolean,
    previous?: IngestTrackEndpoint,
  ): Promise<IngestTrackEndpoint> {
    const ports = previous ? { rtp: previous.port, rtcp: previous.rtcpPort } : undefined;
    const transport = await this.plainTransport(source.room, rtcpMux, true, ports);
    source.peer.plainTransports.push(transport);
    const producer = await transport.produce({ kind, rtpParameters });
    source.room.announceProducer(source.peer, producer, 'device');
    const port = transport.tuple.localPort;
    return {
      kind,
      producerId: producer.id,
      ip: transport.tuple.localAddress ?? transport.tuple.localIp,
      port,
      rtcpPort: rtcpMux ? port : (transport.rtcpTuple?.localPort ?? port),
      payloadType: rtpParameters.codecs[0]!.payloadType,
      ssrc: rtpParameters.encodings![0]!.ssrc!,
    };
  }

  async create(request: CreateSource): Promise<IngestSource> {
    return this.build(randomUUID(), request);
  }

  private async build(sourceId: string, request: CreateSource, previous: IngestTrackEndpoint[] = []): Promise<IngestSource> {
    const roomId = request.room ?? liveRoomId(sourceId);
    const room = await this.rooms.get(roomId);
    const claims = {
      room: roomId,
      sub: `device:${request.deviceId ?? sourceId}`,
      name: request.name,
      role: 'service' as const,
      exp: NEVER_S,
    };
    const peer = room.join(
      claims,
      () => {},
      () => {},
    );
    const info: IngestSource = { sourceId, name: request.name, room: roomId, tracks: [], createdAt: new Date().toISOString() };
    if (request.deviceId !== undefined) info.deviceId = request.deviceId;
    const source: LiveSource = { info, request, room, peer };
    const was = (kind: string): IngestTrackEndpoint | undefined => previous.find((t) => t.kind === kind);
    try {
      if (request.video)
        info.tracks.push(await this.addTrack(source, 'video', videoRtpParameters(request.video), request.rtcpMux, was('video')));
      if (request.audio)
        info.tracks.push(await this.addTrack(source, 'audio', audioRtpParameters(request.audio), request.rtcpMux, was('audio')));
    } catch (error) {
      this.dropPeer(source);
      throw error instanceof TypeError ? new ProtocolError(ErrorCode.ValidationFailed, { reason: error.message }, { cause: error }) : error;
    }
    this.sources.set(sourceId, source);
    this.logger.info({ sourceId, room: roomId, name: request.name, tracks: info.tracks.length }, 'live source created');
    return info;
  }

  private dropPeer(source: LiveSource): void {
    source.room.leave(source.peer);
    this.rooms.release(source.room);
  }

  delete(sourceId: string): void {
    const source = this.sources.get(sourceId);
    if (!source) throw new ProtocolError(ErrorCode.NotFound, { sourceId });
    this.sources.delete(sourceId);
    this.dropPeer(source);
    this.logger.info({ sourceId }, 'live source closed');
  }

  list(): IngestSource[] {
    return [...this.sources.values()].map((s) => s.info);
  }

  producersIn(roomId: string): RoomProducerList {
    const room = this.rooms.find(roomId);
    if (!room) throw new ProtocolError(ErrorCode.NotFound, { room: roomId });
    const producers = [...room.peers.values()].flatMap((peer) =>
      [...peer.producers.values()].map(({ producer, source }) => ({
        producerId: producer.id,
        peerId: peer.id,
        name: peer.claims.name,
        kind: producer.kind,
        source,
        mimeType: producer.rtpParameters.codecs[0]?.mimeType ?? '',
      })),
    );
    return { producers };
  }

  /** The room's most recently published microphone (a console's voice). */
  private latestMicrophone(room: Room): string {
    let latest: { id: string; at: number } | undefined;
    for (const peer of room.peers.values()) {
      for (const { producer, source } of peer.producers.values()) {
        if (source === 'microphone' && (!latest || peer.joinedAt.getTime() >= latest.at))
          latest = { id: producer.id, at: peer.joinedAt.getTime() };
      }
    }
    if (!latest) throw new ProtocolError(ErrorCode.NotFound, { reason: 'no microphone in the room', room: room.id });
    return latest.id;
  }

  async listen(request: CreateListener): Promise<IngestListener> {
    const room = this.rooms.find(request.room);
    if (!room) throw new ProtocolError(ErrorCode.NotFound, { room: request.room });
    const producerId = request.producerId ?? this.latestMicrophone(room);
    const found = room.findProducer(producerId);
    if (!found) throw new ProtocolError(ErrorCode.NotFound, { producerId });
    await room.routers.ensureOn(producerId, found.peer.router, room.router);
    const rtpCapabilities = audioCapabilities(room.router, request.codec);
    if (!room.router.canConsume({ producerId, rtpCapabilities })) {
      throw new ProtocolError(ErrorCode.ValidationFailed, {
        reason: `the producer does not send ${request.codec} (the SFU does not transcode)`,
      });
    }
    const rtcpMux = request.rtcpPort === undefined;
    const transport = await this.plainTransport(room, rtcpMux, false);
    await transport.connect({ ip: request.ip, port: request.port, ...(rtcpMux ? {} : { rtcpPort: request.rtcpPort }) });
    const consumer = await transport.consume({ producerId, rtpCapabilities, paused: false });
    const codec = consumer.rtpParameters.codecs[0]!;
    const info: IngestListener = {
      listenerId: randomUUID(),
      room: room.id,
      producerId,
      consumerId: consumer.id,
      localIp: transport.tuple.localAddress ?? transport.tuple.localIp,
      localPort: transport.tuple.localPort,
      mimeType: codec.mimeType,
      payloadType: codec.payloadType,
      clockRate: codec.clockRate,
      ssrc: consumer.rtpParameters.encodings?.[0]?.ssrc ?? 0,
    };
    if (codec.channels !== undefined) info.channels = codec.channels;
    this.listeners.set(info.listenerId, { info, transport });
    consumer.on('producerclose', () => {
      if (this.listeners.has(info.listenerId)) this.unlisten(info.listenerId);
    });
    transport.observer.once('close', () => this.listeners.delete(info.listenerId));
    return info;
  }

  unlisten(listenerId: string): void {
    const entry = this.listeners.get(listenerId);
    if (!entry) throw new ProtocolError(ErrorCode.NotFound, { listenerId });
    this.listeners.delete(listenerId);
    entry.transport.close();
  }

  close(): void {
    for (const { transport } of this.listeners.values()) transport.close();
    this.listeners.clear();
    for (const source of this.sources.values()) this.dropPeer(source);
    this.sources.clear();
  }
}
