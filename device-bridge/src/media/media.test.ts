import { describe, expect, it } from 'vitest';
import { splitAnnexB } from './annexb.js';
import { H264Packetizer, depacketize } from './h264-packetizer.js';
import { PsDemuxer, readPts } from './ps-demux.js';
import { muxPsAudio, muxPsVideo, psToRtp } from './ps-mux.js';
import { Rfc4571Framer, parseRtp } from './rtp.js';

const nal = (type: number, size: number, fill: number): Buffer => {
  const b = Buffer.alloc(size, fill);
  b[0] = 0x60 | type;
  return b;
};
const annexB = (...nals: Buffer[]): Buffer => Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]));

describe('PS over RTP', () => {
  const sps = nal(7, 12, 0x11);
  const pps = nal(8, 5, 0x22);
  const idr = nal(5, 70_000, 0x33); // > one PES and many RTP packets
  const slice = nal(1, 900, 0x44);

  it('round-trips keyframes and P-frames through PS packs and RTP, with the PTS', () => {
    const demux = new PsDemuxer();
    const key = annexB(sps, pps, idr);
    const packets = [
      ...psToRtp(muxPsVideo(key, 2 ** 32 + 3600, true), 3600, 0x0bebc201, 100),
      ...psToRtp(muxPsVideo(annexB(slice), 7200, false), 7200, 0x0bebc201, 151),
    ];
    const frames = packets.flatMap((p) => demux.push(parseRtp(p)!));
    expect(frames.map((f) => [f.kind, f.codec, f.timestamp])).toEqual([
      ['video', 'H264', 3600],
      ['video', 'H264', 7200],
    ]);
    expect(frames[0]!.data.equals(key)).toBe(true);
    expect(frames[0]!.pts).toBe(2 ** 32 + 3600);
    expect(splitAnnexB(frames[1]!.data)).toEqual([slice]);
  });

  it('drops a pack with a sequence gap and recovers on the next; reads G.711 audio packs', () => {
    const demux = new PsDemuxer();
    const packets = psToRtp(muxPsVideo(annexB(sps, pps, idr), 0, true), 0, 1, 0);
    packets.splice(3, 1);
    expect(packets.flatMap((p) => demux.push(parseRtp(p)!))).toEqual([]);
    expect(demux.dropped).toBe(1);
    const audio = demux.push(parseRtp(psToRtp(muxPsAudio(Buffer.alloc(160, 0xd5), 900), 900, 1, 60)[0]!)!);
    expect(audio).toMatchObject([{ kind: 'audio', pts: 900 }]);
    expect(audio[0]!.data.length).toBe(160);
  });

  it('reads 33-bit PTS values and RFC 4571 framed RTP', () => {
    expect(readPts(Buffer.from([0x2f, 0xff, 0xff, 0xff, 0xff]), 0)).toBe(2 ** 33 - 1);
    const rtp = psToRtp(Buffer.alloc(100, 1), 5, 6, 7);
    const framed = Buffer.concat(rtp.map((p) => Buffer.concat([Buffer.from([p.length >> 8, p.length & 0xff]), p])));
    const framer = new Rfc4571Framer();
    expect([...framer.push(framed.subarray(0, 50)), ...framer.push(framed.subarray(50))].map((p) => parseRtp(p)?.ssrc)).toEqual([6]);
  });
});

describe('RFC 6184 packetiser', () => {
  it('sends small NALs alone, fragments large ones as FU-A, drops AUDs, marks the last packet', () => {
    const packetizer = new H264Packetizer(1234, 102, 1200);
    const big = nal(5, 5000, 0x55);
    const packets = packetizer.packetize(annexB(nal(9, 2, 0xf0), nal(7, 10, 1), nal(8, 4, 2), big), 9000).map((p) => parseRtp(p)!);
    expect(packets.every((p) => p.payload.length <= 1200 && p.payloadType === 102 && p.ssrc === 1234 && p.timestamp === 9000)).toBe(true);
    expect(packets.map((p) => p.marker)).toEqual(packets.map((_, i) => i === packets.length - 1));
    expect(packets[2]!.payload[0]! & 0x1f).toBe(28);
    expect(packets[2]!.payload[1]).toBe(0x80 | 5);
    expect(packets.at(-1)!.payload[1]).toBe(0x40 | 5);
    expect(splitAnnexB(depacketize(packets.map((p) => p.payload)))).toEqual([nal(7, 10, 1), nal(8, 4, 2), big]);
    const next = packetizer.packetize(annexB(nal(1, 10, 3)), 12_600).map((p) => parseRtp(p)!);
    expect(next[0]!.sequence).toBe((packets.at(-1)!.sequence + 1) & 0xffff);
  });
});
