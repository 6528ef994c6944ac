/**
 * MPEG-PS over RTP (GB/T 28181, PT 96) to elementary-stream frames. RTP payloads of one
 * timestamp are one PS pack; a pack is complete at the marker bit or when the timestamp
 * changes. A sequence gap inside a pack drops the pack. Parsing follows ISO 13818-1 with
 * the field quirks of real devices: no PSM (guess from stream ids), Hikvision's empty
 * pack header, PES_packet_length 0, several PES per frame.
 */
import type { RtpPacket } from './rtp.js';

export type EsCodec = 'H264' | 'H265' | 'PCMA' | 'PCMU' | 'AAC' | 'unknown';

export interface EsFrame {
  kind: 'video' | 'audio';
  codec: EsCodec;
  /** RTP timestamp of the pack (90 kHz). */
  timestamp: number;
  /** PTS of the first PES carrying one, 90 kHz. */
  pts?: number;
  data: Buffer;
}

const STREAM_TYPES: Record<number, EsCodec> = { 0x1b: 'H264', 0x24: 'H265', 0x90: 'PCMA', 0x91: 'PCMU', 0x0f: 'AAC' };
export const MAX_PACK_BYTES = 2 * 1024 * 1024;

const isStart = (b: Buffer, i: number): boolean => b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1;

export function readPts(b: Buffer, o: number): number {
  return ((b[o]! >> 1) & 0x07) * 2 ** 30 + ((b[o + 1]! << 22) | ((b[o + 2]! >> 1) << 15) | (b[o + 3]! << 7) | (b[o + 4]! >> 1));
}

export class PsDemuxer {
  private readonly streamCodecs = new Map<number, EsCodec>();
  private parts: Buffer[] = [];
  private size = 0;
  private timestamp: number | undefined;
  private nextSequence: number | undefined;
  private broken = false;
  /** Packs dropped (gaps, oversize, unparsable). */
  dropped = 0;

  /** Feeds one RTP packet; returns the frames of any pack it completed. */
  push(packet: RtpPacket): EsFrame[] {
    const out: EsFrame[] = [];
    if (this.timestamp !== undefined && packet.timestamp !== this.timestamp) out.push(...this.flush());
    if (this.nextSequence !== undefined && packet.sequence !== this.nextSequence && this.size > 0) this.broken = true;
    this.nextSequence = (packet.sequence + 1) & 0xffff;
    this.timestamp = packet.timestamp;
    this.parts.push(packet.payload);
    this.size += packet.payload.length;
    if (this.size > MAX_PACK_BYTES) this.broken = true;
    if (packet.marker) out.push(...this.flush());
    return out;
  }

  private flush(): EsFrame[] {
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    const timestamp = this.timestamp ?? 0;
    const broken = this.broken;
    this.parts = [];
    this.size = 0;
    this.timestamp = undefined;
    this.broken = false;
    if (broken || data.length === 0) {
      this.dropped += 1;
      return [];
    }
    return this.parse(data, timestamp);
  }

  /** Parses one whole PS pack into a video and/or audio frame. */
  parse(b: Buffer, timestamp: number): EsFrame[] {
    const video: Buffer[] = [];
    const audio: Buffer[] = [];
    let videoPts: number | undefined;
    let audioPts: number | undefined;
    let videoId = 0xe0;
    let audioId = 0xc0;
    let i = 0;
    while (i + 3 < b.length) {
      if (!isStart(b, i)) {
        i += 1;
        continue;
      }
      const id = b[i + 3]!;
      if (id === 0xba) {
        if (isStart(b, i + 4)) i += 4;
        else if (i + 13 < b.length && (b[i + 4]! & 0xc0) === 0x40) i += 14 + (b[i + 13]! & 0x07);
        else i += 12;
      } else if (id === 0xb9) {
        i += 4;
      } else if (id === 0xbc) {
        i = this.readPsm(b, i);
      } else if (id >= 0xc0 && id <= 0xef) {
        const pes = readPes(b, i);
        if (!pes) break;
        if (id >= 0xe0) {
          videoId = id;
          video.push(pes.payload);
          if (videoPts === undefined) videoPts = pes.pts;
        } else {
          audioId = id;
          audio.push(pes.payload);
          if (audioPts === undefined) audioPts = pes.pts;
        }
        i = pes.end;
      } else if (i + 6 <= b.length) {
        i += 6 + b.readUInt16BE(i + 4); // BB system header, BD/BE/BF private and padding, others
      } else {
        break;
      }
    }
    const frames: EsFrame[] = [];
    if (video.length > 0)
      frames.push({
        kind: 'video',
        codec: this.streamCodecs.get(videoId) ?? guessVideo(video[0]!),
        timestamp,
        pts: videoPts,
        data: Buffer.concat(video),
      });
    if (audio.length > 0)
      frames.push({
        kind: 'audio',
        codec: this.streamCodecs.get(audioId) ?? 'unknown',
        timestamp,
        pts: audioPts,
        data: Buffer.concat(audio),
      });
    return frames;
  }

  private readPsm(b: Buffer, i: number): number {
    if (i + 12 > b.length) return b.length;
    const length = b.readUInt16BE(i + 4);
    const end = Math.min(b.length, i + 6 + length);
    const infoLength = b.readUInt16BE(i + 8);
    // The ES map length is derived from the PSM length: devices get the field wrong.
    let j = i + 10 + infoLength + 2;
    while (j + 4 <= end - 4) {
      const type = b[j]!;
      const esId = b[j + 1]!;
      const esInfo = b.readUInt16BE(j + 2);
      this.streamCodecs.set(esId, STREAM_TYPES[type] ?? 'unknown');
      j += 4 + esInfo;
    }
    return end;
  }
}

function readPes(b: Buffer, i: number): { payload: Buffer; pts?: number; end: number } | undefined {
  if (i + 9 > b.length) return undefined;
  const length = b.readUInt16BE(i + 4);
  const flags = b[i + 7]!;
  const headerLength = b[i + 8]!;
  const start = i + 9 + headerLength;
  let end = length === 0 ? nextStartCode(b, start) : Math.min(b.length, i + 6 + length);
  if (start > end) end = start;
  const pts = flags & 0x80 && i + 14 <= b.length ? readPts(b, i + 9) : undefined;
  return { payload: b.subarray(start, end), pts, end };
}

/** End of a PES with length 0: the next pack or PES start code. */
function nextStartCode(b: Buffer, from: number): number {
  for (let j = from; j + 3 < b.length; j++) {
    if (isStart(b, j) && (b[j + 3] === 0xba || (b[j + 3]! >= 0xc0 && b[j + 3]! <= 0xef))) return j;
  }
  return b.length;
}

/** No PSM: look at the first NAL header (H.265 types 32–34 start a keyframe; H.264 uses 7/8/5/1). */
function guessVideo(payload: Buffer): EsCodec {
  for (let j = 0; j + 4 < payload.length; j++) {
    if (isStart(payload, j)) {
      const h = payload[j + 3]!;
      const h265 = (h >> 1) & 0x3f;
      if (h265 >= 32 && h265 <= 34 && payload[j + 4] === 0x01) return 'H265';
      return 'H264';
    }
  }
  return 'unknown';
}
