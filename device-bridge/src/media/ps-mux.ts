/**
 * MPEG-PS packing of H.264 access units and RTP (PT 96) fragmentation, as GB/T 28181
 * devices send them. Used by the simulated devices (tests, bench, demo field units).
 */
import { buildRtp } from './rtp.js';

function packHeader(scr: number): Buffer {
  const base = Math.floor(scr) % 2 ** 33;
  const hi = Math.floor(base / 2 ** 30) & 0x07;
  const lo = base % 2 ** 30;
  const b = Buffer.alloc(14);
  b.writeUInt32BE(0x000001ba, 0);
  b[4] = 0x44 | (hi << 3) | ((lo >>> 28) & 0x03);
  b[5] = (lo >>> 20) & 0xff;
  b[6] = (((lo >>> 15) & 0x1f) << 3) | 0x04 | ((lo >>> 13) & 0x03);
  b[7] = (lo >>> 5) & 0xff;
  b[8] = ((lo & 0x1f) << 3) | 0x04;
  b[9] = 0x01;
  const muxRate = 6106;
  b[10] = (muxRate >> 14) & 0xff;
  b[11] = (muxRate >> 6) & 0xff;
  b[12] = ((muxRate & 0x3f) << 2) | 0x03;
  b[13] = 0xf8;
  return b;
}

const SYSTEM_HEADER = Buffer.from([0x00, 0x00, 0x01, 0xbb, 0x00, 0x09, 0x80, 0x01, 0x01, 0x04, 0xe1, 0xff, 0xe0, 0xe0, 0x80]);

function psm(audioType?: number): Buffer {
  const entries = [0x1b, 0xe0, 0x00, 0x00, ...(audioType === undefined ? [] : [audioType, 0xc0, 0x00, 0x00])];
  const body = Buffer.from([0xe0, 0xff, 0x00, 0x00, 0x00, entries.length, ...entries, 0, 0, 0, 0]);
  const head = Buffer.alloc(6);
  head.writeUInt32BE(0x000001bc, 0);
  head.writeUInt16BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function ptsBytes(pts: number): Buffer {
  const base = Math.floor(pts) % 2 ** 33;
  const hi = Math.floor(base / 2 ** 30) & 0x07;
  const lo = base % 2 ** 30;
  return Buffer.from([0x21 | (hi << 1), (lo >>> 22) & 0xff, (((lo >>> 15) & 0x7f) << 1) | 1, (lo >>> 7) & 0xff, ((lo & 0x7f) << 1) | 1]);
}

function pes(streamId: number, payload: Buffer, pts?: number): Buffer {
  const header = pts === undefined ? Buffer.from([0x80, 0x00, 0x00]) : Buffer.concat([Buffer.from([0x80, 0x80, 0x05]), ptsBytes(pts)]);
  const start = Buffer.alloc(6);
  start.writeUInt32BE(0x00000100 | streamId, 0);
  start.writeUInt16BE(header.length + payload.length, 4);
  return Buffer.concat([start, header, payload]);
}

const MAX_PES_PAYLOAD = 65_000;

/** One PS pack for a video access unit (Annex B); system header + PSM (naming audio of `audioType`) on keyframes. */
export function muxPsVideo(accessUnit: Buffer, pts: number, keyframe: boolean, audioType = 0x90): Buffer {
  const parts = [packHeader(pts)];
  if (keyframe) parts.push(SYSTEM_HEADER, psm(audioType));
  for (let offset = 0; offset < accessUnit.length; offset += MAX_PES_PAYLOAD) {
    parts.push(pes(0xe0, accessUnit.subarray(offset, offset + MAX_PES_PAYLOAD), offset === 0 ? pts : undefined));
  }
  return Buffer.concat(parts);
}

/** A G.711 audio pack (A-law or µ-law as the PSM says). */
export function muxPsAudio(samples: Buffer, pts: number): Buffer {
  return Buffer.concat([packHeader(pts), pes(0xc0, samples, pts)]);
}

/** RTP packets (PT 96) for one pack: cut at arbitrary byte positions, marker on the last. */
export function psToRtp(pack: Buffer, timestamp: number, ssrc: number, firstSequence: number, mtu = 1400): Buffer[] {
  const packets: Buffer[] = [];
  let sequence = firstSequence;
  for (let offset = 0; offset < pack.length; offset += mtu) {
    const last = offset + mtu >= pack.length;
    packets.push(buildRtp({ marker: last, payloadType: 96, sequence: sequence++, timestamp, ssrc }, pack.subarray(offset, offset + mtu)));
  }
  return packets;
}
