/**
 * Server-side recordings (录像), started and stopped by the leader: every track of the room
 * (and every track published while it runs) goes to its own file under
 * `<dataDir>/recordings/<room>/<recordingId>/`; on stop a manifest with each file's SHA-256,
 * times and the participants is written next to them and sent to the hub.
 *
 * A recording belongs to the room's memory, not to the worker-bound room: when the worker dies
 * the segment's files are finished, and the rebuilt room continues the SAME recording as a new
 * segment; the manifest lists every segment and the gap between them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { types } from 'mediasoup';
import { ErrorCode, ProtocolError, type JoinTokenClaims, type RecordingFile, type RecordingManifest } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { HubRecords } from '../records/hub-records.js';
import type { Peer } from '../rooms/peer.js';
import type { Room, RoomAttachment, RoomMemory } from '../rooms/room.js';
import { TrackRecorder } from './track-recorder.js';

/** A recording whose room was lost and never rebuilt is finished after this long. */
const SUSPENDED_LIMIT_MS = 120_000;

interface Track {
  recorder: Promise<TrackRecorder | undefined>;
  peer: Peer;
}

interface Segment {
  segment: number;
  startedAt: Date;
  endedAt: Date | undefined;
  tracks: Track[];
}

interface Gap {
  afterSegment: number;
  from: Date;
  to: Date | undefined;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const safe = (text: string): string => text.replace(/[^\p{L}\p{N}_-]+/gu, '_').slice(0, 48);

async function describeFile(root: string, segment: number, { recorder, peer }: Track): Promise<RecordingFile | undefined> {
  const track = await (await recorder)?.stop();
  if (!track) return undefined;
  const file: RecordingFile = {
    path: relative(root, track.file),
    peerId: peer.id,
    name: peer.claims.name,
    kind: track.kind,
    codec: track.codec,
    bytes: statSync(track.file, { throwIfNoEntry: false })?.size ?? 0,
    sha256: await sha256(track.file).catch(() => createHash('sha256').digest('hex')),
    startedAt: track.startedAt.toISOString(),
    endedAt: (track.endedAt ?? new Date()).toISOString(),
    segment,
  };
  if (peer.claims.court) file.court = peer.claims.court;
  return file;
}

class RecordingRun implements RoomAttachment {
  readonly startedAt = new Date();
  readonly memory: RoomMemory;
  readonly segments: Segment[] = [];
  readonly gaps: Gap[] = [];
  private suspendedTimer: NodeJS.Timeout | undefined;
  private readonly watch = (peer: Peer, producer: types.Producer): void => this.follow(peer, producer);

  constructor(
    readonly id: string,
    private room: Room,
    readonly dir: string,
    readonly by: JoinTokenClaims,
    private readonly root: string,
    private readonly logger: Logger,
    /** Finishes the recording (manifest, hub record). */
    private readonly finish: (run: RecordingRun) => void,
  ) {
    this.memory = room.memory;
  }

  get roomId(): string {
    return this.room.id;
  }

  /** Starts a segment on the current room: every producer now, and every one published later. */
  private begin(): void {
    const segment: Segment = { segment: this.segments.length + 1, startedAt: new Date(), endedAt: undefined, tracks: [] };
    this.segments.push(segment);
    for (const peer of this.room.peers.values()) for (const { producer } of peer.producers.values()) this.follow(peer, producer);
    this.room.producerWatchers.add(this.watch);
  }

  start(): void {
    this.begin();
    this.memory.attachments.add(this);
  }

  private follow(peer: Peer, producer: types.Producer): void {
    const segment = this.segments.at(-1);
    if (!segment || segment.endedAt || !TrackRecorder.supports(producer)) return;
    const room = this.room;
    const name = `${safe(peer.claims.name || peer.claims.sub)}-${producer.kind}-${producer.id.slice(0, 8)}`;
    const recorder = room.routers
      .ensureOn(producer.id, peer.router, room.router)
      .then(() => TrackRecorder.start(room.router, producer, join(this.dir, name)))
      .catch((error: unknown) => {
        this.logger.error({ err: error, producerId: producer.id }, 'cannot record track');
        return undefined;
      });
    segment.tracks.push({ recorder, peer });
    producer.observer.once('close', () => void recorder.then((r) => r?.stop()));
  }

  attach(room: Room): void {
    if (room === this.room) return;
    this.room = room;
    clearTimeout(this.suspendedTimer);
    const gap = this.gaps.at(-1);
    if (gap && !gap.to) gap.to = new Date();
    this.begin();
    this.logger.info({ room: room.id, recordingId: this.id, segment: this.segments.length }, 'recording continues in a new segment');
  }

