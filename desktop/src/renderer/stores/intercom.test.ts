import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { HubEventData } from '@cc/protocol';
import { fakeHub } from '../testing/fake-hub';
import { fakeMediaRooms } from '../testing/fake-media';
import type { Route } from '../testing/fakes';
import { useIntercomStore } from './intercom';
import { mediaDeps } from './media-session';
import { sessionDeps } from './session';

const DEVICE = '1001';
const microphone = { kind: 'audio', id: 'mic' } as unknown as MediaStreamTrack;

type CallState = HubEventData<'call.state'>;

function setup(route: Route) {
  const hub = fakeHub(route);
  const sessions = fakeMediaRooms();
  mediaDeps.microphone = async () => microphone;
  const intercom = useIntercomStore();
  const stop = intercom.follow();
  hub.connect();
  hub.hello();
  const callEvent = (data: CallState) => hub.event('call.state', data, { at: '2026-11-22T00:00:00.000Z' });
  return { intercom, requests: hub.requests, sessions, callEvent, stop };
}

const hubRoute: Route = (r) => {
  if (r.path === '/api/v1/calls/media')
    return {
      status: 200,
      body: { room: `intercom:${DEVICE}`, deviceId: DEVICE, sfuUrl: 'ws://sfu.test/ws', token: 'call-tok', expiresAt: 'x' },
    };
  if (r.path === '/api/v1/calls' && r.method === 'POST') return { status: 201, body: { callId: 'c1', deviceId: DEVICE, state: 'ringing' } };
  const answer = /^\/api\/v1\/calls\/([^/]+)\/answer$/.exec(r.path);
  if (answer) return { status: 200, body: { callId: answer[1], deviceId: DEVICE, state: 'answered' } };
  const hang = /^\/api\/v1\/calls\/([^/]+)$/.exec(r.path);
  if (hang && r.method === 'DELETE') return { status: 200, body: { callId: hang[1], deviceId: DEVICE, state: 'ended' } };
  return undefined;
};

