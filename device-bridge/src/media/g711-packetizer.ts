/**
 * G.711 audio frames from a device's PS to RTP for the SFU (RFC 3551: PT 8 PCMA, PT 0 PCMU,
 * 8 kHz clock, one byte per sample). Timestamps follow the byte count; the PES PTS
 * (90 kHz → 8 kHz) re-anchors them when it disagrees by more than one packet's length (a
 * gap, a seek, a device restart), and the first packet after such a gap carries the marker
 * bit. Frames longer than 40 ms are split into 40 ms packets.
 */
import { randomInt } from 'node:crypto';
import { buildRtp } from './rtp.js';

export type G711Codec = 'PCMA' | 'PCMU';

/** Samples (= bytes) per packet at most: 40 ms at 8 kHz. */
export const MAX_G711_PACKET_SAMPLES = 320;

export const G711_PAYLOAD_TYPES: Record<G711Codec, number> = { PCMA: 8, PCMU: 0 };

export class G711Packetizer {
  private sequence = randomInt(0, 0x10000);
  /** Next expected RTP timestamp (8 kHz, before the base offset); undefined before the first frame. */
  private next: number | undefined;
  private readonly base = randomInt(0, 0x10000);

  constructor(
    private readonly ssrc: number,
    private readonly payloadType: number,
  ) {}

  /** RTP packets for one frame of samples; `pts` is the PES PTS (90 kHz) if the device gave one. */
  packetize(samples: Buffer, pts?: number): Buffer[] {
    if (samples.length === 0) return [];
    let start = this.next ?? (pts === undefined ? 0 : Math.floor(pts / 11.25));
    let marker = this.next === undefined;
    if (this.next !== undefined && pts !== undefined) {
      const fromPts = Math.floor(pts / 11.25);
      if (Math.abs(fromPts - this.next) > MAX_G711_PACKET_SAMPLES) {
        start = fromPts;
        marker = true;
      }
    }
    const packets: Buffer[] = [];
    for (let offset = 0; offset < samples.length; offset += MAX_G711_PACKET_SAMPLES) {
      const header = {
        marker,
        payloadType: this.payloadType,
        sequence: this.sequence,
        timestamp: (this.base + start + offset) % 2 ** 32,
        ssrc: this.ssrc,
      };
      packets.push(buildRtp(header, samples.subarray(offset, offset + MAX_G711_PACKET_SAMPLES)));
      this.sequence = (this.sequence + 1) & 0xffff;
      marker = false;
    }
    this.next = start + samples.length;
    return packets;
  }
}
