/**
 * Settings for the duration of a bulk write (a large import), reference-counted per
 * connection so overlapping imports share them and the last one out restores them.
 *
 * - `wal_autocheckpoint` from 1,000 pages (4 MB) to BULK_CHECKPOINT_PAGES: a large import
 *   commits a slice every ~0.1 s, each dirtying several MB of index pages, so with the default
 *   nearly every commit also ran a checkpoint (copy to the database file + two fsyncs), and
 *   pages dirtied again by the next slice were copied again. Durability is unchanged: commits
 *   go to the WAL exactly as before (`synchronous` stays as it is); only the copying back is
 *   batched. The WAL grows to at most ~64 MB meanwhile; the first commit after the import runs
 *   the deferred checkpoint. With the WAL checkpointer running (checkpointer.ts: the hub's
 *   connection never checkpoints) there is nothing to defer and this changes nothing.
 */
import type { Db } from './database.js';

const BULK_CHECKPOINT_PAGES = 16_384;
const active = new WeakMap<Db, { count: number; checkpointPages: number }>();

/** Enters bulk mode; call the returned function (once) when the bulk write ends. */
export function enterBulkWrites(db: Db): () => void {
  let state = active.get(db);
  if (!state) {
    const checkpointPages = db.pragma('wal_autocheckpoint', { simple: true }) as number;
    if (checkpointPages > 0 && checkpointPages < BULK_CHECKPOINT_PAGES) db.pragma(`wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`);
    state = { count: 0, checkpointPages };
    active.set(db, state);
  }
  state.count++;
  let left = false;
  return () => {
    if (left || !state) return;
    left = true;
    if (--state.count > 0) return;
    active.delete(db);
    // Only if still ours: a WAL checkpointer that stopped meanwhile has set its own fallback.
    if (db.open && db.pragma('wal_autocheckpoint', { simple: true }) === BULK_CHECKPOINT_PAGES)
      db.pragma(`wal_autocheckpoint = ${state.checkpointPages}`);
  };
}
