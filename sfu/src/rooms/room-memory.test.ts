/**
 * Room memory across a worker death, on a real mediasoup worker that is SIGKILLed: rejoining
 * participants get their peer ids back (so forced mutes, floor, hands and layout still apply),
 * the locked room lets them in but not strangers, banned subjects stay out, and who does not
 * come back within the grace period loses its per-peer state. (The media side is tested with
 * Chromium in tests/e2e/sfu-consultation.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, type JoinTokenClaims, type SfuNotification } from '@cc/protocol';
import { forceMute, giveFloor, lockRoom, raiseHand, setLayout } from '../moderation/moderation.js';
import type { Room } from './room.js';
import { realRooms } from './test-support.js';

const real = realRooms({ rejoinGraceMs: 300 });

const claims = (sub: string, role: JoinTokenClaims['role'] = 'court_user'): JoinTokenClaims => ({
  room: 'memory-test',
  sub,
  name: sub,
  role,
  court: sub.toUpperCase(),
  exp: Math.floor(Date.now() / 1000) + 600,
});

function join(room: Room, sub: string, role: JoinTokenClaims['role'] = 'court_user'): string {
  const peer = room.join(
    claims(sub, role),
    (_m: SfuNotification) => undefined,
    () => undefined,
  );
  return peer.id;
}

function refusal(room: Room, sub: string): string | undefined {
  try {
    join(room, sub);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('room memory across a SIGKILLed mediasoup worker', () => {
  it('keeps per-peer moderation state by join-token subject, the lock, the layout and the bans', async () => {
    const room = await real.rooms.get('memory-test');
    const leader = join(room, 'leader', 'leader');
    const a = join(room, 'a');
    const b = join(room, 'b');
    const c = join(room, 'c');
    forceMute(room, b, true);
    forceMute(room, c, true);
    giveFloor(room, a);
    raiseHand(room, room.peer(b), true);
    raiseHand(room, room.peer(c), true);
    setLayout(room, 'speaker', a);
    room.memory.bannedSubs.add('banned');
    lockRoom(room, true);
    const before = structuredClone(room.state);

    const [pid] = real.pool.pids;
    process.kill(pid!, 'SIGKILL');
    await until(() => (room.closed && real.pool.restarts === 1 && !real.pool.pids.includes(pid!) ? true : undefined));
    const rebuilt = await real.rooms.get('memory-test');
    expect(rebuilt).not.toBe(room);
    expect(rebuilt.memory.sessionId).toBe(room.memory.sessionId);
    expect(rebuilt.state).toEqual(before);

    expect(join(rebuilt, 'leader', 'leader')).toBe(leader);
    expect(join(rebuilt, 'a')).toBe(a);
    expect(join(rebuilt, 'b')).toBe(b);
    expect(refusal(rebuilt, 'stranger')).toBe(ErrorCode.RoomLocked);
    expect(refusal(rebuilt, 'banned')).toBe(ErrorCode.Forbidden);
    expect(rebuilt.state).toEqual(before);

    // c never comes back: after the grace period its state goes, the others' stays.
    forceMute(rebuilt, a, true);
    raiseHand(rebuilt, rebuilt.peer(a), true);
    const cParticipant = rebuilt.memory.participants.get('c');
    expect(cParticipant?.leftAt).toBeUndefined();
    expect(rebuilt.memory.rejoining.get('c')).toBe(c);
    await until(() => (rebuilt.memory.rejoining.size === 0 ? true : undefined));
    expect(rebuilt.state.forcedMuted.sort()).toEqual([a, b].sort());
    expect(rebuilt.state.handsRaised.sort()).toEqual([a, b].sort());
    expect(rebuilt.state.floorPeerId).toBe(a);
    expect(rebuilt.memory.participants.get('c')?.leftAt).toBeDefined();
    // A newcomer with c's subject is a stranger now: the room is still locked.
    expect(refusal(rebuilt, 'c')).toBe(ErrorCode.RoomLocked);
  });
});
