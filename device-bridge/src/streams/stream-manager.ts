/**
 * Live (and playback/download) video of device channels into the SFU. Viewers of one
 * channel share one stream; when the last viewer left, the stream stops after a grace
 * period (BYE to the device, ingest source closed). States go to the hub as `stream.state`.
 * Media comes over UDP, TCP-passive or TCP-active (per request, else per device, else
 * UDP). There is no fallback from TCP to UDP: TCP is chosen where UDP does not get
 * through (NAT, firewalls), so a UDP retry would only hide the failure; a TCP stream
 * that cannot connect fails with its reason. Any stream whose device sends nothing for
 * `mediaTimeoutMs` (while not paused by playback control) fails and is hung up.
 */
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type { Server } from 'node:net';
import { ErrorCode, ProtocolError, type BridgeCommandBody, type BridgeCommandResponse } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { InviteClient, Dialog } from '../gb28181/invite.js';
import type { RtspCamera } from '../rtsp/rtsp-camera.js';
import { makeSsrc } from '../gb28181/sdp.js';
import { makeEvent, type EventSink } from '../hub/events.js';
import { mansrtspFor } from '../gb28181/mansrtsp.js';
import { DeviceStream } from './device-stream.js';
import { TcpActiveInput, TcpPassiveInput, UdpInput } from './media-input.js';
import { recordedRange, type RecordedRange } from './recorded-range.js';
import type { RtpPortPool } from './port-pool.js';
import type { SfuIngestClient } from './sfu-client.js';

type StreamInfo = BridgeCommandResponse<'startStream'>;
type StartStream = BridgeCommandBody<'startStream'>;
export type MediaTransport = NonNullable<StartStream['transport']>;

interface Stream {
  streamId: string;
  deviceId: string;
  channelId: string;
  viewers: Set<string>;
  mode: StartStream['mode'];
  state: StreamInfo['state'];
  ready: Promise<void>;
  dialog?: Dialog;
  media?: DeviceStream;
  sourceId?: string;
  room?: string;
  videoProducerId?: string;
  idleTimer?: NodeJS.Timeout;
  mediaTimer?: NodeJS.Timeout;
  /** Packets seen at the last watchdog look; -1: skip one look (just resumed). */
  lastPacketsIn: number;
  /** Paused by playback control: the device legitimately sends nothing. */
  paused: boolean;
  rtspCseq: number;
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
  /** A device's provisioned media transport (used when a start request names none). */
  transportOf?: (deviceId: string) => MediaTransport | undefined;
  /** A stream whose device sends no media this long (after the INVITE, or later) fails, ms. */
  mediaTimeoutMs?: number;
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