  /** The worker died: the segment's files are finished (ffmpeg writes its trailer) while the room is rebuilt. */
  lost(room: Room): void {
    room.producerWatchers.delete(this.watch);
    const segment = this.segments.at(-1);
    if (!segment || segment.endedAt) return;
    segment.endedAt = new Date();
    this.gaps.push({ afterSegment: segment.segment, from: segment.endedAt, to: undefined });
    for (const { recorder } of segment.tracks) void recorder.then((r) => r?.stop());
    this.suspendedTimer = setTimeout(() => this.finish(this), SUSPENDED_LIMIT_MS);
    this.logger.warn({ room: room.id, recordingId: this.id, segment: segment.segment }, 'recording segment ended with its worker');
  }

  end(): void {
    this.finish(this);
  }

  /** Stops what still records, detaches from the room, and returns the manifest. */
  async close(): Promise<RecordingManifest> {
    clearTimeout(this.suspendedTimer);
    this.memory.attachments.delete(this);
    this.room.producerWatchers.delete(this.watch);
    const now = new Date();
    const last = this.segments.at(-1)!;
    last.endedAt ??= now;
    const gap = this.gaps.at(-1);
    if (gap && !gap.to) gap.to = now;
    const files: RecordingFile[] = [];
    for (const segment of this.segments) {
      const described = await Promise.all(segment.tracks.map((track) => describeFile(this.root, segment.segment, track)));
      for (const file of described) if (file) files.push(file);
    }
    return {
      recordingId: this.id,
      room: this.room.id,
      startedAt: this.startedAt.toISOString(),
      endedAt: now.toISOString(),
      startedBy: this.by.sub,
      participants: [...this.memory.participants.values()],
      files,
      segments: this.segments.map((s) => ({
        segment: s.segment,
        startedAt: s.startedAt.toISOString(),
        endedAt: (s.endedAt ?? now).toISOString(),
      })),
      gaps: this.gaps.map((g) => ({
        afterSegment: g.afterSegment,
        from: g.from.toISOString(),
        to: (g.to ?? now).toISOString(),
        reason: 'media worker died',
      })),
    };
  }

  /** Turns the indicator off in the memory and, if the room is live, for everyone. */
  indicatorOff(): void {
    this.memory.state.recording = false;
    if (!this.room.closed) this.room.stateChanged();
  }
}

export class Recordings {
  private readonly running = new Map<RoomMemory, RecordingRun>();

  constructor(
    private readonly dataDir: string,
    private readonly records: HubRecords,
    private readonly logger: Logger,
  ) {}

  private get root(): string {
    return join(this.dataDir, 'recordings');
  }

  async start(room: Room, by: Peer): Promise<{ recordingId: string }> {
    if (this.running.has(room.memory)) throw new ProtocolError(ErrorCode.Conflict, { reason: 'already recording' });
    const id = randomUUID();
    const dir = join(this.root, safe(room.id), id);
    mkdirSync(dir, { recursive: true });
    const run = new RecordingRun(id, room, dir, by.claims, this.root, this.logger, (r) => void this.finish(r).catch(() => undefined));
    this.running.set(room.memory, run);
    run.start();
    room.state.recording = true;
    room.stateChanged();
    this.logger.info({ room: room.id, recordingId: run.id }, 'recording started');
    return { recordingId: run.id };
  }

  async stop(room: Room): Promise<{ recordingId: string; files: number }> {
    const run = this.running.get(room.memory);
    if (!run) throw new ProtocolError(ErrorCode.NotFound, { reason: 'no recording running' });
    return this.finish(run);
  }

  private async finish(run: RecordingRun): Promise<{ recordingId: string; files: number }> {
    if (this.running.get(run.memory) !== run) return { recordingId: run.id, files: 0 };
    this.running.delete(run.memory);
    run.indicatorOff();
    const manifest = await run.close();
    writeFileSync(join(run.dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const by = { sub: run.by.sub, name: run.by.name, ...(run.by.court ? { court: run.by.court } : {}) };
    this.records.send({
      kind: 'recording',
      recordId: run.id,
      room: run.roomId,
      sessionId: run.memory.sessionId,
      startedAt: manifest.startedAt,
      endedAt: manifest.endedAt,
      by,
      participants: manifest.participants,
      manifest,
    });
    this.logger.info(
      { room: run.roomId, recordingId: run.id, files: manifest.files.length, segments: run.segments.length },
      'recording stopped',
    );
    return { recordingId: run.id, files: manifest.files.length };
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((run) => this.finish(run).catch(() => undefined)));
  }
}
