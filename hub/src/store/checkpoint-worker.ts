/**
 * The WAL checkpointer's thread: its own connection to the hub's store, copying committed WAL
 * frames back into the database file (PASSIVE: never blocks the hub's writer or readers) and
 * paying the fsyncs that come with it, so the hub's thread never does. Told what to do by
 * checkpointer.ts; answers each `checkpoint` with SQLite's figures.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointerData {
  path: string;
}
export type CheckpointerRequest = { kind: 'checkpoint'; seq: number } | { kind: 'close' };
export type CheckpointerReply =
  { kind: 'checkpointed'; seq: number; busy: number; log: number; checkpointed: number } | { kind: 'failed'; seq: number; message: string };

const port = parentPort;
if (!port) throw new Error('checkpoint-worker runs only as a worker thread');
const { path } = workerData as CheckpointerData;
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// The same durability as the hub's connection: a checkpoint syncs the WAL before copying and
// the database file after.
db.pragma('synchronous = NORMAL');
// This connection never writes, so it never checkpoints on its own either.
db.pragma('wal_autocheckpoint = 0');

port.on('message', (request: CheckpointerRequest) => {
  if (request.kind === 'close') {
    db.close();
    port.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    port.postMessage({ kind: 'checkpointed', seq: request.seq, ...(row ?? { busy: 0, log: 0, checkpointed: 0 }) });
  } catch (error) {
    port.postMessage({ kind: 'failed', seq: request.seq, message: (error as Error).message });
  }
});
