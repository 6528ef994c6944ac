/**
 * Records one producer: a PlainTransport consumer sends its RTP to an ffmpeg that reads an
 * SDP and copies the stream (no re-encoding) into a file: VP8/H.264 → .mkv, Opus → .mka, G.711 → .wav.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { types } from 'mediasoup';

const CONTAINER: Record<string, { ext: string; codec: string }> = {
  'video/vp8': { ext: 'mkv', codec: 'vp8' },
  'video/h264': { ext: 'mkv', codec: 'h264' },
  'audio/opus': { ext: 'mka', codec: 'opus' },
  'audio/pcma': { ext: 'wav', codec: 'pcm_alaw' },
  'audio/pcmu': { ext: 'wav', codec: 'pcm_mulaw' },
};

function closeQuietly(socket: ReturnType<typeof createSocket>, done: () => void): void {
  try {
    socket.close(done);
  } catch {
    done();
  }
}

/** Whether something listens on a loopback UDP port (Linux /proc), i.e. ffmpeg is ready for packets. */
function udpBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  try {
    return readFileSync('/proc/net/udp', 'utf8').includes(hex);
  } catch {
    return true;
  }
}

/** Two consecutive free UDP ports (RTP, RTCP) on loopback, the first even. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20000 + 2 * Math.floor(Math.random() * 4000);
    const sockets = [createSocket('udp4'), createSocket('udp4')];
    const bound = await Promise.all(
      sockets.map(
        (socket, i) =>
          new Promise<boolean>((resolve) => {
            socket.once('error', () => resolve(false));
            socket.bind(first + i, '127.0.0.1', () => resolve(true));
          }),
      ),
    );
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => closeQuietly(socket, resolve))));
    if (bound.every(Boolean)) return first;
  }
  throw new Error('no free UDP port pair for the recorder');
}

function sdp(kind: 'audio' | 'video', port: number, codec: types.RtpCodecParameters): string {
  const name = codec.mimeType.split('/')[1]!;
  const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
  const fmtp = Object.entries(codec.parameters ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=cc-recorder',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...(fmtp.length ? [`a=fmtp:${codec.payloadType} ${fmtp.join(';')}`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}

/** Rewrites a file ffmpeg could not finish (no trailer) into a complete one; keeps the original if that fails. */
async function repair(file: string): Promise<void> {
  const fixed = file.replace(/(\.\w+)$/, '.repaired$1');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, '-map', '0', '-c', 'copy', '-y', fixed], {
      stdio: 'ignore',
    });
    child.once('error', () => resolve(null));
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code === 0) renameSync(fixed, file);
  else rmSync(fixed, { force: true });
}

export interface TrackFile {
  file: string;
  kind: 'audio' | 'video';
  codec: string;
  startedAt: Date;
  endedAt: Date | undefined;
}

export class TrackRecorder {
  private keyFrameTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<TrackFile> | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly track: TrackFile,
    private readonly transport: types.PlainTransport,
    private readonly consumer: types.Consumer,
    private readonly ffmpeg: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => ffmpeg.once('exit', () => resolve()));
  }

  static supports(producer: types.Producer): boolean {
    return (producer.rtpParameters.codecs[0]?.mimeType.toLowerCase() ?? '') in CONTAINER;
  }

  /** `basePath` without extension; the container's extension is added. */
  static async start(router: types.Router, producer: types.Producer, basePath: string): Promise<TrackRecorder> {
    const format = CONTAINER[producer.rtpParameters.codecs[0]!.mimeType.toLowerCase()]!;
    const port = await freePortPair();
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    });
    await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
    const codec = consumer.rtpParameters.codecs[0]!;
    const file = `${basePath}.${format.ext}`;
    writeFileSync(`${basePath}.sdp`, sdp(consumer.kind, port, codec));
    // ffmpeg's own messages go next to the file, for whoever investigates a broken recording.
    const log = openSync(`${basePath}.log`, 'w');
    const ffmpeg = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'warning', '-nostdin', '-protocol_whitelist', 'file,udp,rtp'],
        ...[
          '-reorder_queue_size',
          '0',
          '-analyzeduration',
          '1000000',
          '-fflags',
          '+genpts',
          '-i',
          `${basePath}.sdp`,
          '-map',
          '0',
          '-c',
          'copy',
          // Every packet reaches the disk at once (and Matroska closes a cluster every second), so a
          // recorder stopped without its trailer (its worker died: no packets to wake it) loses little.
          '-flush_packets',
          '1',
          ...(format.ext === 'wav' ? [] : ['-cluster_time_limit', '1000']),
          '-y',
          file,
        ],
      ],
      { stdio: ['ignore', 'ignore', log] },
    );
    closeSync(log);
    const recorder = new TrackRecorder(
      { file, kind: consumer.kind, codec: format.codec, startedAt: new Date(), endedAt: undefined },
      transport,
      consumer,
      ffmpeg,
    );
    // Start the stream once ffmpeg listens, then ask for keyframes until the file has a header.
    for (let waited = 0; waited < 5000 && !udpBound(port) && ffmpeg.exitCode === null; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await consumer.resume();
    recorder.askForKeyFrames(file, 0);
    return recorder;
  }

  private askForKeyFrames(file: string, tries: number): void {
    if (this.consumer.closed || tries >= 20 || (statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 0) return;
    if (this.consumer.kind === 'video') void this.consumer.requestKeyFrame().catch(() => undefined);
    this.keyFrameTimer = setTimeout(() => this.askForKeyFrames(file, tries + 1), 1000);
  }

  get producerId(): string {
    return this.consumer.producerId;
  }

  /**
   * Lets ffmpeg finish the file: SIGINT while packets still flow (ffmpeg checks for it between
   * packets), a second SIGINT to break a blocked read, SIGKILL as the last resort.
   */
  stop(): Promise<TrackFile> {
    // Several parties stop a track at once (its producer closed, the worker died, the leader stopped):
    // one SIGINT sequence only, or ffmpeg counts the signals and exits without its trailer.
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<TrackFile> {
    clearTimeout(this.keyFrameTimer);
    if (!this.track.endedAt) this.track.endedAt = new Date();
    if (this.ffmpeg.exitCode === null && this.ffmpeg.signalCode === null) {
      this.ffmpeg.kill('SIGINT');
      let forced = false;
      const again = setTimeout(() => {
        forced = true;
        this.ffmpeg.kill('SIGINT');
      }, 1000);
      const killer = setTimeout(() => this.ffmpeg.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(again);
      clearTimeout(killer);
      // No packets arrived to let ffmpeg see the first SIGINT (the producer's worker died): the file
      // has its data but no trailer (no duration, no index). A copy-remux writes a complete file.
      if (forced) await repair(this.track.file);
    }
    this.transport.close();
    return this.track;
  }
}