describe('intercom store', () => {
  beforeEach(() => {
    sessionDeps.fetchImpl = undefined;
  });

  it('calls a device with the console’s microphone published in the call room, follows its state and hangs up', async () => {
    const { intercom, requests, sessions, callEvent } = setup(hubRoute);
    expect(await intercom.start(DEVICE, 'i1')).toBe(true);
    expect(sessions[0]!.options).toMatchObject({ url: 'ws://sfu.test/ws', token: 'call-tok' });
    expect(sessions[0]!.published).toEqual([{ track: microphone, source: 'microphone' }]);
    expect(requests.find((r) => r.path === '/api/v1/calls' && r.method === 'POST')?.body).toEqual({
      deviceId: DEVICE,
      consoleProducerId: 'producer-microphone',
      incidentId: 'i1',
    });
    expect(intercom.current).toMatchObject({ callId: 'c1', state: 'ringing', direction: 'outbound' });
    expect(await intercom.start(DEVICE)).toBe(false); // one call at a time

    callEvent({ callId: 'c1', deviceId: DEVICE, direction: 'outbound', state: 'answered', producerId: 'voice' });
    expect(intercom.current?.state).toBe('answered');
    const voice = sessions[0]!.addTrack('audio', 'voice');
    expect(intercom.remoteAudio).toBe(voice.track);

    await intercom.hangUp();
    expect(requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/calls/c1' });
    expect(intercom.current?.state).toBe('ended');
    expect(sessions[0]!.closed).toBe(true);
    intercom.dismiss();
    expect(intercom.current).toBeNull();
  });

  it('finds the inbound calls already ringing when it starts (a reloaded console)', async () => {
    const { intercom } = setup((r) =>
      r.path === '/api/v1/calls' && r.method === 'GET'
        ? {
            status: 200,
            body: {
              calls: [
                { callId: 'old-in', deviceId: DEVICE, deviceName: '大厅对讲', state: 'ringing', direction: 'inbound' },
                { callId: 'busy', deviceId: DEVICE, state: 'answered', direction: 'inbound' },
                { callId: 'out', deviceId: DEVICE, state: 'ringing', direction: 'outbound' },
              ],
            },
          }
        : hubRoute(r),
    );
    await vi.waitFor(() => expect(intercom.incoming.map((c) => c.callId)).toEqual(['old-in']));
    expect(intercom.incoming[0]?.deviceName).toBe('大厅对讲');
  });

  it('keeps a call that rang, and drops one that ended, while the call list was on its way', async () => {
    let answerList = (): void => undefined;
    const held = new Promise<void>((r) => (answerList = r));
    const { intercom, requests, callEvent } = setup((r) =>
      r.path === '/api/v1/calls' && r.method === 'GET'
        ? held.then(() => ({
            status: 200,
            body: { calls: [{ callId: 'gone', deviceId: DEVICE, state: 'ringing', direction: 'inbound' }] },
          }))
        : hubRoute(r),
    );
    await vi.waitFor(() => expect(requests.some((r) => r.path === '/api/v1/calls')).toBe(true));
    callEvent({ callId: 'new', deviceId: '1002', deviceName: '东门对讲', direction: 'inbound', state: 'ringing' });
    callEvent({ callId: 'gone', deviceId: DEVICE, direction: 'inbound', state: 'ended', reason: 'cancelled' });
    answerList();
    await new Promise((r) => setTimeout(r, 10));
    expect(intercom.incoming.map((c) => [c.callId, c.deviceName])).toEqual([['new', '东门对讲']]);
  });

  it('applies call state that arrived before the hub answered startCall', async () => {
    const bus: { emit?: (data: CallState) => void } = {};
    const { intercom, callEvent } = setup((r) => {
      if (r.path === '/api/v1/calls' && r.method === 'POST') {
        bus.emit?.({ callId: 'c1', deviceId: DEVICE, direction: 'outbound', state: 'answered', producerId: 'voice' });
      }
      return hubRoute(r);
    });
    bus.emit = callEvent;
    expect(await intercom.start(DEVICE)).toBe(true);
    expect(intercom.current).toMatchObject({ callId: 'c1', state: 'answered' });
  });

  it('rings inbound calls until accepted or declined, and drops them when the device gives up', async () => {
    const { intercom, requests, sessions, callEvent } = setup(hubRoute);
    callEvent({ callId: 'in1', deviceId: DEVICE, deviceName: '大厅对讲', direction: 'inbound', state: 'ringing' });
    callEvent({ callId: 'in2', deviceId: '1002', direction: 'inbound', state: 'ringing' });
    expect(intercom.incoming.map((c) => [c.callId, c.deviceName])).toEqual([
      ['in1', '大厅对讲'],
      ['in2', undefined],
    ]);
    callEvent({ callId: 'in2', deviceId: '1002', direction: 'inbound', state: 'ended', reason: 'cancelled' });
    expect(intercom.incoming.map((c) => c.callId)).toEqual(['in1']);

    expect(await intercom.accept('in1')).toBe(true);
    expect(requests.find((r) => r.path === '/api/v1/calls/in1/answer')?.body).toEqual({ consoleProducerId: 'producer-microphone' });
    expect(intercom.incoming).toEqual([]);
    expect(intercom.current).toMatchObject({ callId: 'in1', deviceName: '大厅对讲', state: 'answered', direction: 'inbound' });
    expect(sessions).toHaveLength(1);

    callEvent({ callId: 'in3', deviceId: '1003', direction: 'inbound', state: 'ringing' });
    expect(await intercom.decline('in3')).toBe(true);
    expect(requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/calls/in3' });
    expect(intercom.incoming).toEqual([]);
    callEvent({ callId: 'in1', deviceId: DEVICE, direction: 'inbound', state: 'ended', reason: 'hangup' });
    expect(intercom.current?.state).toBe('ended');
    expect(sessions[0]!.closed).toBe(true);
  });

  it('shows the hub’s error and releases the microphone room when the call cannot be placed', async () => {
    const { intercom, sessions } = setup((r) =>
      r.path === '/api/v1/calls'
        ? { status: 503, body: { error: { code: 'unavailable', message: '服务暂不可用', messageEn: 'bridge down' } } }
        : hubRoute(r),
    );
    expect(await intercom.start(DEVICE)).toBe(false);
    expect(intercom.error).toMatchObject({ code: 'unavailable', messageZh: '服务暂不可用' });
    expect(intercom.current).toBeNull();
    expect(sessions[0]!.closed).toBe(true);
  });
});
