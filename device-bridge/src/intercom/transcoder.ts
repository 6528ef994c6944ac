/**
 * The console → intercom voice leg: the SFU does not transcode and intercoms speak only
 * G.711, so a supervised GStreamer child decodes the console's Opus RTP and re-encodes it
 * as PCMA/PCMU RTP (20 ms packets) for the call's relay, which sends it on from the port
 * the intercom knows (symmetric RTP). One child per call, restarted with backoff if it
 * dies mid-call, killed (TERM, then KILL) when the call ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { Logger } from '@cc/runtime';
import type { G711Codec } from './g711-sdp.js';

export interface TranscoderOptions {
  /** Opus from the SFU listen leg (payload type as the listener reported). */
  opusPayloadType: number;
  codec: G711Codec;
  /** Where the G.711 RTP goes (the relay's loopback port). */
  outputPort: number;
  logger: Logger;
  /** Most restarts within one call. */
  maxRestarts?: number;
  gstLaunch?: string;
}

/** Jitter buffer on the loopback hop from the SFU, ms: small, the SFU already paces packets. */
const JITTER_MS = 30;

/** A free loopback UDP port for the child to bind (the child binds it a moment later). */
async function freeLoopbackPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export function gstArguments(inputPort: number, o: Pick<TranscoderOptions, 'opusPayloadType' | 'codec' | 'outputPort'>): string[] {
  const encoder = o.codec === 'PCMA' ? ['alawenc', '!', 'rtppcmapay', 'pt=8'] : ['mulawenc', '!', 'rtppcmupay', 'pt=0'];
  const ptime = 20_000_000;
  return [
    '-q',
    'udpsrc',
    'address=127.0.0.1',
    `port=${inputPort}`,
    `caps=application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=${o.opusPayloadType}`,
    '!',
    'rtpjitterbuffer',
    `latency=${JITTER_MS}`,
    'drop-on-latency=true',
    '!',
    'rtpopusdepay',
    '!',
    'opusdec',
    'plc=true',
    '!',
    'audioconvert',
    '!',
    'audioresample',
    '!',
    'audio/x-raw,rate=8000,channels=1',
    '!',
    ...encoder,
    `min-ptime=${ptime}`,
    `max-ptime=${ptime}`,
    '!',
    'udpsink',
    'host=127.0.0.1',
    `port=${o.outputPort}`,
    'sync=false',
    'async=false',
  ];
}

export class Transcoder {
  private child?: ChildProcess;
  private closed = false;
  private restartTimer?: NodeJS.Timeout;
  restarts = 0;
  inputPort = 0;

  constructor(private readonly options: TranscoderOptions) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Starts the child; resolves with the loopback port it reads Opus RTP from. */
  async start(): Promise<number> {
    this.inputPort = await freeLoopbackPort();
    this.spawnChild();
    return this.inputPort;
  }

  private spawnChild(): void {
    if (this.closed) return;
    const { logger } = this.options;
    const child = spawn(this.options.gstLaunch ?? 'gst-launch-1.0', gstArguments(this.inputPort, this.options), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('error', (error) => logger.error({ err: error }, 'transcoder could not start'));
    child.on('exit', (code, signal) => {
      if (this.closed || this.child !== child) return;
      const max = this.options.maxRestarts ?? 5;
      if (this.restarts >= max) {
        logger.error({ code, signal, stderr: stderr.trim().slice(-500) }, 'transcoder keeps dying; the console voice is lost');
        return;
      }
      const delayMs = Math.min(5000, 250 * 2 ** this.restarts);
      this.restarts += 1;
      logger.warn({ code, signal, stderr: stderr.trim().slice(-500), retryInMs: delayMs }, 'transcoder exited, restarting');
      this.restartTimer = setTimeout(() => this.spawnChild(), delayMs);
    });
  }

  /** Kills the child (TERM, KILL after 2 s) and waits for it to be gone. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}
