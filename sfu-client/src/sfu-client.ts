/**
 * Browser client of the SFU (console, wall, court endpoints): join with a hub-issued token,
 * publish camera/microphone/screen, subscribe with a tile size, follow moderation and roll
 * calls. Rejoins by itself when the SFU rebuilds the room (worker death) or the socket drops,
 * and restarts ICE after a network change, reporting `reconnecting` meanwhile.
 */
import { Device, type types } from 'mediasoup-client';
import { SFU_CLOSE_REJOIN, SFU_CLOSE_REMOVED, type RoomState, type SfuNotification, type SfuResponseData } from '@cc/protocol';
import { Emitter, SfuClientEvent, type ConnectionState, type Participant, type RemoteTrack } from './events.js';
import { Moderation } from './moderation.js';
import { SfuRequestError, SignallingChannel } from './signalling-channel.js';

export interface SfuClientOptions {
  /** `ws://host:8701/ws` */
  url: string;
  /** Join token from the hub. */
  token: string;
  /** Subscribe to every remote track as it appears (default true). */
  autoSubscribe?: boolean;
  /** Send the camera as simulcast layers (default true). */
  simulcast?: boolean;
  /** Asked for a fresh join token before each rejoin (hub tokens are short-lived). */
  refreshToken?: () => Promise<string>;
}

type Source = RemoteTrack['source'];
type ProducerInfo = SfuResponseData<'join'>['producers'][number];

/**
 * Simulcast layers by camera height, as Chromium will actually send them (it drops layers of
 * small captures): 720p → 180/360/720, 360p → 180/360, smaller → one stream.
 */
