/**
 * Live (and playback) video of device channels into the SFU. Viewers of one channel
 * share one stream; when the last viewer left, the stream stops after a grace period
 * (BYE to the device, ingest source closed). States go to the hub as `stream.state`.
 */
import { randomInt } from 'node:crypto';
import { ErrorCode, ProtocolError, type BridgeCommandBody, type BridgeCommandResponse } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { InviteClient, Dialog } from '../gb28181/invite.js';
import type { RtspCamera } from '../rtsp/rtsp-camera.js';
import { makeSsrc } from '../gb28181/sdp.js';
import { makeEvent, type EventSink } from '../hub/events.js';
import { DeviceStream } from './device-stream.js';
import type { RtpPortPool } from './port-pool.js';
import type { SfuIngestClient } from './sfu-client.js';

type StreamInfo = BridgeCommandResponse<'startStream'>;

interface Stream {
  streamId: string;
  deviceId: string;
  channelId: string;
  viewers: Set<string>;
  state: StreamInfo['state'];
  ready: Promise<void>;
  dialog?: Dialog;
  media?: DeviceStream;
  sourceId?: string;
  room?: string;
  videoProducerId?: string;
  idleTimer?: NodeJS.Timeout;
}

export interface StreamManagerOptions {
  invites: InviteClient;
  ports: RtpPortPool;
  sfu: SfuIngestClient;
  sink: EventSink;
  logger: Logger;
  mediaHost: string;
  sipDomain: string;
  /** How long a stream nobody watches stays up, ms. */
  idleMs: number;
  /** Always-on RTSP cameras by device id: their stream is their ingest source. */
  rtspCameras?: Map<string, RtspCamera>;
}

export class StreamManager {
  private readonly streams = new Map<string, Stream>();
  private counter = randomInt(0, 10_000);

  constructor(private readonly options: StreamManagerOptions) {}

  private info(s: Stream): StreamInfo {
    return { streamId: s.streamId, state: s.state, room: s.room, videoProducerId: s.videoProducerId, viewers: s.viewers.size };
  }

  private setState(s: Stream, state: StreamInfo['state'], reason?: string): void {
    s.state = state;
    this.options.sink.publish(
      makeEvent('stream.state', {
        streamId: s.streamId,
        deviceId: s.deviceId,
        channelId: s.channelId,
        state,
        producerId: s.videoProducerId,
        reason,
      }),
    );
  }

  async start(body: BridgeCommandBody<'startStream'>): Promise<StreamInfo> {
    const camera = this.options.rtspCameras?.get(body.deviceId);
    if (camera) {
      const state = camera.state === 'streaming' ? 'live' : camera.state === 'connecting' ? 'starting' : camera.state;
      return { streamId: body.deviceId, state, room: camera.room, videoProducerId: camera.videoProducerId, viewers: 0 };
    }
    const range = body.mode === 'playback' ? playbackRange(body.startTime, body.endTime) : undefined;
    // Viewers share a live stream; a playback is shared only by viewers of the same range.
    const streamId = range
      ? `${body.deviceId}:${body.channelId}:playback:${range.start}-${range.end}`
      : `${body.deviceId}:${body.channelId}`;
    let stream = this.streams.get(streamId);
    if (!stream) {
      stream = {
        streamId,
        deviceId: body.deviceId,
        channelId: body.channelId,
        viewers: new Set(),
        state: 'starting',
        ready: Promise.resolve(),
      };
      this.streams.set(streamId, stream);
      const created = stream;
      created.ready = this.open(created, body.transport, range).catch(async (error: unknown) => {
        await this.stop(created, error instanceof Error ? error.message : String(error), 'failed');
        throw error;
      });
      this.setState(created, 'starting');
    }
    stream.viewers.add(body.viewerId);
    if (stream.idleTimer) clearTimeout(stream.idleTimer);
    stream.idleTimer = undefined;
    await stream.ready;
    return this.info(stream);
  }

