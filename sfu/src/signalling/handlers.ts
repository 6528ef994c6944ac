/** One typed handler per signalling request (the map replaces a string switch). */
import type { types } from 'mediasoup';
import { ErrorCode, ProtocolError, type SfuRequestData, type SfuRequestType, type SfuResponseData } from '@cc/protocol';
import type { Session } from './session.js';

type Handler<T extends SfuRequestType> = (session: Session, data: SfuRequestData<T>) => Promise<SfuResponseData<T>>;
export type HandlerMap = { [T in SfuRequestType]: Handler<T> };

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

const notYet = async (): Promise<never> => {
  throw new ProtocolError(ErrorCode.Unavailable, { reason: 'not implemented yet' });
};
const pending = Object.fromEntries(
  [
    'pauseProducer',
    'resumeProducer',
    'closeProducer',
    'setTileSize',
    'restartIce',
    'raiseHand',
    'answerRollCall',
    'giveFloor',
    'takeFloor',
    'setModerated',
    'muteAll',
    'forceMute',
    'lockRoom',
    'removePeer',
    'setLayout',
    'startRollCall',
    'startRecording',
    'stopRecording',
  ].map((k) => [k, notYet]),
) as unknown as Omit<
  HandlerMap,
  'join' | 'setCapabilities' | 'createTransport' | 'connectTransport' | 'produce' | 'consume' | 'resumeConsumer' | 'leave'
>;

export const handlers: HandlerMap = {
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
    const producer = room.findProducer(data.producerId);
    if (!producer) throw new ProtocolError(ErrorCode.NotFound, { producerId: data.producerId });
    const caps = peer.rtpCapabilities;
    if (!caps) throw new ProtocolError(ErrorCode.OutOfOrder, { reason: 'setCapabilities first' });
    if (!room.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) {
      throw new ProtocolError(ErrorCode.ValidationFailed, { reason: 'cannot consume with these RTP capabilities' });
    }
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true });
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    return {
      consumerId: consumer.id,
      producerId: producer.id,
      kind: consumer.kind,
      rtpParameters: { ...consumer.rtpParameters },
    };
  },

  async resumeConsumer(session, data) {
    const { peer } = session.joined();
    const consumer = peer.consumers.get(data.consumerId);
    if (!consumer) throw new ProtocolError(ErrorCode.NotFound, { consumerId: data.consumerId });
    await consumer.resume();
    return {};
  },

  async leave(session) {
    session.leave();
    return {};
  },
  ...pending,
};
