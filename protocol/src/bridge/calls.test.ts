import { describe, expect, it } from 'vitest';
import { answerCallSchema, bridgeCommandRoutes, callInfoSchema, intercomRoomId, startCallSchema } from './commands.js';
import { bridgeEventSchema } from './events.js';

describe('intercom call contracts', () => {
  it('routes: start, answer, hang up, list', () => {
    expect([bridgeCommandRoutes.startCall.method, bridgeCommandRoutes.startCall.path]).toEqual(['POST', '/api/v1/calls']);
    expect([bridgeCommandRoutes.answerCall.method, bridgeCommandRoutes.answerCall.path]).toEqual(['POST', '/api/v1/calls/:callId/answer']);
    expect([bridgeCommandRoutes.hangUp.method, bridgeCommandRoutes.hangUp.path]).toEqual(['DELETE', '/api/v1/calls/:callId']);
    expect([bridgeCommandRoutes.listCalls.method, bridgeCommandRoutes.listCalls.path]).toEqual(['GET', '/api/v1/calls']);
  });

  it('a call room defaults to intercom:<deviceId>; rooms and ids are checked', () => {
    expect(intercomRoomId('intercom-8001')).toBe('intercom:intercom-8001');
    expect(
      startCallSchema.parse({ deviceId: 'intercom-8001', consoleProducerId: 'p1', room: intercomRoomId('intercom-8001') }),
    ).toBeTruthy();
    expect(startCallSchema.safeParse({ deviceId: 'intercom-8001', room: 'has space' }).success).toBe(false);
    expect(startCallSchema.safeParse({ deviceId: 'bad id' }).success).toBe(false);
    expect(startCallSchema.safeParse({ deviceId: 'intercom-8001', extra: 1 }).success).toBe(false);
    expect(answerCallSchema.parse({})).toEqual({});
    expect(callInfoSchema.parse({ callId: 'c', state: 'ended', reason: 'busy' })).toMatchObject({ reason: 'busy' });
  });

  it('call.state events carry why and by whom a call ended', () => {
    const base = {
      eventId: '6f1c4bd8-4b5e-4b8e-9a51-0c1f3f4a8b21',
      at: '2026-11-22T00:00:00.000Z',
      type: 'call.state',
      callId: 'c1',
      deviceId: 'intercom-8001',
    };
    const ended = {
      ...base,
      direction: 'inbound',
      state: 'ended',
      reason: 'media_timeout',
      by: 'bridge',
      detail: 'no RTP',
      room: 'intercom:intercom-8001',
    };
    expect(bridgeEventSchema.parse(ended)).toMatchObject({ reason: 'media_timeout', by: 'bridge' });
    expect(bridgeEventSchema.safeParse({ ...ended, reason: 'bored' }).success).toBe(false);
    expect(bridgeEventSchema.safeParse({ ...ended, by: 'someone' }).success).toBe(false);
  });
});