  private async open(
    s: Stream,
    transport: BridgeCommandBody<'startStream'>['transport'],
    range?: { start: number; end: number },
  ): Promise<void> {
    if (transport !== 'udp')
      throw new ProtocolError(ErrorCode.Unavailable, undefined, { message: 'TCP media is not available on this bridge yet' });
    const { socket, port } = await this.options.ports.bind();
    const ssrcText = makeSsrc(this.options.sipDomain, range === undefined, this.counter++);
    const sfuSsrc = randomInt(1, 0xffffffff);
    const source = await this.options.sfu
      .createSource({ name: s.channelId, deviceId: s.channelId, video: { codec: 'H264', payloadType: 102, ssrc: sfuSsrc } })
      .catch((error: unknown) => {
        socket.close();
        throw error;
      });
    s.sourceId = source.sourceId;
    s.room = source.room;
    const track = source.tracks.find((t) => t.kind === 'video')!;
    s.videoProducerId = track.producerId;
    s.media = new DeviceStream(
      socket,
      port,
      { ip: track.ip, port: track.port, ssrc: sfuSsrc, payloadType: track.payloadType },
      this.options.logger.child({ streamId: s.streamId }),
      () => this.setState(s, 'live'),
    );
    s.media.expectSsrc(Number(ssrcText));
    s.dialog = await this.options.invites.invite(s.deviceId, {
      host: this.options.mediaHost,
      port,
      ssrc: ssrcText,
      mode: range ? 'playback' : 'live',
      transport: 'udp',
      channelId: s.channelId,
      start: range?.start,
      end: range?.end,
    });
    if (s.dialog.answer.ssrc !== undefined && s.dialog.answer.ssrc !== Number(ssrcText)) s.media.expectSsrc(s.dialog.answer.ssrc);
    s.dialog.onBye = () => void this.stop(s, 'device ended the session', 'stopped');
  }

  leave(streamId: string, viewerId: string): StreamInfo {
    const s = this.streams.get(streamId);
    if (!s) throw new ProtocolError(ErrorCode.NotFound, { streamId });
    s.viewers.delete(viewerId);
    if (s.viewers.size === 0 && !s.idleTimer)
      s.idleTimer = setTimeout(() => void this.stop(s, 'no viewers', 'stopped'), this.options.idleMs);
    return this.info(s);
  }

  private async stop(s: Stream, reason: string, state: 'stopped' | 'failed'): Promise<void> {
    if (this.streams.get(s.streamId) !== s) return;
    this.streams.delete(s.streamId);
    if (s.idleTimer) clearTimeout(s.idleTimer);
    if (s.dialog) this.options.invites.bye(s.dialog);
    await s.media?.close();
    if (s.sourceId) await this.options.sfu.deleteSource(s.sourceId);
    this.options.logger.info({ streamId: s.streamId, reason }, 'stream stopped');
    this.setState(s, state, reason);
  }

  stats(): Record<string, unknown> {
    return Object.fromEntries(
      [...this.streams.values()].map((s) => [s.streamId, { state: s.state, viewers: s.viewers.size, ...s.media?.stats }]),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => this.stop(s, 'bridge shutdown', 'stopped')));
  }
}

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** A playback range (local times, as GB/T 28181 writes them) as Unix seconds for the SDP `t=` line. */
function playbackRange(startTime: string | undefined, endTime: string | undefined): { start: number; end: number } {
  if (!startTime || !endTime || !LOCAL_TIME.test(startTime) || !LOCAL_TIME.test(endTime)) {
    throw new ProtocolError(
      ErrorCode.ValidationFailed,
      { startTime, endTime },
      { message: 'playback needs startTime and endTime as yyyy-MM-ddTHH:mm:ss' },
    );
  }
  const start = Math.floor(new Date(startTime).getTime() / 1000);
  const end = Math.floor(new Date(endTime).getTime() / 1000);
  if (!(end > start))
    throw new ProtocolError(ErrorCode.ValidationFailed, { startTime, endTime }, { message: 'endTime must be after startTime' });
  return { start, end };
}
