/**
 * One device video stream: MPEG-PS over RTP arrives (UDP or RFC 4571 TCP, see media-input), is unpacked to
 * H.264 access units and sent, repacketised per RFC 6184, to the SFU's ingest producer; G.711 audio in
 * the PS goes to the source's audio track (see device-audio).
 * Packets of another SSRC than the one agreed (or first seen) are dropped.
 */
import type { Socket } from 'node:dgram';
import type { Logger } from '@cc/runtime';
import { H264Packetizer } from '../media/h264-packetizer.js';
import { PsDemuxer } from '../media/ps-demux.js';
import { parseRtp } from '../media/rtp.js';
import { DeviceAudio, type AudioTarget, type DeviceAudioStats } from './device-audio.js';
import type { MediaInput } from './media-input.js';

export interface StreamTarget {
  ip: string;
  port: number;
  ssrc: number;
  payloadType: number;
}

export interface DeviceStreamStats extends DeviceAudioStats {
  packetsIn: number;
  foreignSsrc: number;
  framesOut: number;
  packetsOut: number;
  nonH264: number;
}

export class DeviceStream {
  private readonly video = { packetsIn: 0, foreignSsrc: 0, framesOut: 0, packetsOut: 0, nonH264: 0 };
  private readonly demuxer = new PsDemuxer();
  private readonly packetizer: H264Packetizer;
  private readonly audio: DeviceAudio;
  private expectedSsrc: number | undefined;
  private firstFrame = false;

  private input: MediaInput | undefined;

  constructor(
    /** Our UDP socket on the media port: it sends to the SFU (and is the input for UDP). */
    private readonly socket: Socket,
    readonly port: number,
    private readonly target: StreamTarget,
    private readonly logger: Logger,
    private readonly onFirstFrame: () => void,
    /** The source's audio track; undefined: audio is counted but not sent. */
    audioTarget?: AudioTarget,
  ) {
    this.packetizer = new H264Packetizer(target.ssrc, target.payloadType);
    this.audio = new DeviceAudio(socket, audioTarget, logger);
    socket.on('error', (error) => logger.warn({ err: error }, 'media socket error'));
  }

  /** Where the device's RTP comes from (for TCP-active only known after the SDP answer). */
  attach(input: MediaInput): void {
    this.input = input;
    input.onPacket((message) => this.receive(message));
  }

  /** Adopt the SSRC from the device's answer (devices may change it). */
  expectSsrc(ssrc: number | undefined): void {
    this.expectedSsrc = ssrc;
  }

  get stats(): DeviceStreamStats {
    return { ...this.video, ...this.audio.stats };
  }

  private receive(message: Buffer): void {
    const packet = parseRtp(message);
    if (!packet) return;
    this.video.packetsIn += 1;
    if (this.expectedSsrc === undefined) this.expectedSsrc = packet.ssrc;
    if (packet.ssrc !== this.expectedSsrc) {
      this.video.foreignSsrc += 1;
      return;
    }
    for (const frame of this.demuxer.push(packet)) {
      if (frame.kind === 'audio') {
        this.audio.push(frame);
        continue;
      }
      if (frame.codec !== 'H264') {
        if (this.video.nonH264++ === 0)
          this.logger.warn({ codec: frame.codec }, 'device sends video the SFU cannot take (needs transcoding)');
        continue;
      }
      for (const out of this.packetizer.packetize(frame.data, frame.timestamp)) {
        this.socket.send(out, this.target.port, this.target.ip);
        this.video.packetsOut += 1;
      }
      this.video.framesOut += 1;
      if (!this.firstFrame) {
        this.firstFrame = true;
        this.onFirstFrame();
      }
    }
  }

  get transportStats(): MediaInput['stats'] | undefined {
    return this.input?.stats;
  }

  async close(): Promise<void> {
    await this.input?.close();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
