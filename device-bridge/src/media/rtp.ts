/** RTP packets (RFC 3550): parse what devices send, build what goes to the SFU. */

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** Parses one RTP packet; undefined for anything that is not RTP v2 (or is RTCP, PT 72–76 with the marker bit). */
export function parseRtp(packet: Buffer): RtpPacket | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  const b0 = packet[0]!;
  const b1 = packet[1]!;
  const payloadType = b1 & 0x7f;
  if (payloadType >= 72 && payloadType <= 76) return undefined; // RTCP SR/RR/SDES/BYE/APP mixed in
  let offset = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (b0 & 0x20) end -= packet[packet.length - 1]!;
  if (offset > end) return undefined;
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, end),
  };
}

export function buildRtp(p: Omit<RtpPacket, 'payload'>, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  header.writeUInt16BE(p.sequence & 0xffff, 2);
  header.writeUInt32BE(p.timestamp >>> 0, 4);
  header.writeUInt32BE(p.ssrc >>> 0, 8);
  return Buffer.concat([header, payload]);
}

/** RFC 4571 framing (RTP over TCP): 2-byte big-endian length before each packet. */
export class Rfc4571Framer {
  private rest: Buffer = Buffer.alloc(0);
  /**
   * Set once a length or packet could not be RTP (< 12 or > `maxPacket` bytes, not
   * version 2): the stream has lost its framing and the connection should be cut off —
   * resynchronising is the device's job, on a new connection.
   */
  corrupt = false;

  constructor(private readonly maxPacket = 16_384) {}

  push(chunk: Buffer): Buffer[] {
    if (this.corrupt) return [];
    this.rest = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    const out: Buffer[] = [];
    while (this.rest.length >= 3) {
      const length = this.rest.readUInt16BE(0);
      if (length < 12 || length > this.maxPacket || this.rest[2]! >> 6 !== 2) {
        this.corrupt = true;
        this.rest = Buffer.alloc(0);
        break;
      }
      if (this.rest.length < 2 + length) break;
      out.push(this.rest.subarray(2, 2 + length));
      this.rest = this.rest.subarray(2 + length);
    }
    return out;
  }
}

/** One packet with its RFC 4571 length prefix. */
export function frame4571(packet: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(packet.length, 0);
  return Buffer.concat([prefix, packet]);
}
