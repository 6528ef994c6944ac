/** G.711 (ITU-T) sample coding: A-law/µ-law to and from 16-bit linear, and µ-law → A-law. */

export function linearToAlaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const ends = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  const seg = ends.findIndex((end) => pcm <= end);
  if (seg === -1) return 0x7f ^ mask;
  return ((seg << 4) | (seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f)) ^ mask;
}

export function linearToUlaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 2;
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  pcm = Math.min(pcm, 8159) + 0x21;
  const ends = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
  const seg = ends.findIndex((end) => pcm <= end);
  if (seg === -1) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0x0f)) ^ mask;
}

export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

const ULAW_TO_ALAW = Uint8Array.from({ length: 256 }, (_, u) => linearToAlaw(ulawToLinear(u)));

/** Re-codes µ-law bytes as A-law (one table look-up per sample). */
export function ulawToAlaw(samples: Buffer): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = ULAW_TO_ALAW[samples[i]!]!;
  return out;
}

/** `count` G.711 samples of a sine (8 kHz), starting at sample `from`: a test tone. */
export function g711Tone(codec: 'PCMA' | 'PCMU', frequency: number, amplitude: number, from: number, count: number): Buffer {
  const encode = codec === 'PCMA' ? linearToAlaw : linearToUlaw;
  const out = Buffer.allocUnsafe(count);
  for (let i = 0; i < count; i++) out[i] = encode(amplitude * Math.sin((2 * Math.PI * frequency * (from + i)) / 8000));
  return out;
}
