/**
 * Moves WAL checkpoints off the hub's thread. With SQLite's automatic checkpoint, the commit
 * that pushes the WAL past 1,000 pages copies them into the database file and fsyncs it on
 * the committing thread: on this machine 50 ms to over a second at 10 M flow nodes, during
 * which no alarm, event or request is served. Here the hub's connection never checkpoints
 * (`wal_autocheckpoint = 0`); a worker thread with its own connection runs a PASSIVE
 * checkpoint every INTERVAL_MS (a no-op when nothing new was committed). PASSIVE never blocks
 * the writer; SQLite restarts the WAL from its beginning on the next write once every frame is
 * copied back. Durability is unchanged: commits go to the WAL exactly as before.
 *
 * If the worker dies, the hub's connection goes back to automatic checkpoints (logged), so the
 * WAL cannot grow without bound.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@cc/runtime';
import type { Db } from './database.js';
import type { CheckpointerData, CheckpointerReply, CheckpointerRequest } from './checkpoint-worker.js';

const INTERVAL_MS = 200;
/**
 * WAL frames (4 KB pages) beyond which a bulk writer waits, between two of its transactions, for
 * a checkpoint to copy every frame back (see `makeRoom`): 128 MB, which stays in the page cache.
 * Each wait took ~70 ms at 10 M nodes; at 32 MB they added up to 6 s of a 73 s import.
 */
export const WAL_RESTART_FRAMES = 32768;

const checkpointers = new WeakMap<Db, WalCheckpointer>();
/** The running checkpointer of a connection, if any. */
export const walCheckpointerOf = (db: Db): WalCheckpointer | undefined => checkpointers.get(db);
/** SQLite's own default, restored when the worker is gone. */
const AUTOCHECKPOINT_PAGES = 1000;

export interface CheckpointResult {
  /** WAL frames in the log, and how many of them are in the database file now. */
  log: number;
  checkpointed: number;
}

/** The compiled worker next to this file, or (running from sources under Vitest) in dist/. */
function workerUrl(): URL {
  const here = new URL('./checkpoint-worker.js', import.meta.url);
  return existsSync(fileURLToPath(here)) ? here : new URL('../../dist/store/checkpoint-worker.js', import.meta.url);
}

export class WalCheckpointer {
  private readonly waiting = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private inFlight = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  /** Checkpoints run (for diagnostics). */
  runs = 0;
  /** WAL restarts a bulk writer waited for, and how long it waited in all (for diagnostics). */
  restarts = 0;
  restartWaitMs = 0;
  /** Frames in the WAL at the last checkpoint. */
  private walFrames = 0;

  private constructor(
    private readonly db: Db,
    private readonly worker: Worker,
    private readonly logger: Logger,
  ) {
    worker.on('message', (reply: CheckpointerReply) => this.settle(reply));
    worker.on('error', (error) => this.fallBack(error));
    worker.on('exit', (code) => {
      if (!this.closed) this.fallBack(new Error(`WAL checkpointer exited (code ${code})`));
    });
    worker.unref();
    this.timer = setInterval(() => {
      if (!this.inFlight) this.checkpoint().catch(() => undefined);
    }, INTERVAL_MS);
    this.timer.unref();
  }

  /** Starts the worker for a WAL database on a file; undefined for anything else (nothing to move). */
  static async start(db: Db, logger: Logger): Promise<WalCheckpointer | undefined> {
    if (db.memory || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return undefined;
    const data: CheckpointerData = { path: db.name };
    const worker = new Worker(workerUrl(), { workerData: data });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    db.pragma('wal_autocheckpoint = 0');
    const checkpointer = new WalCheckpointer(db, worker, logger);
    checkpointers.set(db, checkpointer);
    return checkpointer;
  }

  /**
   * Lets the WAL start over from its beginning when it has grown past `maxFrames`: call between
   * two write transactions of a long stream of them (a bulk import). SQLite restarts the WAL only
   * when a write transaction begins with every frame already copied back, which a writer that
   * commits every ~0.1 s never gives the checkpointer (it copies while the next slice is written):
   * the WAL then grew through the whole import (700 MB at 4 M nodes), every frame went to a new
   * part of the file, and the kernel zeroed a fresh page-cache page for each (8 % of the hub
   * thread's time at 10 M nodes, BENCHMARKS.md). Waiting here for one checkpoint (the periodic
   * ones have already copied most frames) lets the next transaction restart the WAL, whose pages
   * are then still in the page cache. The event loop stays free meanwhile.
   */
  async makeRoom(maxFrames: number = WAL_RESTART_FRAMES): Promise<boolean> {
    if (this.closed || this.walFrames <= maxFrames) return false;
    const started = performance.now();
    try {
      const result = await this.checkpoint();
      if (result.checkpointed < result.log) return false;
    } catch {
      return false; // closed or busy: the writer goes on, the WAL keeps growing until the next try
    } finally {
      this.restartWaitMs += performance.now() - started;
    }
    this.walFrames = 0;
    this.restarts++;
    return true;
  }

  /** Runs a checkpoint now; resolves with SQLite's figures. */
  checkpoint(): Promise<CheckpointResult> {
    if (this.closed) return Promise.reject(new Error('WAL checkpointer closed'));
    const seq = ++this.seq;
    this.inFlight = true;
    return new Promise((resolve, reject) => {
      // Someone waits for the answer: the worker keeps the process alive until it comes.
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(seq, { resolve, reject });
      this.post({ kind: 'checkpoint', seq });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    checkpointers.delete(this.db);
    clearInterval(this.timer);
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.post({ kind: 'close' });
    const deadline = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(deadline);
    this.rejectAll(new Error('WAL checkpointer closed'));
  }

  private post(request: CheckpointerRequest): void {
    this.worker.postMessage(request);
  }

  private settle(reply: CheckpointerReply): void {
    this.inFlight = false;
    const waiter = this.waiting.get(reply.seq);
    this.waiting.delete(reply.seq);
    if (this.waiting.size === 0) this.worker.unref();
    if (reply.kind === 'failed') {
      // SQLITE_BUSY and the like: the next interval tries again.
      this.logger.warn({ reason: reply.message }, 'WAL checkpoint did not run');
      waiter?.reject(new Error(reply.message));
      return;
    }
    this.runs++;
    this.walFrames = reply.log;
    waiter?.resolve({ log: reply.log, checkpointed: reply.checkpointed });
  }

  private fallBack(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    checkpointers.delete(this.db);
    clearInterval(this.timer);
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    this.logger.error({ err: error }, 'WAL checkpointer stopped: the hub checkpoints on its own thread again');
    this.rejectAll(error);
  }

  private rejectAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
