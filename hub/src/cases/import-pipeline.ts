/**
 * The write side of sliced imports: slices are checked ahead (by the import check worker, or
 * on this thread) while this thread writes the current one, each slice one transaction with
 * its audit entry and events, the event loop free between slices. Shared by imports of
 * parsed records (import-sliced.ts) and of JSON text (import-json.ts).
 */
import type { ImportRejection, ImportReport } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { deferredDayStatsOf } from '../stats/aggregates.js';
import { enterBulkWrites } from '../store/bulk.js';
import { walCheckpointerOf } from '../store/checkpointer.js';
import type { ValidCase } from './case-writer.js';
import type { Checked } from './check.js';
import { writeChecked } from './import.js';
import { nodeWriterOf, SWEEP_ROWS } from './store.js';

/** Slices checked ahead of the one being written. */
const AHEAD = 2;
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Checks records `from` … `to - 1`. */
export type SliceCheck = (from: number, to: number) => Promise<Checked>;

/** Checks (ahead) and writes the slices ending at `ends`; the report of the whole import. */
export async function writeSlices(
  ctx: HubContext,
  actor: Actor,
  received: number,
  ends: readonly number[],
  check: SliceCheck,
): Promise<ImportReport> {
  const report: ImportReport = { received, accepted: 0, created: 0, updated: 0, nodes: 0, rejected: [] };
  const rejected: ImportRejection[] = report.rejected;
  const queued: Promise<Checked>[] = [];
  let sliced = 0;
  let written = false;
  const fill = (): void => {
    while (queued.length <= AHEAD && sliced < ends.length) {
      const pending = check(ends[sliced - 1] ?? 0, ends[sliced]!);
      sliced++;
      pending.catch(() => undefined); // awaited in order below
      queued.push(pending);
    }
  };
  const bulk = ends.length > 1;
  const leaveBulk = bulk ? enterBulkWrites(ctx.db) : () => undefined;
  // Bulk imports stage their open nodes and sweep them into the open-node index every
  // SWEEP_ROWS nodes, the rest right after the import (store.ts, NodeWriter); a single slice
  // writes them directly.
  const nodes = nodeWriterOf(ctx.db);
  const endStaging = bulk ? nodes.beginStaging() : () => undefined;
  // … and leave their day and month figures to be written when the hub is idle (stats/aggregates.ts).
  const dayStats = bulk ? deferredDayStatsOf(ctx) : undefined;
  const endDays = dayStats ? dayStats.begin(ctx.now()) : () => undefined;
  // Between two transactions, a long WAL gets the chance to start over (checkpointer.ts, makeRoom).
  const walRoom = async (): Promise<void> => {
    await walCheckpointerOf(ctx.db)?.makeRoom();
  };
  const sweepDue = async (): Promise<void> => {
    while (nodes.stagedSinceSweep >= SWEEP_ROWS) {
      if (nodes.sweepStaged() === 0) nodes.stagedSinceSweep = 0;
      await yieldToLoop();
      await walRoom();
    }
  };
  try {
    fill();
    do {
      const checked = queued.length > 0 ? await queued.shift()! : { accepted: [] as ValidCase[], rejected: [] };
      fill();
      rejected.push(...checked.rejected);
      // A slice with nothing to write writes nothing; an import that writes nothing still gets its audit entry.
      if (checked.accepted.length === 0 && (queued.length > 0 || written)) continue;
      written = true;
      const blocked: ImportRejection[] = [];
      const part = writeChecked(ctx, actor, 0, checked.accepted, blocked, dayStats);
      report.accepted += part.accepted;
      report.created += part.created;
      report.updated += part.updated;
      report.nodes += part.nodes;
      rejected.push(...blocked);
      if (queued.length > 0) await yieldToLoop();
      if (bulk) {
        await walRoom();
        await sweepDue();
      }
    } while (queued.length > 0);
  } finally {
    // Also after a failed slice: the figures of the slices written are held all the same.
    endDays();
    endStaging();
    leaveBulk();
    // The rest is swept right after the import is answered (NodeWriter.scheduleSweep), also after
    // a failed slice; staged nodes are listed all the same until then.
    if (bulk)
      nodes.scheduleSweep((error) => ctx.logger.error({ err: error }, 'staged open nodes not swept; retried after the next import'));
  }
  rejected.sort((a, b) => a.row - b.row);
  return report;
}