  async start(body: StartStream): Promise<StreamInfo> {
    const camera = this.options.rtspCameras?.get(body.deviceId);
    if (camera) {
      const state = camera.state === 'streaming' ? 'live' : camera.state === 'connecting' ? 'starting' : camera.state;
      return { streamId: body.deviceId, state, room: camera.room, videoProducerId: camera.videoProducerId, viewers: 0 };
    }
    const range = body.mode === 'live' ? undefined : recordedRange(body.startTime, body.endTime);
    // Viewers share a live stream; a playback is shared only by viewers of the same range.
    const streamId = range
      ? `${body.deviceId}:${body.channelId}:${body.mode}:${range.start}-${range.end}`
      : `${body.deviceId}:${body.channelId}`;
    let stream = this.streams.get(streamId);
    if (!stream) {
      stream = {
        streamId,
        deviceId: body.deviceId,
        channelId: body.channelId,
        viewers: new Set(),
        mode: body.mode,
        state: 'starting',
        ready: Promise.resolve(),
        rtspCseq: 0,
        lastPacketsIn: 0,
        paused: false,
      };
      this.streams.set(streamId, stream);
      const created = stream;
      const transport = body.transport ?? this.options.transportOf?.(body.deviceId) ?? 'udp';
      created.ready = this.open(created, transport, range, body.downloadSpeed).catch(async (error: unknown) => {
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

  private async open(s: Stream, transport: MediaTransport, range?: RecordedRange, downloadSpeed?: number): Promise<void> {
    const log = this.options.logger.child({ streamId: s.streamId, transport });
    const bound: { socket: Socket; port: number; server?: Server } =
      transport === 'tcp_passive' ? await this.options.ports.bindWithTcp() : await this.options.ports.bind();
    const { socket, port, server } = bound;
    const ssrcText = makeSsrc(this.options.sipDomain, range === undefined, this.counter++);
    const sfuSsrc = randomInt(1, 0xffffffff);
    // Audio: the SDP answer says only PS/90000, and tracks cannot be added to a source later, so every
    // device stream declares a PCMA track; G.711 in the PS fills it (µ-law re-coded), else it stays silent.
    const audioSsrc = randomInt(1, 0xffffffff);
    const source = await this.options.sfu
      .createSource({
        name: s.channelId,
        deviceId: s.channelId,
        video: { codec: 'H264', payloadType: 102, ssrc: sfuSsrc },
        audio: { codec: 'PCMA', payloadType: 8, ssrc: audioSsrc },
      })
      .catch((error: unknown) => {
        socket.close();
        server?.close();
        throw error;
      });
    s.sourceId = source.sourceId;
    s.room = source.room;
    const track = source.tracks.find((t) => t.kind === 'video')!;
    s.videoProducerId = track.producerId;
    const audio = source.tracks.find((t) => t.kind === 'audio');
    s.media = new DeviceStream(
      socket,
      port,
      { ip: track.ip, port: track.port, ssrc: sfuSsrc, payloadType: track.payloadType },
      log,
      () => this.setState(s, 'live'),
      audio && { ip: audio.ip, port: audio.port, ssrc: audioSsrc, payloadType: audio.payloadType },
    );
    if (server) s.media.attach(new TcpPassiveInput(server, log));
    else if (transport === 'udp') s.media.attach(new UdpInput(socket));
    s.media.expectSsrc(Number(ssrcText));
    s.dialog = await this.options.invites.invite(s.deviceId, {
      host: this.options.mediaHost,
      port,
      ssrc: ssrcText,
      mode: s.mode,
      transport,
      channelId: s.channelId,
      start: range?.start,
      end: range?.end,
      downloadSpeed,
    });
    s.dialog.onBye = () => void this.stop(s, 'device ended the session', 'stopped');
    s.dialog.onMediaEnd = () => void this.stop(s, 'end of the recording', 'ended');
    const { answer } = s.dialog;
    if (answer.ssrc !== undefined && answer.ssrc !== Number(ssrcText)) s.media.expectSsrc(answer.ssrc);
    if (transport !== 'udp' && answer.transport !== 'tcp')
      throw new ProtocolError(ErrorCode.Unavailable, { transport }, { message: 'device answered a TCP media offer with UDP' });
    this.watch(s);
    if (transport === 'tcp_active') {
      if (!answer.port) throw new ProtocolError(ErrorCode.Unavailable, undefined, { message: 'device gave no TCP port to connect to' });
      const input = await TcpActiveInput.connect(answer.host ?? this.options.mediaHost, answer.port, log).catch((cause: unknown) => {
        throw new ProtocolError(
          ErrorCode.Unavailable,
          { port: answer.port },
          { message: 'could not connect to the device for TCP media', cause },
        );
      });
      input.onLost((reason) => void this.stop(s, reason, 'failed'));
      s.media.attach(input);
    }
  }

  /** Fails a stream whose device went quiet (no RTP for `mediaTimeoutMs`) unless it is paused. */
  private watch(s: Stream): void {
    const timeoutMs = this.options.mediaTimeoutMs ?? 15_000;
    s.mediaTimer = setInterval(() => {
      const packets = s.media?.stats.packetsIn ?? 0;
      const quiet = !s.paused && s.lastPacketsIn !== -1 && packets === s.lastPacketsIn;
      s.lastPacketsIn = packets;
      if (quiet) void this.stop(s, `no media from the device for ${timeoutMs / 1000} s`, 'failed');
    }, timeoutMs);
  }

  /** MANSRTSP playback control (SIP INFO) of a playback or download stream. */
  async control(streamId: string, control: BridgeCommandBody<'playbackControl'>): Promise<StreamInfo> {
    const s = this.streams.get(streamId);
    if (!s) throw new ProtocolError(ErrorCode.NotFound, { streamId });
    if (s.mode === 'live')
      throw new ProtocolError(ErrorCode.Conflict, { streamId }, { message: 'playback control needs a playback or download stream' });
    await s.ready;
    if (!s.dialog) throw new ProtocolError(ErrorCode.Unavailable, { streamId }, { message: 'stream has no media session' });
    s.rtspCseq += 1;
    const status = await this.options.invites.info(s.dialog, mansrtspFor(control, s.rtspCseq));
    if (status !== 200)
      throw new ProtocolError(ErrorCode.Unavailable, { streamId, status }, { message: `device refused the playback control (${status})` });
    if (control.action === 'pause') s.paused = true;
    else if (control.action !== 'speed' && s.paused) {
      s.paused = false;
      s.lastPacketsIn = -1;
    }
    return this.info(s);
  }

  leave(streamId: string, viewerId: string): StreamInfo {
    const s = this.streams.get(streamId);
    if (!s) throw new ProtocolError(ErrorCode.NotFound, { streamId });
    s.viewers.delete(viewerId);
    if (s.viewers.size === 0 && !s.idleTimer)
      s.idleTimer = setTimeout(() => void this.stop(s, 'no viewers', 'stopped'), this.options.idleMs);
    return this.info(s);
  }

  /** Every stream with its viewers (the hub reconciles its live views with this). */
  list(): BridgeCommandResponse<'listStreams'> {
    return {
      streams: [...this.streams.values()].map((s) => ({
        streamId: s.streamId,
        deviceId: s.deviceId,
        channelId: s.channelId,
        mode: s.mode,
        state: s.state,
        viewerIds: [...s.viewers],
      })),
    };
  }

  /** Leaves every viewer whose id starts with `prefix` and is not kept; streams left without viewers stop after the grace period. */
  dropViewers(body: BridgeCommandBody<'dropViewers'>): BridgeCommandResponse<'dropViewers'> {
    const keep = new Set(body.keep);
    const dropped: { streamId: string; viewerId: string }[] = [];
    for (const s of [...this.streams.values()])
      for (const viewerId of [...s.viewers])
        if (viewerId.startsWith(body.prefix) && !keep.has(viewerId)) {
          this.leave(s.streamId, viewerId);
          dropped.push({ streamId: s.streamId, viewerId });
        }
    if (dropped.length > 0) this.options.logger.info({ prefix: body.prefix, dropped: dropped.length }, 'viewers dropped');
    return { dropped };
  }

  private async stop(s: Stream, reason: string, state: 'stopped' | 'failed' | 'ended'): Promise<void> {
    if (this.streams.get(s.streamId) !== s) return;
    this.streams.delete(s.streamId);
    clearTimeout(s.idleTimer);
    clearInterval(s.mediaTimer);
    if (s.dialog) this.options.invites.bye(s.dialog);
    await s.media?.close();
    if (s.sourceId) await this.options.sfu.deleteSource(s.sourceId);
    this.options.logger.info({ streamId: s.streamId, reason }, 'stream stopped');
    this.setState(s, state, reason);
  }

  stats(): Record<string, unknown> {
    return Object.fromEntries(
      [...this.streams.values()].map((s) => [
        s.streamId,
        { state: s.state, viewers: s.viewers.size, ...s.media?.stats, ...s.media?.transportStats },
      ]),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => this.stop(s, 'bridge shutdown', 'stopped')));
  }
}
