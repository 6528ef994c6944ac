/**
 * 视频点名 / 随机抽查: the leader picks N courts (by hand or at random); each court's peers
 * are prompted and must answer on camera within T seconds; answers within a late window
 * count as late, none as absent. The result goes to every participant and to the hub.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { ErrorCode, ProtocolError, type ConsultationRecord, type RollCall, type RollCallResult } from '@cc/protocol';
import type { Peer } from '../rooms/peer.js';
import type { Room, RoomAttachment, RoomMemory } from '../rooms/room.js';

export interface RollCallRequest {
  courts?: string[] | undefined;
  randomCount?: number | undefined;
  timeoutS: number;
  lateWindowS?: number | undefined;
}

/** Keyed by the room's memory: a roll call outlives a worker death (same deadlines, same marks). */
const active = new WeakMap<RoomMemory, RollCallRun>();

function pickRandom<T>(items: T[], count: number): T[] {
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

function courtsPresent(room: Room): string[] {
  const courts = new Set<string>();
  for (const peer of room.peers.values()) if (!peer.isLeader && !peer.isService && peer.claims.court) courts.add(peer.claims.court);
  return [...courts].sort();
}

class RollCallRun implements RoomAttachment {
  readonly id = randomUUID();
  private readonly results = new Map<string, RollCallResult>();
  private readonly startedAt = new Date();
  private readonly deadline: Date;
  private readonly timer: NodeJS.Timeout;
  private done = false;

  constructor(
    /** The current room: replaced when the room is rebuilt after a worker death. */
    private room: Room,
    private readonly leader: Peer,
    private readonly mode: 'manual' | 'random',
    courts: string[],
    private readonly timeoutS: number,
    private readonly lateWindowS: number,
    private readonly finished: (record: ConsultationRecord) => void,
  ) {
    this.deadline = new Date(this.startedAt.getTime() + timeoutS * 1000);
    const promptedAt = this.startedAt.toISOString();
    for (const court of courts) this.results.set(court, { court, status: 'absent', promptedAt });
    for (const peer of room.peers.values()) this.prompt(peer);
    // The clock runs in the Node process: a worker death does not restart it.
    this.timer = setTimeout(() => this.finish(), (timeoutS + lateWindowS) * 1000);
    room.memory.attachments.add(this);
    this.publish(false);
  }

  /** Prompts a peer whose court is called and has not answered yet (also after a rejoin), with the original deadline. */
  private prompt(peer: Peer): void {
    const court = peer.claims.court;
    if (!court || peer.isLeader || this.results.get(court)?.answeredAt !== undefined || !this.results.has(court)) return;
    const data = { rollCallId: this.id, court, timeoutS: this.timeoutS, deadline: this.deadline.toISOString() };
    peer.notify({ type: 'notification', event: 'rollCallPrompt', data });
  }

  attach(room: Room): void {
    this.room = room;
  }

  /** A (re)joining peer sees the roll call's progress so far and, if its court is still due, the prompt. */
  peerJoined(room: Room, peer: Peer): void {
    if (room !== this.room) return;
    peer.notify({ type: 'notification', event: 'rollCallUpdate', data: { done: false, rollCall: this.snapshot() } });
    this.prompt(peer);
  }

  end(): void {
    this.finish();
  }

  get courts(): string[] {
    return [...this.results.keys()];
  }

  answer(peer: Peer): 'answered' | 'late' {
    const court = peer.claims.court;
    const result = court === undefined ? undefined : this.results.get(court);
    if (!result) throw new ProtocolError(ErrorCode.Forbidden, { reason: 'your court is not in this roll call' });
    if (result.answeredAt) throw new ProtocolError(ErrorCode.Conflict, { reason: 'your court already answered' });
    if (!peer.hasLiveCamera) throw new ProtocolError(ErrorCode.Forbidden, { reason: 'answer on camera: publish your camera first' });
    const now = new Date();
    result.status = now <= this.deadline ? 'answered' : 'late';
    result.answeredAt = now.toISOString();
    result.responseMs = now.getTime() - this.startedAt.getTime();
    result.name = peer.claims.name;
    result.sub = peer.claims.sub;
    const status = result.status;
    if ([...this.results.values()].every((r) => r.answeredAt)) this.finish();
    else this.publish(false);
    return status;
  }

  private snapshot(): RollCall {
    return {
      rollCallId: this.id,
      mode: this.mode,
      timeoutS: this.timeoutS,
      lateWindowS: this.lateWindowS,
      results: [...this.results.values()],
    };
  }

  private publish(done: boolean): void {
    this.room.broadcast({ type: 'notification', event: 'rollCallUpdate', data: { done, rollCall: this.snapshot() } });
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    const memory = this.room.memory;
    memory.attachments.delete(this);
    if (active.get(memory) === this) active.delete(memory);
    this.publish(true);
    const by: ConsultationRecord['by'] = { sub: this.leader.claims.sub, name: this.leader.claims.name };
    if (this.leader.claims.court) by.court = this.leader.claims.court;
    this.finished({
      kind: 'roll_call',
      recordId: this.id,
      room: this.room.id,
      sessionId: this.room.memory.sessionId,
      startedAt: this.startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      by,
      participants: [...this.room.memory.participants.values()],
      rollCall: this.snapshot(),
    });
  }
}

export function startRollCall(
  room: Room,
  leader: Peer,
  request: RollCallRequest,
  finished: (record: ConsultationRecord) => void,
): { rollCallId: string; courts: string[] } {
  if (active.has(room.memory)) throw new ProtocolError(ErrorCode.Conflict, { reason: 'a roll call is running' });
  let courts: string[];
  if (request.courts) {
    courts = [...new Set(request.courts)];
  } else {
    const present = courtsPresent(room);
    const count = request.randomCount ?? 0;
    if (count > present.length) {
      throw new ProtocolError(ErrorCode.ValidationFailed, { reason: `only ${present.length} courts are present`, present });
    }
    courts = pickRandom(present, count);
  }
  const run = new RollCallRun(
    room,
    leader,
    request.courts ? 'manual' : 'random',
    courts,
    request.timeoutS,
    request.lateWindowS ?? request.timeoutS,
    finished,
  );
  active.set(room.memory, run);
  return { rollCallId: run.id, courts: run.courts };
}

export function answerRollCall(room: Room, peer: Peer, rollCallId: string): 'answered' | 'late' {
  const run = active.get(room.memory);
  if (!run || run.id !== rollCallId) throw new ProtocolError(ErrorCode.NotFound, { rollCallId });
  return run.answer(peer);
}
