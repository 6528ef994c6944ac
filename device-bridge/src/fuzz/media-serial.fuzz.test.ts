/**
 * Fuzzing the binary parsers: RTP + MPEG-PS (100 000 mutated packets through the
 * demuxer), RFC 4571 framing, VISCA replies and template reply lines (100 000 chunks
 * each through the drivers). Nothing may throw; state stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { PsDemuxer } from '../media/ps-demux.js';
import { muxPsAudio, muxPsVideo, psToRtp } from '../media/ps-mux.js';
import { Rfc4571Framer, parseRtp } from '../media/rtp.js';
import { AudioProcessorDriver, MatrixDriver } from '../serial/template-driver.js';
import { AUDIO_PRESETS, MATRIX_PRESETS } from '../serial/templates.js';
import { ViscaDriver } from '../serial/visca-driver.js';
import { mutate, prng } from './mutate.js';

describe('fuzzing media and serial parsers', () => {
  it('demuxes 100 000 mutated PS-over-RTP packets without throwing', () => {
    const random = prng(42);
    const au = Buffer.concat([Buffer.from([0, 0, 0, 1, 0x67, 1, 2, 3, 0, 0, 1, 0x68, 4, 0, 0, 1, 0x65]), Buffer.alloc(3000, 7)]);
    const seeds = [
      ...psToRtp(muxPsVideo(au, 3600, true), 3600, 1, 0),
      ...psToRtp(muxPsVideo(au.subarray(0, 600), 7200, false), 7200, 1, 3),
      ...psToRtp(muxPsAudio(Buffer.alloc(160, 0xd5), 7200), 7200, 1, 4),
    ].map((p) => p.toString('latin1'));
    const demux = new PsDemuxer();
    const framer = new Rfc4571Framer();
    let frames = 0;
    for (let i = 0; i < 100_000; i++) {
      const bytes = Buffer.from(mutate(seeds[i % seeds.length]!, random), 'latin1');
      const packet = parseRtp(bytes);
      if (packet) frames += demux.push(packet).length;
      framer.push(bytes.subarray(0, 64));
    }
    expect(frames).toBeGreaterThan(100);
  }, 60_000);

  it('feeds 100 000 mutated reply chunks to the VISCA, audio processor and matrix drivers without throwing', () => {
    const random = prng(7);
    const write = (): Promise<void> => Promise.resolve();
    const drivers = [
      new ViscaDriver(1, write),
      new AudioProcessorDriver(AUDIO_PRESETS['generic-ascii']!, write),
      new MatrixDriver(MATRIX_PRESETS['sis-style']!, write),
    ];
    const seeds = [
      '\x90\x41\xff\x90\x51\xff',
      '\x90\x60\x02\xff',
      '\x88\x30\x02\xff',
      'DEVICE x\r\nLEVEL 1 -20.5\r\nOK\r\n',
      'Out2 In1 All\r\n3\r\nE01\r\n',
    ];
    for (let i = 0; i < 100_000; i++) {
      const chunk = Buffer.from(mutate(seeds[i % seeds.length]!, random), 'latin1');
      drivers[i % drivers.length]!.onData(chunk);
    }
    for (const d of drivers) d.reset();
    expect(drivers.length).toBe(3);
  }, 60_000);
});
