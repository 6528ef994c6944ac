/**
 * An RTSP camera pulled by a supervised ffmpeg child: H.264 copied and G.711 A-law
 * (transcoded if needed) sent as RTP to an SFU ingest source. A dead or failing child is
 * restarted with backoff (1 s doubling to 30 s); states go to the hub as `rtsp.status`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { IngestSource } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import { makeEvent, type EventSink } from '../hub/events.js';
import type { SfuIngestClient } from '../streams/sfu-client.js';

/** ffmpeg's `-ssrc` is a signed 32-bit option: larger SSRCs make the RTP muxer fail. */
const ffmpegSsrc = (): number => randomInt(1, 0x7fffffff);

export interface RtspCameraConfig {
  deviceId: string;
  url: string;
  name?: string;
}

export class RtspCamera {
  private child: ChildProcess | undefined;
  private source: IngestSource | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private closed = false;
  private streamingSince = 0;
  restarts = 0;
  state: 'connecting' | 'streaming' | 'failed' | 'stopped' = 'connecting';

  constructor(
    readonly config: RtspCameraConfig,
    private readonly sfu: SfuIngestClient,
    private readonly sink: EventSink,
    private readonly logger: Logger,
    private readonly ffmpeg = 'ffmpeg',
  ) {}

  get room(): string | undefined {
    return this.source?.room;
  }

  get videoProducerId(): string | undefined {
    return this.source?.tracks.find((t) => t.kind === 'video')?.producerId;
  }

  private setState(state: RtspCamera['state'], error?: string): void {
    if (state === this.state && !error) return;
    this.state = state;
    this.sink.publish(
      makeEvent('rtsp.status', { deviceId: this.config.deviceId, state, restarts: this.restarts, error: error?.slice(0, 500) }),
    );
  }

  async start(): Promise<void> {
    if (this.closed) return;
    try {
      this.source ??= await this.sfu.createSource({
        name: this.config.name ?? this.config.deviceId,
        deviceId: this.config.deviceId,
        video: { codec: 'H264', payloadType: 102, ssrc: ffmpegSsrc() },
        audio: { codec: 'PCMA', ssrc: ffmpegSsrc() },
      });
    } catch (error) {
      this.fail(`SFU ingest: ${(error as Error).message}`);
      return;
    }
    this.spawnChild(this.source);
  }

  private spawnChild(source: IngestSource): void {
    const video = source.tracks.find((t) => t.kind === 'video')!;
    const audio = source.tracks.find((t) => t.kind === 'audio')!;
    const rtp = (t: typeof video): string => `rtp://${t.ip}:${t.port}?rtcpport=${t.rtcpPort}&pkt_size=1200`;
    const args = [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-nostats', '-progress', 'pipe:1'],
      ...['-rtsp_transport', 'tcp', '-timeout', '5000000', '-i', this.config.url],
      ...[
        '-map',
        '0:v:0',
        '-c:v',
        'copy',
        '-an',
        '-f',
        'rtp',
        '-payload_type',
        String(video.payloadType),
        '-ssrc',
        String(video.ssrc),
        rtp(video),
      ],
      ...[
        '-map',
        '0:a:0?',
        '-vn',
        '-c:a',
        'pcm_alaw',
        '-ar',
        '8000',
        '-ac',
        '1',
        '-f',
        'rtp',
        '-payload_type',
        '8',
        '-ssrc',
        String(audio.ssrc),
        rtp(audio),
      ],
    ];
    this.setState('connecting');
    const child = spawn(this.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-1000)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const frame = /frame=(\d+)/.exec(chunk.toString());
      if (frame && Number(frame[1]) > 0 && this.state !== 'streaming') {
        this.streamingSince = Date.now();
        this.setState('streaming');
      }
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.closed) return;
      this.fail(`ffmpeg exited (${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
    });
  }

  private fail(error: string): void {
    if (this.state === 'streaming' && Date.now() - this.streamingSince > 30_000) this.backoffMs = 0;
    this.backoffMs = Math.min(30_000, this.backoffMs === 0 ? 1000 : this.backoffMs * 2);
    this.logger.warn({ deviceId: this.config.deviceId, error, retryInMs: this.backoffMs }, 'RTSP pull failed, restarting');
    this.setState('failed', error);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.restarts += 1;
      void this.start();
    }, this.backoffMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (this.source) await this.sfu.deleteSource(this.source.sourceId);
    this.setState('stopped');
  }
}
