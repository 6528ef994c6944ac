/**
 * Pelco-D: 7-byte frames `FF addr cmd1 cmd2 data1 data2 checksum`, checksum = sum of
 * bytes 2–6 modulo 256. Pan speed 00–3F, tilt speed 00–3F; presets through cmd2 03/05/07.
 */
import type { PtzCommand } from '@cc/protocol';

export function pelcoFrame(address: number, cmd1: number, cmd2: number, data1: number, data2: number): Buffer {
  const body = [address & 0xff, cmd1 & 0xff, cmd2 & 0xff, data1 & 0xff, data2 & 0xff];
  const checksum = body.reduce((sum, b) => sum + b, 0) % 256;
  return Buffer.from([0xff, ...body, checksum]);
}

const speed = (value: number): number => Math.max(0, Math.min(0x3f, Math.round(Math.abs(value) * 0x3f)));

export function pelcoCommand(address: number, command: PtzCommand): Buffer {
  switch (command.action) {
    case 'stop':
      return pelcoFrame(address, 0, 0, 0, 0);
    case 'move': {
      let cmd2 = 0;
      if (command.pan > 0) cmd2 |= 0x02;
      if (command.pan < 0) cmd2 |= 0x04;
      if (command.tilt > 0) cmd2 |= 0x08;
      if (command.tilt < 0) cmd2 |= 0x10;
      if (command.zoom > 0) cmd2 |= 0x20;
      if (command.zoom < 0) cmd2 |= 0x40;
      return pelcoFrame(address, 0, cmd2, speed(command.pan), speed(command.tilt));
    }
    case 'focus':
      return command.direction === 'far' ? pelcoFrame(address, 0, 0x80, 0, 0) : pelcoFrame(address, 0x01, 0, 0, 0);
    case 'iris':
      return pelcoFrame(address, command.direction === 'open' ? 0x02 : 0x04, 0, 0, 0);
    case 'presetSet':
      return pelcoFrame(address, 0, 0x03, 0, command.preset);
    case 'presetDelete':
      return pelcoFrame(address, 0, 0x05, 0, command.preset);
    case 'presetCall':
      return pelcoFrame(address, 0, 0x07, 0, command.preset);
  }
}

/** Checks a received frame (the emulator's side). */
export function parsePelcoFrame(bytes: Buffer): { address: number; cmd1: number; cmd2: number; data1: number; data2: number } | undefined {
  if (bytes.length !== 7 || bytes[0] !== 0xff) return undefined;
  const sum = (bytes[1]! + bytes[2]! + bytes[3]! + bytes[4]! + bytes[5]!) % 256;
  if (sum !== bytes[6]) return undefined;
  return { address: bytes[1]!, cmd1: bytes[2]!, cmd2: bytes[3]!, data1: bytes[4]!, data2: bytes[5]! };
}