function simulcastEncodings(track: MediaStreamTrack): RTCRtpEncodingParameters[] | undefined {
  const height = track.getSettings().height ?? 0;
  const layers: RTCRtpEncodingParameters[] = [
    { scaleResolutionDownBy: 4, maxBitrate: 200_000 },
    { scaleResolutionDownBy: 2, maxBitrate: 600_000 },
    { scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
  ];
  if (height >= 720) return layers;
  if (height >= 360) return layers.slice(1).map((l, i) => ({ ...l, scaleResolutionDownBy: 2 - i }));
  return undefined;
}
const REJOIN_DELAYS_MS = [0, 100, 250, 500, 1000, 2000];

export class SfuClient extends Emitter {
  state: ConnectionState = 'connecting';
  peerId = '';
  roomState: RoomState | undefined;
  readonly participants = new Map<string, Participant>();
  readonly moderation = new Moderation((type, data) => this.channel.request(type, data));
  private channel!: SignallingChannel;
  private device!: Device;
  private sendTransport: types.Transport | undefined;
  private recvTransport: types.Transport | undefined;
  private readonly published = new Map<Source, { track: MediaStreamTrack; producer: types.Producer | undefined }>();
  private readonly available = new Map<string, ProducerInfo>();
  private readonly remote = new Map<string, { consumer: types.Consumer; info: RemoteTrack }>();
  private readonly tiles = new Map<string, { width: number; height: number }>();
  private closing = false;
  private token: string;

  private constructor(private readonly options: SfuClientOptions) {
    super();
    this.token = options.token;
  }

  static async join(options: SfuClientOptions): Promise<SfuClient> {
    const client = new SfuClient(options);
    try {
      await client.connect();
    } catch (error) {
      client.closing = true;
      client.channel?.close();
      throw error;
    }
    return client;
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit(SfuClientEvent.State, state);
  }

  private async connect(): Promise<void> {
    this.channel = await SignallingChannel.open(
      this.options.url,
      (message) => this.onNotification(message),
      (code) => this.onClosed(code),
    );
    const joined = await this.channel.request('join', { token: this.token });
    this.peerId = joined.peerId;
    this.roomState = joined.roomState;
    this.participants.clear();
    for (const p of joined.peers) this.participants.set(p.peerId, p);
    this.available.clear();
    for (const p of joined.producers) this.available.set(p.producerId, p);
    this.device = new Device();
    await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as types.RtpCapabilities });
    await this.channel.request('setCapabilities', { rtpCapabilities: { ...this.device.recvRtpCapabilities } });
    this.recvTransport = await this.createTransport('recv');
    this.sendTransport = await this.createTransport('send');
    for (const [source, entry] of this.published) {
      // A self-muted microphone stays muted across a rejoin (so does a forced mute: the server keeps it).
      const muted = entry.producer?.paused === true || (source === 'microphone' && joined.roomState.forcedMuted.includes(joined.peerId));
      entry.producer = await this.produce(entry.track, source);
      if (muted) {
        entry.producer.pause();
        await this.channel.request('pauseProducer', { producerId: entry.producer.id });
      }
    }
    this.setState('connected');
    this.emit(SfuClientEvent.RoomState, joined.roomState);
    if (this.options.autoSubscribe !== false) await this.subscribeAll();
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const info = await this.channel.request('createTransport', { direction });
    const options = {
      id: info.transportId,
      iceParameters: info.iceParameters as unknown as types.IceParameters,
      iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as unknown as types.DtlsParameters,
    };
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      this.channel
        .request('connectTransport', { transportId: transport.id, dtlsParameters: { ...dtlsParameters } })
        .then(() => done(), fail);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      const source = (appData as { source: Source }).source;
      this.channel
        .request('produce', { transportId: transport.id, kind, rtpParameters: { ...rtpParameters }, source })
        .then(({ producerId }) => done({ id: producerId }), fail);
    });
    transport.on('connectionstatechange', (state) => void this.onTransportState(transport, state));
    return transport;
  }

  /** No transport is disconnected or failed (an unused send transport stays 'new'). */
  private transportsHealthy(): boolean {
    return [this.sendTransport, this.recvTransport].every(
      (t) => !t || (t.connectionState !== 'disconnected' && t.connectionState !== 'failed'),
    );
  }

  /** A network change: ask for new ICE parameters and restart ICE on that transport. */
  private async onTransportState(transport: types.Transport, state: RTCPeerConnectionState): Promise<void> {
    if (this.closing) return;
    if (state === 'connected' && this.state === 'reconnecting' && this.transportsHealthy()) this.setState('connected');
    if ((state !== 'disconnected' && state !== 'failed') || transport.closed) return;
    this.setState('reconnecting');
    try {
      const { iceParameters } = await this.channel.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as unknown as types.IceParameters });
      // A restart on a path that still works never passes through 'disconnected' again.
      if (this.transportsHealthy()) this.setState('connected');
    } catch {
      // The socket is gone too: the rejoin loop takes over.
    }
  }

  private onClosed(code: number): void {
    this.dropMedia();
    if (this.closing) return;
    if (code === SFU_CLOSE_REMOVED) {
      this.setState('closed');
      return;
    }
    void this.rejoin(code === SFU_CLOSE_REJOIN ? 'worker restarted' : 'connection lost');
  }

  private dropMedia(): void {
    for (const { consumer, info } of this.remote.values()) {
      consumer.close();
      this.emit(SfuClientEvent.TrackRemoved, info);
    }
    this.remote.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = undefined;
    this.recvTransport = undefined;
  }

  private async rejoin(reason: string): Promise<void> {
    const started = performance.now();
    this.setState('reconnecting');
    for (let attempt = 0; !this.closing; attempt++) {
      await new Promise((r) => setTimeout(r, REJOIN_DELAYS_MS[Math.min(attempt, REJOIN_DELAYS_MS.length - 1)]));
      try {
        if (this.options.refreshToken) this.token = await this.options.refreshToken();
        await this.connect();
        this.emit(SfuClientEvent.Rejoined, Math.round(performance.now() - started));
        return;
      } catch (error) {
        if (error instanceof SfuRequestError && ['invalid_token', 'token_expired', 'forbidden'].includes(error.code)) {
          this.setState('closed');
          return;
        }
        this.channel?.close();
        this.dropMedia();
        console.warn(`rejoin after ${reason} failed (attempt ${attempt + 1})`, error);
      }
    }
  }

  private onNotification(message: SfuNotification): void {
    switch (message.event) {
      case 'peerJoined':
        this.participants.set(message.data.peerId, message.data);
        return this.emit(SfuClientEvent.ParticipantJoined, message.data);
      case 'peerLeft':
        this.participants.delete(message.data.peerId);
        return this.emit(SfuClientEvent.ParticipantLeft, message.data.peerId);
      case 'newProducer':
        this.available.set(message.data.producerId, message.data);
        if (this.options.autoSubscribe !== false) void this.subscribe(message.data.producerId).catch(() => undefined);
        return;
      case 'producerClosed':
        this.available.delete(message.data.producerId);
        return this.removeRemote((r) => r.info.producerId === message.data.producerId);
      case 'consumerClosed':
        return this.removeRemote((r) => r.info.consumerId === message.data.consumerId);
      case 'activeSpeaker':
        return this.emit(SfuClientEvent.Speakers, message.data.peerId, message.data.lastN);
      case 'roomState':
        this.roomState = message.data;
        return this.emit(SfuClientEvent.RoomState, message.data);
      case 'layoutChanged':
        return this.emit(SfuClientEvent.Layout, message.data.layout, message.data.focusPeerId);
      case 'mutedByLeader':
        void this.muteLocally();
        return this.emit(SfuClientEvent.MutedByLeader, message.data.forced);
      case 'removed':
        return this.emit(SfuClientEvent.Removed, message.data.reason);
      case 'rollCallPrompt':
        return this.emit(SfuClientEvent.RollCallPrompt, message.data);
      case 'rollCallUpdate':
        return this.emit(SfuClientEvent.RollCallUpdate, message.data.done, message.data.rollCall);
      case 'rejoin':
        return;
    }
  }

  private removeRemote(match: (r: { consumer: types.Consumer; info: RemoteTrack }) => boolean): void {
    for (const [id, entry] of this.remote) {
      if (!match(entry)) continue;
      entry.consumer.close();
      this.remote.delete(id);
      this.emit(SfuClientEvent.TrackRemoved, entry.info);
    }
  }

  private async produce(track: MediaStreamTrack, source: Source): Promise<types.Producer> {
    if (!this.sendTransport) throw new Error('not connected');
    const encodings = source === 'camera' && this.options.simulcast !== false ? simulcastEncodings(track) : undefined;
    return this.sendTransport.produce({ track, appData: { source }, stopTracks: false, ...(encodings ? { encodings } : {}) });
  }

  /** Publishes a track (kept across rejoins); returns the producer id. */
  async publish(track: MediaStreamTrack, source: Source): Promise<string> {
    const producer = await this.produce(track, source);
    this.published.set(source, { track, producer });
    return producer.id;
  }

  /** Fake or real camera + microphone through getUserMedia. */
  async publishCamera(constraints: MediaTrackConstraints = { width: 640, height: 360 }, audio = true): Promise<string[]> {
    const stream = await navigator.mediaDevices.getUserMedia({ video: constraints, audio });
    const ids: string[] = [];
    for (const track of stream.getTracks()) ids.push(await this.publish(track, track.kind === 'video' ? 'camera' : 'microphone'));
    return ids;
  }

  /** Screen or document share (屏幕/文档共享). */
  async publishScreen(): Promise<string> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true });
    const [track] = stream.getVideoTracks();
    if (!track) throw new Error('no screen track');
    return this.publish(track, 'screen');
  }

  async unpublish(source: Source): Promise<void> {
    const entry = this.published.get(source);
    if (!entry) return;
    this.published.delete(source);
    if (entry.producer) {
      await this.channel.request('closeProducer', { producerId: entry.producer.id }).catch(() => undefined);
      entry.producer.close();
    }
    entry.track.stop();
  }

  /** Self-mute; unmuting fails with code `muted_by_leader` while the leader's forced mute holds. */
  async setMicrophoneMuted(muted: boolean): Promise<void> {
    const producer = this.published.get('microphone')?.producer;
    if (!producer) return;
    await this.channel.request(muted ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
    if (muted) producer.pause();
    else producer.resume();
  }

  private async muteLocally(): Promise<void> {
    this.published.get('microphone')?.producer?.pause();
  }

  raiseHand(raised = true): Promise<unknown> {
    return this.channel.request('raiseHand', { raised });
  }

  async answerRollCall(rollCallId: string): Promise<'answered' | 'late'> {
    return (await this.channel.request('answerRollCall', { rollCallId })).status;
  }

  async subscribeAll(): Promise<void> {
    for (const producerId of [...this.available.keys()]) await this.subscribe(producerId).catch(() => undefined);
  }

  /** Receives one remote producer; its tile size (if set) picks the simulcast layer. */
  async subscribe(producerId: string): Promise<RemoteTrack> {
    const existing = [...this.remote.values()].find((r) => r.info.producerId === producerId);
    if (existing) return existing.info;
    const about = this.available.get(producerId);
    const transport = this.recvTransport;
    if (!about || !transport) throw new Error(`unknown producer ${producerId}`);
    const info = await this.channel.request('consume', { transportId: transport.id, producerId });
    const consumer = await transport.consume({
      id: info.consumerId,
      producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as unknown as types.RtpParameters,
    });
    const remote: RemoteTrack = {
      consumerId: consumer.id,
      producerId,
      peerId: about.peerId,
      kind: info.kind,
      source: about.source,
      track: consumer.track,
    };
    this.remote.set(consumer.id, { consumer, info: remote });
    const tile = this.tiles.get(producerId);
    if (tile) await this.channel.request('setTileSize', { consumerId: consumer.id, ...tile });
    await this.channel.request('resumeConsumer', { consumerId: consumer.id });
    this.emit(SfuClientEvent.TrackAdded, remote);
    return remote;
  }

  /** The size of the tile showing a remote video (0×0 hides it and stops its stream). */
  async setTileSize(producerId: string, width: number, height: number): Promise<void> {
    this.tiles.set(producerId, { width, height });
    const entry = [...this.remote.values()].find((r) => r.info.producerId === producerId);
    if (entry) await this.channel.request('setTileSize', { consumerId: entry.info.consumerId, width, height });
  }

  remoteTracks(): RemoteTrack[] {
    return [...this.remote.values()].map((r) => r.info);
  }

  /** Per remote track: frames decoded (video) and packets received. */
  async receiveStats(): Promise<{ peerId: string; kind: string; framesDecoded: number; packetsReceived: number }[]> {
    const out = [];
    for (const { consumer, info } of this.remote.values()) {
      let framesDecoded = 0;
      let packetsReceived = 0;
      (await consumer.getStats()).forEach((s: { type: string; framesDecoded?: number; packetsReceived?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        framesDecoded += s.framesDecoded ?? 0;
        packetsReceived += s.packetsReceived ?? 0;
      });
      out.push({ peerId: info.peerId, kind: info.kind, framesDecoded, packetsReceived });
    }
    return out;
  }

  /** Leaves the room and stops every published track. */
  close(): void {
    this.closing = true;
    this.dropMedia();
    for (const { track } of this.published.values()) track.stop();
    this.published.clear();
    this.channel.close();
    this.setState('closed');
  }
}
