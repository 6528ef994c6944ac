import { describe, expect, it } from 'vitest';
import { parsePelcoFrame, pelcoCommand, pelcoFrame } from './pelco-d.js';
import { ViscaFramer, viscaAddressSet, viscaCommand, viscaPowerInquiry } from './visca.js';

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();

describe('VISCA', () => {
  it('encodes pan/tilt, zoom, presets and inquiries byte-exactly', () => {
    expect(hex(viscaCommand(1, { action: 'move', pan: 1, tilt: 0, zoom: 0 }))).toBe('8101060118010203FF');
    expect(hex(viscaCommand(1, { action: 'move', pan: -1, tilt: 1, zoom: 0 }))).toBe('8101060118140101FF');
    expect(hex(viscaCommand(2, { action: 'stop' }))).toBe('8201060101010303FF');
    expect(hex(viscaCommand(1, { action: 'move', pan: 0, tilt: 0, zoom: 1 }))).toBe('8101040727FF');
    expect(hex(viscaCommand(1, { action: 'move', pan: 0, tilt: 0, zoom: -1 }))).toBe('8101040737FF');
    expect(hex(viscaCommand(1, { action: 'presetSet', preset: 5 }))).toBe('8101043F0105FF');
    expect(hex(viscaCommand(1, { action: 'presetCall', preset: 5 }))).toBe('8101043F0205FF');
    expect(hex(viscaAddressSet())).toBe('883001FF');
    expect(hex(viscaPowerInquiry(1))).toBe('81090400FF');
  });

  it('frames ACK, completion and error replies across chunk boundaries', () => {
    const framer = new ViscaFramer();
    expect(framer.push(Buffer.from([0x90, 0x41]))).toEqual([]);
    expect(framer.push(Buffer.from([0xff, 0x90, 0x51, 0xff, 0x90, 0x60, 0x02, 0xff, 0x88, 0x30, 0x02, 0xff]))).toEqual([
      { type: 'ack', address: 1, socket: 1 },
      { type: 'completion', address: 1, socket: 1, data: [] },
      { type: 'error', address: 1, socket: 0, code: 2, message: 'syntax error' },
      { type: 'address', next: 2 },
    ]);
    expect(framer.push(Buffer.from([0x90, 0x50, 0x02, 0xff]))).toEqual([{ type: 'completion', address: 1, socket: 0, data: [2] }]);
    expect(framer.push(Buffer.from([0x01, 0x02, 0xff]))[0]?.type).toBe('unknown');
  });
});

describe('Pelco-D', () => {
  it('encodes frames with the checksum over bytes 2-6', () => {
    expect(hex(pelcoFrame(1, 0, 0x02, 0x20, 0))).toBe('FF010002200023');
    expect(hex(pelcoCommand(1, { action: 'stop' }))).toBe('FF010000000001');
    expect(hex(pelcoCommand(1, { action: 'presetCall', preset: 3 }))).toBe('FF01000700030B');
    expect(hex(pelcoCommand(5, { action: 'move', pan: -1, tilt: -1, zoom: 0 }))).toBe('FF0500143F3F97');
    expect(parsePelcoFrame(pelcoCommand(1, { action: 'presetSet', preset: 9 }))).toEqual({
      address: 1,
      cmd1: 0,
      cmd2: 3,
      data1: 0,
      data2: 9,
    });
    const bad = pelcoFrame(1, 0, 2, 0x20, 0);
    bad[6] = 0;
    expect(parsePelcoFrame(bad)).toBeUndefined();
  });
});
