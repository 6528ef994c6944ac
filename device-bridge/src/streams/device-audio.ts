/**
 * The audio half of a device stream: G.711 frames from the PS go to the ingest source's
 * audio track (declared PCMA; µ-law devices are re-coded to A-law, which is lossless
 * enough for speech and keeps one declared codec whatever the device sends). Audio before
 * a PSM has named its codec is dropped and counted (PES 0xC0 alone could be AAC); AAC and
 * other codecs are not forwarded (logged once, counted).
 */
import type { Socket } from 'node:dgram';
import type { Logger } from '@cc/runtime';
import { ulawToAlaw } from '../media/g711.js';
import { G711Packetizer } from '../media/g711-packetizer.js';
import type { EsFrame } from '../media/ps-demux.js';

export interface AudioTarget {
  ip: string;
  port: number;
  ssrc: number;
  /** 8 (PCMA). */
  payloadType: number;
}

export interface DeviceAudioStats {
  /** G.711 frames forwarded and RTP packets sent for them. */
  audioFramesOut: number;
  audioPacketsOut: number;
  /** µ-law frames re-coded to A-law. */
  audioRecoded: number;
  /** Audio frames before a PSM named their codec. */
  audioUnknown: number;
  /** AAC (or other non-G.711) audio frames, not forwarded. */
  nonG711: number;
}

export class DeviceAudio {
  readonly stats: DeviceAudioStats = { audioFramesOut: 0, audioPacketsOut: 0, audioRecoded: 0, audioUnknown: 0, nonG711: 0 };
  private readonly packetizer: G711Packetizer | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly target: AudioTarget | undefined,
    private readonly logger: Logger,
  ) {
    this.packetizer = target && new G711Packetizer(target.ssrc, target.payloadType);
  }

  push(frame: EsFrame): void {
    if (frame.codec === 'unknown') {
      this.stats.audioUnknown += 1;
      return;
    }
    if (frame.codec !== 'PCMA' && frame.codec !== 'PCMU') {
      if (this.stats.nonG711++ === 0) this.logger.warn({ codec: frame.codec }, 'device sends audio the SFU cannot take (not forwarded)');
      return;
    }
    if (!this.packetizer || !this.target) return;
    let samples = frame.data;
    if (frame.codec === 'PCMU') {
      samples = ulawToAlaw(samples);
      this.stats.audioRecoded += 1;
    }
    for (const packet of this.packetizer.packetize(samples, frame.pts)) {
      this.socket.send(packet, this.target.port, this.target.ip);
      this.stats.audioPacketsOut += 1;
    }
    this.stats.audioFramesOut += 1;
  }
}
