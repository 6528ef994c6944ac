import { describe, expect, it } from 'vitest';
import { encodePtzCmd, ptzCmdFor } from './ptz.js';

describe('PTZCmd', () => {
  it('matches the worked values of the GB28181 reference', () => {
    expect(encodePtzCmd(0x01, 0x80, 0, 0)).toBe('A50F010180000036');
    expect(ptzCmdFor({ action: 'stop' })).toBe('A50F0100000000B5');
    expect(encodePtzCmd(0x08, 0x00, 0xfa, 0)).toBe('A50F010800FA00B7');
    expect(ptzCmdFor({ action: 'move', pan: 0, tilt: 0, zoom: 1 }).slice(0, 8)).toBe('A50F0110');
    expect(encodePtzCmd(0x10, 0, 0, 0xa)).toBe('A50F01100000A065');
    expect(ptzCmdFor({ action: 'presetSet', preset: 5 })).toBe('A50F01810005003B');
    expect(ptzCmdFor({ action: 'presetCall', preset: 5 })).toBe('A50F01820005003C');
    expect(ptzCmdFor({ action: 'presetDelete', preset: 5 })).toBe('A50F01830005003D');
    expect(encodePtzCmd(0x41, 0x80, 0, 0)).toBe('A50F014180000076');
    expect(encodePtzCmd(0x48, 0, 0x80, 0)).toBe('A50F01480080007D');
  });

  it('sets direction bits from the signed axes', () => {
    expect(ptzCmdFor({ action: 'move', pan: -1, tilt: 1, zoom: 0 })).toBe(encodePtzCmd(0x0a, 0xff, 0xff, 0));
    expect(ptzCmdFor({ action: 'move', pan: 0, tilt: -0.5, zoom: -1 })).toBe(encodePtzCmd(0x24, 0, 0x80, 0x0f));
  });
});
