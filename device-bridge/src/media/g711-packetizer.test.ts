import { describe, expect, it } from 'vitest';
import { alawToLinear, g711Tone, linearToAlaw, linearToUlaw, ulawToAlaw, ulawToLinear } from './g711.js';
import { G711Packetizer } from './g711-packetizer.js';
import { parseRtp, type RtpPacket } from './rtp.js';

const parse = (packets: Buffer[]): RtpPacket[] => packets.map((p) => parseRtp(p)!);

describe('G.711 packetiser', () => {
  it('sends a 20 ms frame as one packet with PT 8, the declared SSRC and the marker on the first', () => {
    const p = new G711Packetizer(0x1234, 8);
    const [first] = parse(p.packetize(Buffer.alloc(160, 0xd5), 90_000));
    const [second] = parse(p.packetize(Buffer.alloc(160, 0xd5), 90_000 + 1800));
    expect(first).toMatchObject({ payloadType: 8, ssrc: 0x1234, marker: true });
    expect(first!.payload.length).toBe(160);
    expect(second).toMatchObject({ payloadType: 8, marker: false, sequence: (first!.sequence + 1) & 0xffff });
    expect((second!.timestamp - first!.timestamp) >>> 0).toBe(160);
  });

  it('splits a long frame into packets of at most 40 ms with timestamps one byte per sample', () => {
    const p = new G711Packetizer(7, 0);
    const packets = parse(p.packetize(Buffer.alloc(1000, 0xff)));
    expect(packets.map((x) => x.payload.length)).toEqual([320, 320, 320, 40]);
    expect(packets.every((x) => x.payloadType === 0)).toBe(true);
    expect(packets.map((x) => (x.timestamp - packets[0]!.timestamp) >>> 0)).toEqual([0, 320, 640, 960]);
    expect(packets.map((x) => x.marker)).toEqual([true, false, false, false]);
    const [next] = parse(p.packetize(Buffer.alloc(320, 0xff)));
    expect((next!.timestamp - packets[0]!.timestamp) >>> 0).toBe(1000);
    expect(next!.marker).toBe(false);
  });

  it('keeps the byte-count clock through PTS jitter, and re-anchors on the PTS with the marker after a gap', () => {
    const p = new G711Packetizer(9, 8);
    const [a] = parse(p.packetize(Buffer.alloc(320), 0));
    const [b] = parse(p.packetize(Buffer.alloc(320), 3600 + 90)); // 10 ms late: jitter
    expect((b!.timestamp - a!.timestamp) >>> 0).toBe(320);
    expect(b!.marker).toBe(false);
    const [c] = parse(p.packetize(Buffer.alloc(320), 90_000 * 5)); // 5 s later: a gap
    expect((c!.timestamp - a!.timestamp) >>> 0).toBe(40_000);
    expect(c!.marker).toBe(true);
  });
});

describe('G.711 coding', () => {
  it('round-trips A-law and maps µ-law to the nearest A-law', () => {
    for (let byte = 0; byte < 256; byte++) expect(linearToAlaw(alawToLinear(byte))).toBe(byte);
    expect(alawToLinear(linearToAlaw(1000))).toBeCloseTo(1000, -2);
    const mu = Buffer.from([0xff, 0x7f, 0x80, 0x00, 0x9a]);
    const a = ulawToAlaw(mu);
    for (let i = 0; i < mu.length; i++) {
      const linear = ulawToLinear(mu[i]!);
      expect(Math.abs(alawToLinear(a[i]!) - linear)).toBeLessThanOrEqual(Math.max(16, Math.abs(linear) / 16));
    }
  });

  it('round-trips µ-law', () => {
    for (let byte = 0; byte < 256; byte++) if (byte !== 0x7f) expect(linearToUlaw(ulawToLinear(byte))).toBe(byte); // 0x7f: -0, encodes as +0
    expect(linearToUlaw(0)).toBe(0xff);
  });

  it('makes a 1 kHz A-law tone that decodes back to a sine', () => {
    const tone = g711Tone('PCMA', 1000, 8000, 0, 16);
    const linear = [...tone].map(alawToLinear);
    expect(linear[2]).toBeGreaterThan(7000); // sin(π/2)
    expect(linear[6]).toBeLessThan(-7000); // sin(3π/2)
    expect(Math.abs(linear[0]!)).toBeLessThan(16);
    expect(linear.slice(8)).toEqual(linear.slice(0, 8)); // period of 8 samples
  });
});
