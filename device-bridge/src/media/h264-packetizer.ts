/**
 * RFC 6184 packetisation (packetization-mode 1) of H.264 access units for the SFU:
 * a NAL unit that fits is sent alone; a larger one is cut into FU-A fragments. The
 * marker bit is set on the last packet of the access unit; AUDs are dropped.
 */
import { nalType, splitAnnexB } from './annexb.js';
import { buildRtp } from './rtp.js';

export const RTP_MAX_PAYLOAD = 1200;

export class H264Packetizer {
  private sequence = Math.floor(Math.random() * 0x10000);

  constructor(
    private readonly ssrc: number,
    private readonly payloadType: number,
    private readonly maxPayload = RTP_MAX_PAYLOAD,
  ) {}

  /** Packets for one access unit (Annex B) at a 90 kHz timestamp. */
  packetize(accessUnit: Buffer, timestamp: number): Buffer[] {
    const nals = splitAnnexB(accessUnit).filter((nal) => nal.length > 0 && nalType(nal) !== 9);
    const payloads: Buffer[] = [];
    for (const nal of nals) {
      if (nal.length <= this.maxPayload) {
        payloads.push(nal);
        continue;
      }
      const header = nal[0]!;
      const indicator = (header & 0xe0) | 28;
      const body = nal.subarray(1);
      const chunk = this.maxPayload - 2;
      for (let offset = 0; offset < body.length; offset += chunk) {
        const first = offset === 0;
        const last = offset + chunk >= body.length;
        const fuHeader = (first ? 0x80 : 0) | (last ? 0x40 : 0) | (header & 0x1f);
        payloads.push(Buffer.concat([Buffer.from([indicator, fuHeader]), body.subarray(offset, offset + chunk)]));
      }
    }
    return payloads.map((payload, index) =>
      buildRtp(
        { marker: index === payloads.length - 1, payloadType: this.payloadType, sequence: this.sequence++, timestamp, ssrc: this.ssrc },
        payload,
      ),
    );
  }
}

/** Reassembles RFC 6184 packets (single NAL and FU-A) into Annex B access units: for tests and checks. */
export function depacketize(payloads: Buffer[]): Buffer {
  const out: Buffer[] = [];
  let fu: Buffer[] = [];
  for (const p of payloads) {
    const type = p[0]! & 0x1f;
    if (type === 28) {
      const fuHeader = p[1]!;
      if (fuHeader & 0x80) fu = [Buffer.from([(p[0]! & 0xe0) | (fuHeader & 0x1f)])];
      fu.push(p.subarray(2));
      if (fuHeader & 0x40) out.push(Buffer.from([0, 0, 0, 1]), Buffer.concat(fu));
    } else {
      out.push(Buffer.from([0, 0, 0, 1]), p);
    }
  }
  return Buffer.concat(out);
}
