/** GB/T 28181 PTZCmd: the 8-byte front-end command written as 16 upper-case hex digits. */
import type { PtzCommand } from '@cc/protocol';

/** Encodes instruction and data bytes for a camera address (1…4095). */
export function encodePtzCmd(instruction: number, data1: number, data2: number, data3: number, address = 1): string {
  const bytes = [
    0xa5,
    0x0f,
    address & 0xff,
    instruction & 0xff,
    data1 & 0xff,
    data2 & 0xff,
    ((data3 & 0x0f) << 4) | ((address >> 8) & 0x0f),
  ];
  const sum = bytes.reduce((total, b) => total + b, 0) % 256;
  return [...bytes, sum]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

const speed = (value: number, max: number): number => Math.round(Math.min(1, Math.abs(value)) * max);

/** The protocol's PTZ command as a PTZCmd string. */
export function ptzCmdFor(command: PtzCommand): string {
  switch (command.action) {
    case 'stop':
      return encodePtzCmd(0, 0, 0, 0);
    case 'move': {
      let bits = 0;
      if (command.pan > 0) bits |= 0x01;
      if (command.pan < 0) bits |= 0x02;
      if (command.tilt < 0) bits |= 0x04;
      if (command.tilt > 0) bits |= 0x08;
      if (command.zoom > 0) bits |= 0x10;
      if (command.zoom < 0) bits |= 0x20;
      return encodePtzCmd(bits, speed(command.pan, 0xff), speed(command.tilt, 0xff), speed(command.zoom, 0x0f));
    }
    case 'focus':
      return encodePtzCmd(command.direction === 'far' ? 0x41 : 0x42, speed(command.speed, 0xff), 0, 0);
    case 'iris':
      return encodePtzCmd(command.direction === 'open' ? 0x44 : 0x48, 0, speed(command.speed, 0xff), 0);
    case 'presetSet':
      return encodePtzCmd(0x81, 0, command.preset, 0);
    case 'presetCall':
      return encodePtzCmd(0x82, 0, command.preset, 0);
    case 'presetDelete':
      return encodePtzCmd(0x83, 0, command.preset, 0);
  }
}
