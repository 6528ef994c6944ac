/**
 * The media of one intercom call: the relay's sockets (bound before the SDP is written),
 * the SFU ingest producer of the intercom's voice (G.711, as negotiated: Chromium consumes
 * PCMA/PCMU directly), and the console's voice through the SFU listen leg and the
 * transcoder. The console leg is retried every 2 s until the console's microphone exists
 * in the call's room. `close()` releases everything it made, in reverse.
 */
import { randomInt } from 'node:crypto';
import type { IngestListener } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { RtpPortPool } from '../streams/port-pool.js';
import type { SfuIngestClient } from '../streams/sfu-client.js';
import type { RemoteAudio } from './g711-sdp.js';
import { RtpRelay, type RelayStats } from './rtp-relay.js';
import type { SfuListenerClient } from './sfu-listener.js';
import { Transcoder } from './transcoder.js';

export interface CallMediaDeps {
  pool: RtpPortPool;
  /** Our address in SDP and for the SFU listen leg. */
  mediaHost: string;
  sources: SfuIngestClient;
  listeners: SfuListenerClient;
  logger: Logger;
  gstLaunch?: string;
}

export interface CallMediaTarget {
  deviceId: string;
  name: string;
  room: string;
  consoleProducerId?: string;
}

const CONSOLE_RETRY_MS = 2000;
/** How often the console leg checks that the console's microphone still exists. */
const CONSOLE_CHECK_MS = 3000;

export class CallMedia {
  private sourceId?: string;
  private listener?: IngestListener;
  private transcoder?: Transcoder;
  private retryTimer?: NodeJS.Timeout;
  private checkTimer?: NodeJS.Timeout;
  private closed = false;
  private closing?: Promise<void>;
  producerId?: string;

  private constructor(
    private readonly deps: CallMediaDeps,
    readonly relay: RtpRelay,
  ) {}

  static async open(deps: CallMediaDeps): Promise<CallMedia> {
    return new CallMedia(deps, await RtpRelay.open(deps.pool));
  }

  get host(): string {
    return this.deps.mediaHost;
  }

  get port(): number {
    return this.relay.intercomPort;
  }

  get stats(): RelayStats & { transcoderPid?: number; transcoderRestarts: number; consoleLeg: boolean } {
    return {
      ...this.relay.stats,
      transcoderPid: this.transcoder?.pid,
      transcoderRestarts: this.transcoder?.restarts ?? 0,
      consoleLeg: this.listener !== undefined,
    };
  }

  /** The intercom's address is known (its SDP): put its voice into the SFU and start the console leg. */
  async connect(remote: RemoteAudio, target: CallMediaTarget): Promise<string> {
    this.relay.setIntercom({ host: remote.host, port: remote.port });
    const ssrc = randomInt(1, 2 ** 31 - 1);
    const source = await this.deps.sources.createSource({
      name: target.name,
      deviceId: target.deviceId,
      room: target.room,
      audio: { codec: remote.codec, ssrc },
      rtcpMux: true,
    });
    this.sourceId = source.sourceId;
    if (this.closed) {
      await this.deps.sources.deleteSource(source.sourceId);
      throw new Error('call ended while its media was being set up');
    }
    const track = source.tracks.find((t) => t.kind === 'audio')!;
    this.relay.setSfu({ host: track.ip, port: track.port, ssrc: track.ssrc, payloadType: track.payloadType });
    this.producerId = track.producerId;
    void this.attachConsole(remote, target, true);
    this.checkTimer = setInterval(() => void this.checkConsole(remote, target), CONSOLE_CHECK_MS);
    return track.producerId;
  }

  private async attachConsole(remote: RemoteAudio, target: CallMediaTarget, first: boolean): Promise<void> {
    if (this.closed) return;
    const { logger, listeners } = this.deps;
    try {
      const listener = await listeners.listen({
        room: target.room,
        ...(target.consoleProducerId ? { producerId: target.consoleProducerId } : {}),
        ip: this.deps.mediaHost,
        port: this.relay.consolePort,
        codec: 'opus',
      });
      if (this.closed) return void (await listeners.unlisten(listener.listenerId));
      this.listener = listener;
      this.transcoder = new Transcoder({
        opusPayloadType: listener.payloadType,
        codec: remote.codec,
        outputPort: this.relay.transcodedPort,
        logger,
        gstLaunch: this.deps.gstLaunch,
      });
      const inputPort = await this.transcoder.start();
      this.relay.setTranscoder({ host: '127.0.0.1', port: inputPort });
      logger.info({ producerId: listener.producerId, codec: remote.codec, pid: this.transcoder.pid }, 'console voice goes to the intercom');
    } catch (error) {
      if (first) logger.warn({ err: error, room: target.room }, 'no console voice yet; retrying');
      this.retryTimer = setTimeout(() => void this.attachConsole(remote, target, false), CONSOLE_RETRY_MS);
    }
  }

  /**
   * The console's microphone closed (reload, re-publish): the SFU dropped the listen leg, so
   * drop the transcoder too and take the room's newest microphone once there is one.
   */
  private async checkConsole(remote: RemoteAudio, target: CallMediaTarget): Promise<void> {
    const listener = this.listener;
    if (this.closed || !listener) return;
    const producers = await this.deps.listeners.producersIn(target.room);
    if (!producers || producers.includes(listener.producerId) || this.listener !== listener || this.closed) return;
    this.deps.logger.info({ producerId: listener.producerId, room: target.room }, 'console microphone gone; waiting for a new one');
    this.listener = undefined;
    this.relay.setTranscoder(undefined);
    const transcoder = this.transcoder;
    this.transcoder = undefined;
    await transcoder?.close();
    await this.deps.listeners.unlisten(listener.listenerId);
    const { consoleProducerId: _gone, ...anyMicrophone } = target;
    void this.attachConsole(remote, anyMicrophone, true);
  }

  /** Releases everything (idempotent: every caller waits for the same teardown). */
  close(): Promise<void> {
    this.closing ??= this.teardown();
    return this.closing;
  }

  private async teardown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.checkTimer);
    this.relay.setTranscoder(undefined);
    await this.transcoder?.close();
    if (this.listener) await this.deps.listeners.unlisten(this.listener.listenerId);
    if (this.sourceId) await this.deps.sources.deleteSource(this.sourceId);
    this.relay.close();
  }
}
