import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bridgeIngestRequestSchema } from './events.js';
import { bridgeCommandRoutes, ptzCommandSchema } from './commands.js';

const base = () => ({ eventId: randomUUID(), at: new Date().toISOString() });

describe('bridge events', () => {
  it('accepts an SOS alarm with position and a batch of positions', () => {
    const parsed = bridgeIngestRequestSchema.parse({
      events: [
        {
          ...base(),
          type: 'alarm',
          deviceId: '34020000001320000001',
          channelId: '34020000001320000001',
          priority: 1,
          method: 2,
          sn: 7,
          position: { longitude: 116.39, latitude: 39.91 },
        },
        {
          ...base(),
          type: 'positions',
          positions: [{ deviceId: '34020000001320000001', time: '2026-11-21T20:48:31', longitude: 116.39, latitude: 39.91 }],
        },
        { ...base(), type: 'device.offline', deviceId: '34020000001320000001', kind: 'gb28181', reason: 'keepalive_timeout' },
      ],
    });
    expect(parsed.events.map((e) => e.type)).toEqual(['alarm', 'positions', 'device.offline']);
  });

  it('refuses unknown types, bad ids and out-of-range positions', () => {
    expect(bridgeIngestRequestSchema.safeParse({ events: [{ ...base(), type: 'nope' }] }).success).toBe(false);
    expect(
      bridgeIngestRequestSchema.safeParse({ events: [{ ...base(), type: 'device.online', deviceId: 'a b', kind: 'gb28181' }] }).success,
    ).toBe(false);
    expect(
      bridgeIngestRequestSchema.safeParse({
        events: [
          {
            ...base(),
            type: 'alarm',
            deviceId: '34020000001320000001',
            channelId: '34020000001320000001',
            priority: 1,
            method: 2,
            sn: 1,
            position: { longitude: 200, latitude: 0 },
          },
        ],
      }).success,
    ).toBe(false);
    expect(bridgeIngestRequestSchema.safeParse({ events: [] }).success).toBe(false);
  });
});

describe('bridge commands', () => {
  it('has one route per name with a path under /api/v1', () => {
    for (const route of Object.values(bridgeCommandRoutes)) expect(route.path.startsWith('/api/v1/')).toBe(true);
  });
  it('parses PTZ commands and refuses out-of-range speeds', () => {
    expect(ptzCommandSchema.parse({ action: 'move', pan: 1, tilt: 0 })).toEqual({ action: 'move', pan: 1, tilt: 0, zoom: 0 });
    expect(ptzCommandSchema.safeParse({ action: 'move', pan: 2, tilt: 0 }).success).toBe(false);
    expect(ptzCommandSchema.safeParse({ action: 'presetCall', preset: 0 }).success).toBe(false);
  });
});
