/**
 * Server-side recordings (录像), started and stopped by the leader: every track of the room
 * (and every track published while it runs) goes to its own file under
 * `<dataDir>/recordings/<room>/<recordingId>/`; on stop a manifest with each file's SHA-256,
 * times and the participants is written next to them and sent to the hub.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { types } from 'mediasoup';
import { ErrorCode, ProtocolError, type RecordingFile, type RecordingManifest } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { HubRecords } from '../records/hub-records.js';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import { TrackRecorder } from './track-recorder.js';

interface Running {
  id: string;
  dir: string;
  by: Peer;
  startedAt: Date;
  tracks: { recorder: Promise<TrackRecorder | undefined>; peer: Peer }[];
  watch: (peer: Peer, producer: types.Producer) => void;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const safe = (text: string): string => text.replace(/[^\p{L}\p{N}_-]+/gu, '_').slice(0, 48);

export class Recordings {
  private readonly running = new Map<Room, Running>();

  constructor(
    private readonly dataDir: string,
    private readonly records: HubRecords,
    private readonly logger: Logger,
  ) {}

  private get root(): string {
    return join(this.dataDir, 'recordings');
  }

  private follow(room: Room, run: Running, peer: Peer, producer: types.Producer): void {
    if (!TrackRecorder.supports(producer)) return;
    const base = join(run.dir, `${safe(peer.claims.name || peer.claims.sub)}-${producer.kind}-${producer.id.slice(0, 8)}`);
    const recorder = room.routers
      .ensureOn(producer.id, peer.router, room.router)
      .then(() => TrackRecorder.start(room.router, producer, base))
      .catch((error: unknown) => {
        this.logger.error({ err: error, producerId: producer.id }, 'cannot record track');
        return undefined;
      });
    run.tracks.push({ recorder, peer });
    producer.observer.once('close', () => void recorder.then((r) => r?.stop()));
  }

  async start(room: Room, by: Peer): Promise<{ recordingId: string }> {
    if (this.running.has(room)) throw new ProtocolError(ErrorCode.Conflict, { reason: 'already recording' });
    const id = randomUUID();
    const dir = join(this.root, safe(room.id), id);
    mkdirSync(dir, { recursive: true });
    const run: Running = {
      id,
      dir,
      by,
      startedAt: new Date(),
      tracks: [],
      watch: (peer, producer) => this.follow(room, run, peer, producer),
    };
    this.running.set(room, run);
    for (const peer of room.peers.values()) for (const { producer } of peer.producers.values()) this.follow(room, run, peer, producer);
    room.producerWatchers.add(run.watch);
    room.closers.add(() => void this.stop(room).catch(() => undefined));
    room.state.recording = true;
    room.stateChanged();
    this.logger.info({ room: room.id, recordingId: id }, 'recording started');
    return { recordingId: id };
  }

  async stop(room: Room): Promise<{ recordingId: string; files: number }> {
    const run = this.running.get(room);
    if (!run) throw new ProtocolError(ErrorCode.NotFound, { reason: 'no recording running' });
    this.running.delete(room);
    room.producerWatchers.delete(run.watch);
    if (!room.closed) {
      room.state.recording = false;
      room.stateChanged();
    }
    const files: RecordingFile[] = [];
    const stopped = await Promise.all(run.tracks.map(async ({ recorder, peer }) => ({ track: await (await recorder)?.stop(), peer })));
    for (const { track, peer } of stopped) {
      if (!track) continue;
      const file: RecordingFile = {
        path: relative(this.root, track.file),
        peerId: peer.id,
        name: peer.claims.name,
        kind: track.kind,
        codec: track.codec,
        bytes: statSync(track.file, { throwIfNoEntry: false })?.size ?? 0,
        sha256: await sha256(track.file).catch(() => createHash('sha256').digest('hex')),
        startedAt: track.startedAt.toISOString(),
        endedAt: (track.endedAt ?? new Date()).toISOString(),
      };
      if (peer.claims.court) file.court = peer.claims.court;
      files.push(file);
    }
    const manifest: RecordingManifest = {
      recordingId: run.id,
      room: room.id,
      startedAt: run.startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      startedBy: run.by.claims.sub,
      participants: [...room.memory.participants.values()],
      files,
    };
    writeFileSync(join(run.dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const by = { sub: run.by.claims.sub, name: run.by.claims.name, ...(run.by.claims.court ? { court: run.by.claims.court } : {}) };
    this.records.send({
      kind: 'recording',
      recordId: run.id,
      room: room.id,
      sessionId: room.memory.sessionId,
      startedAt: manifest.startedAt,
      endedAt: manifest.endedAt,
      by,
      participants: manifest.participants,
      manifest,
    });
    this.logger.info({ room: room.id, recordingId: run.id, files: files.length }, 'recording stopped');
    return { recordingId: run.id, files: files.length };
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.keys()].map((room) => this.stop(room).catch(() => undefined)));
  }
}
