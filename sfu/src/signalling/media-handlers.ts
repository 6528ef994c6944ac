/** Typed handlers for the media requests: transports, producers, consumers, tile sizes, ICE restarts. */
import type { types } from 'mediasoup';
import { ErrorCode, ProtocolError } from '@cc/protocol';
import { setSelfPaused } from '../moderation/moderation.js';
import { HIGHEST_LAYER, layerForTile } from '../rooms/layers.js';
import type { HandlerMap } from './handler-map.js';

/** mediasoup throws TypeError for parameters it cannot use: that is the client's fault. */
async function clientInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TypeError) {
      throw new ProtocolError(ErrorCode.ValidationFailed, { reason: error.message }, { cause: error });
    }
    throw error;
  }
}

type MediaRequest =
  | 'join'
  | 'setCapabilities'
  | 'createTransport'
  | 'connectTransport'
  | 'produce'
  | 'consume'
  | 'resumeConsumer'
  | 'pauseProducer'
  | 'resumeProducer'
  | 'closeProducer'
  | 'setTileSize'
  | 'restartIce'
  | 'leave';

export const mediaHandlers: Pick<HandlerMap, MediaRequest> = {
  async join(session, data) {
    return session.join(data.token);
  },

  async setCapabilities(session, data) {
    const { peer } = session.joined();
    if (!Array.isArray(data.rtpCapabilities.codecs)) {
      throw new ProtocolError(ErrorCode.ValidationFailed, { reason: 'rtpCapabilities.codecs must be a list' });
    }
    peer.rtpCapabilities = data.rtpCapabilities as unknown as types.RtpCapabilities;
    return {};
  },

  async createTransport(session) {
    const { room, peer } = session.joined();
    if (peer.transports.size >= 4) throw new ProtocolError(ErrorCode.Conflict, { reason: 'too many transports' });
    const transport = await room.createTransport(peer);
    return {
      transportId: transport.id,
      iceParameters: { ...transport.iceParameters },
      iceCandidates: transport.iceCandidates.map((c) => ({ ...c })),
      dtlsParameters: { ...transport.dtlsParameters },
    };
  },

  async connectTransport(session, data) {
    const { room, peer } = session.joined();
    const transport = room.transportOf(peer, data.transportId);
    await clientInput(() => transport.connect({ dtlsParameters: data.dtlsParameters as unknown as types.DtlsParameters }));
    return {};
  },

  async produce(session, data) {
    const { room, peer } = session.joined();
    if (peer.claims.role === 'viewer') throw new ProtocolError(ErrorCode.Forbidden, { reason: 'viewers do not publish' });
    const transport = room.transportOf(peer, data.transportId);
    const producer = await clientInput(() =>
      transport.produce({ kind: data.kind, rtpParameters: data.rtpParameters as unknown as types.RtpParameters }),
    );
    room.announceProducer(peer, producer, data.source);
    return { producerId: producer.id };
  },

  async consume(session, data) {
    const { room, peer } = session.joined();
    const transport = room.transportOf(peer, data.transportId);
    const found = room.findProducer(data.producerId);
    if (!found) throw new ProtocolError(ErrorCode.NotFound, { producerId: data.producerId });
    const caps = peer.rtpCapabilities;
    if (!caps) throw new ProtocolError(ErrorCode.OutOfOrder, { reason: 'setCapabilities first' });
    await room.routers.ensureOn(found.producer.id, found.peer.router, peer.router);
    if (!peer.router.canConsume({ producerId: found.producer.id, rtpCapabilities: caps })) {
      throw new ProtocolError(ErrorCode.ValidationFailed, { reason: 'cannot consume with these RTP capabilities' });
    }
    const consumer = await transport.consume({ producerId: found.producer.id, rtpCapabilities: caps, paused: true });
    peer.consumers.set(consumer.id, { consumer, producerPeerId: found.peer.id, tileLayer: HIGHEST_LAYER, hidden: false });
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      peer.notify({ type: 'notification', event: 'consumerClosed', data: { consumerId: consumer.id } });
    });
    room.applyLayers();
    return { consumerId: consumer.id, producerId: found.producer.id, kind: consumer.kind, rtpParameters: { ...consumer.rtpParameters } };
  },

  async resumeConsumer(session, data) {
    const { peer } = session.joined();
    const entry = peer.consumers.get(data.consumerId);
    if (!entry) throw new ProtocolError(ErrorCode.NotFound, { consumerId: data.consumerId });
    if (!entry.hidden) await entry.consumer.resume();
    return {};
  },

  async pauseProducer(session, data) {
    const { room, peer } = session.joined();
    setSelfPaused(room, peer, data.producerId, true);
    return {};
  },

  async resumeProducer(session, data) {
    const { room, peer } = session.joined();
    setSelfPaused(room, peer, data.producerId, false);
    return {};
  },

  async closeProducer(session, data) {
    const { peer } = session.joined();
    const entry = peer.producers.get(data.producerId);
    if (!entry) throw new ProtocolError(ErrorCode.NotFound, { producerId: data.producerId });
    entry.producer.close();
    return {};
  },

  async setTileSize(session, data) {
    const { room, peer } = session.joined();
    const entry = peer.consumers.get(data.consumerId);
    if (!entry) throw new ProtocolError(ErrorCode.NotFound, { consumerId: data.consumerId });
    entry.hidden = data.width === 0 || data.height === 0;
    if (entry.hidden) {
      await entry.consumer.pause();
      return { spatialLayer: null };
    }
    entry.tileLayer = layerForTile(data.width, data.height);
    if (entry.consumer.paused) await entry.consumer.resume();
    room.applyLayers();
    return { spatialLayer: entry.consumer.type === 'simulcast' ? entry.tileLayer : null };
  },

  async restartIce(session, data) {
    const { room, peer } = session.joined();
    const iceParameters = await room.transportOf(peer, data.transportId).restartIce();
    return { iceParameters: { ...iceParameters } };
  },

  async leave(session) {
    session.leave();
    return {};
  },
};
