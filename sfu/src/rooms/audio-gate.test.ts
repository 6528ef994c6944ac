/**
 * The server-side audio gate (forced mutes, moderated mode, the floor) on a real mediasoup worker
 * with real audio producers: what the worker ends up with after moderation actions that follow
 * each other faster than the worker answers. (What the peers hear is tested with Chromium in
 * tests/e2e/sfu-consultation.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import type { JoinTokenClaims } from '@cc/protocol';
import { forceMute, giveFloor, setModerated, takeFloor } from '../moderation/moderation.js';
import type { Room } from './room.js';
import { realRooms } from './test-support.js';

const real = realRooms();
let ssrc = 1000;

/** A peer with a microphone: an Opus producer on a plain transport of the peer's router. */
async function withMicrophone(room: Room, sub: string, role: JoinTokenClaims['role'] = 'court_user') {
  const claims: JoinTokenClaims = { room: room.id, sub, name: sub, role, court: 'A1', exp: Math.floor(Date.now() / 1000) + 600 };
  const peer = room.join(
    claims,
    () => undefined,
    () => undefined,
  );
  const transport = await peer.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
  const producer: types.Producer = await transport.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: ssrc++ }],
    },
  });
  room.announceProducer(peer, producer, 'microphone');
  return { id: peer.id, producer };
}

/** The pause state the worker holds once every request asked so far has been answered. */
async function settled(producers: types.Producer[]): Promise<boolean[]> {
  // Requests on the channel are answered in order: a dump asked now comes back after them.
  for (const producer of producers) await producer.dump();
  return producers.map((p) => p.paused);
}

describe('server-side audio gate (real mediasoup worker)', () => {
  it('leaves the floor holder audible when moderated mode and the floor are set back to back', async () => {
    const room = await real.rooms.get('gate-test');
    const leader = await withMicrophone(room, 'leader', 'leader');
    const b = await withMicrophone(room, 'b');
    const c = await withMicrophone(room, 'c');
    const all = [leader.producer, b.producer, c.producer];
    expect(await settled(all)).toEqual([false, false, false]);

    // The leader's two clicks arrive together: the gate pauses b, then must resume it.
    setModerated(room, true);
    giveFloor(room, b.id);
    expect(await settled(all)).toEqual([false, false, true]);

    // Floor to c and straight back to b; then taken: only the leader is heard.
    giveFloor(room, c.id);
    giveFloor(room, b.id);
    expect(await settled(all)).toEqual([false, false, true]);
    takeFloor(room);
    expect(await settled(all)).toEqual([false, true, true]);

    // Moderated mode off and a forced mute on c at once: b is heard again, c stays silent.
    setModerated(room, false);
    forceMute(room, c.id, true);
    expect(await settled(all)).toEqual([false, false, true]);
    forceMute(room, c.id, false);
    expect(await settled(all)).toEqual([false, false, false]);
  });
});
