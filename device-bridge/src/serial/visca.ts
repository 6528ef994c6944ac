/**
 * Sony VISCA over RS-232/RS-422: command encoding and reply parsing, from the public
 * VISCA command list. A packet is `8x … FF` (x = camera address 1–7); replies come from
 * `(x+8)0`: ACK `z0 4y FF`, completion `z0 5y FF`, error `z0 6y ee FF`.
 */
import type { PtzCommand } from '@cc/protocol';

export const VISCA_ERRORS: Record<number, string> = {
  0x01: 'message length error',
  0x02: 'syntax error',
  0x03: 'command buffer full',
  0x04: 'command canceled',
  0x05: 'no socket',
  0x41: 'command not executable',
};

export type ViscaReply =
  | { type: 'ack'; address: number; socket: number }
  | { type: 'completion'; address: number; socket: number; data: number[] }
  | { type: 'error'; address: number; socket: number; code: number; message: string }
  | { type: 'address'; next: number }
  | { type: 'unknown'; bytes: number[] };

const header = (address: number): number => 0x80 | (address & 0x07);
const packet = (address: number, ...body: number[]): Buffer => Buffer.from([header(address), ...body, 0xff]);
const clamp = (value: number, min: number, max: number): number => Math.max(min, Math.min(max, Math.round(value)));

/** Pan speed 01–18h, tilt 01–14h, zoom/focus 0–7. */
export function viscaCommand(address: number, command: PtzCommand): Buffer {
  switch (command.action) {
    case 'stop':
      return packet(address, 0x01, 0x06, 0x01, 0x01, 0x01, 0x03, 0x03);
    case 'move': {
      if (command.pan === 0 && command.tilt === 0 && command.zoom !== 0) {
        const speed = clamp(Math.abs(command.zoom) * 7, 0, 7);
        return packet(address, 0x01, 0x04, 0x07, (command.zoom > 0 ? 0x20 : 0x30) | speed);
      }
      const vv = clamp(Math.abs(command.pan) * 0x18, 1, 0x18);
      const ww = clamp(Math.abs(command.tilt) * 0x14, 1, 0x14);
      const p = command.pan < 0 ? 0x01 : command.pan > 0 ? 0x02 : 0x03;
      const q = command.tilt > 0 ? 0x01 : command.tilt < 0 ? 0x02 : 0x03;
      return packet(address, 0x01, 0x06, 0x01, vv, ww, p, q);
    }
    case 'focus':
      return packet(address, 0x01, 0x04, 0x08, (command.direction === 'far' ? 0x20 : 0x30) | clamp(command.speed * 7, 0, 7));
    case 'iris':
      return packet(address, 0x01, 0x04, 0x0b, command.direction === 'open' ? 0x02 : 0x03);
    case 'presetSet':
    case 'presetCall':
    case 'presetDelete': {
      const mode = { presetDelete: 0x00, presetSet: 0x01, presetCall: 0x02 }[command.action];
      return packet(address, 0x01, 0x04, 0x3f, mode, clamp(command.preset, 0, 0x7f));
    }
  }
}

/** Broadcast AddressSet: cameras on the daisy chain number themselves from 1. */
export const viscaAddressSet = (): Buffer => Buffer.from([0x88, 0x30, 0x01, 0xff]);
/** CAM_PowerInq: the poll that tells us the camera is there. */
export const viscaPowerInquiry = (address: number): Buffer => packet(address, 0x09, 0x04, 0x00);

/** Splits a byte stream into VISCA packets (terminated by FF); keeps the unfinished rest. */
export class ViscaFramer {
  private pending: number[] = [];

  push(chunk: Buffer): ViscaReply[] {
    const out: ViscaReply[] = [];
    for (const byte of chunk) {
      this.pending.push(byte);
      if (byte === 0xff) {
        out.push(parseViscaReply(this.pending));
        this.pending = [];
      } else if (this.pending.length > 16) {
        this.pending = []; // no VISCA reply is this long: resynchronise on the next FF
      }
    }
    return out;
  }
}

export function parseViscaReply(bytes: number[]): ViscaReply {
  const [first, second, third] = bytes;
  if (first === undefined || second === undefined || bytes.at(-1) !== 0xff || (first & 0x80) === 0) return { type: 'unknown', bytes };
  if (first === 0x88 && second === 0x30 && bytes.length === 4 && third !== undefined) return { type: 'address', next: third };
  const address = ((first >> 4) & 0x07) - 0;
  const socket = second & 0x0f;
  switch (second & 0xf0) {
    case 0x40:
      return bytes.length === 3 ? { type: 'ack', address, socket } : { type: 'unknown', bytes };
    case 0x50:
      return { type: 'completion', address, socket, data: bytes.slice(2, -1) };
    case 0x60: {
      if (bytes.length !== 4 || third === undefined) return { type: 'unknown', bytes };
      return { type: 'error', address, socket, code: third, message: VISCA_ERRORS[third] ?? `error ${third.toString(16)}` };
    }
    default:
      return { type: 'unknown', bytes };
  }
}
