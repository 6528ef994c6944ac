/**
 * Imports over HTTP: the same checks and writes as `importCases`, in slices, with the event
 * loop free between slices so alarms and the event stream never wait behind a 30 MB file.
 * Large imports are pipelined: the import check worker (check-worker.ts) checks slice k + 1
 * while this thread writes slice k, each slice one transaction with its audit entry. The
 * checks are pure (a record's verdict depends only on the record, the file's duplicate case
 * numbers and the context read at the start), so the report equals the single-thread one;
 * should the worker fail, the remaining slices are checked here instead. Should a write fail
 * part-way (disk full), the earlier slices stay: re-importing the file is safe, imports being
 * idempotent.
 */
import type { ImportRejection, ImportReport, NodeType } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import type { ValidCase } from './case-writer.js';
import { checkWith, duplicateCaseNos, type CheckContext, type Checked } from './check.js';
import { checkWorkerOf, type CheckWorker } from './check-pool.js';
import { enterBulkWrites } from '../store/bulk.js';
import { checkContextOf, writeChecked } from './import.js';

export interface SlicedOptions {
  /** At most this many records per slice (one check message, one write transaction). */
  slice?: number;
  /** Check in the worker thread (default: when the import has more than one slice). */
  worker?: boolean;
}

/**
 * Slices end after SLICE_RECORDS records or SLICE_NODES nodes, whichever comes first. Each
 * write transaction costs a commit and a statistics update (a few thousand court-day rows), so
 * larger slices write faster, while the event loop waits for one slice at a time (2,000 cases
 * of 10 nodes ≈ 0.1 s on the bench machine); see BENCHMARKS.md "Hub case work".
 */
const SLICE_RECORDS = 2000;
const SLICE_NODES = 40_000;
/** Slices checked ahead of the one being written. */
const AHEAD = 2;
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Where each slice ends (exclusive): after `maxRecords` records or SLICE_NODES nodes. */
function sliceEnds(records: readonly unknown[], maxRecords: number): number[] {
  const ends: number[] = [];
  let start = 0;
  let nodes = 0;
  for (let i = 0; i < records.length; i++) {
    const list = (records[i] as { nodes?: unknown } | null)?.nodes;
    nodes += 1 + (Array.isArray(list) ? list.length : 0);
    if (i + 1 - start >= maxRecords || nodes >= SLICE_NODES) {
      ends.push(i + 1);
      start = i + 1;
      nodes = 0;
    }
  }
  if (start < records.length) ends.push(records.length);
  return ends;
}

type SliceCheck = (from: number, to: number) => Promise<Checked>;

/** Checks slices in the worker; after a worker failure, on this thread. */
async function checker(
  ctx: HubContext,
  context: CheckContext,
  records: readonly unknown[],
  rows: (i: number) => number,
  useWorker: boolean,
) {
  const duplicates = duplicateCaseNos(records);
  const local: SliceCheck = async (from, to) =>
    checkWith(
      context,
      records.slice(from, to),
      Array.from({ length: to - from }, (_, k) => rows(from + k)),
      duplicates,
    );
  let worker: CheckWorker | null = null;
  let job: { job: number; types: NodeType[] } | null = null;
  if (useWorker) {
    try {
      worker = await checkWorkerOf(ctx);
      job = worker.begin(context, duplicates);
    } catch (error) {
      ctx.logger.warn({ err: error }, 'import check worker unavailable; checking on the main thread');
    }
  }
  const check: SliceCheck = async (from, to) => {
    if (!worker || !job) return local(from, to);
    const sliceRows = Array.from({ length: to - from }, (_, k) => rows(from + k));
    return worker.check(job.job, job.types, records.slice(from, to), sliceRows).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'import check worker failed; checking on the main thread');
      return local(from, to);
    });
  };
  const end = (): void => {
    if (worker && job) worker.end(job.job);
  };
  return { check, end };
}

export async function importCasesSliced(
  ctx: HubContext,
  actor: Actor,
  records: readonly unknown[],
  rows?: readonly number[],
  options: SlicedOptions = {},
): Promise<ImportReport> {
  const bounds = sliceEnds(records, options.slice ?? SLICE_RECORDS);
  const useWorker = options.worker ?? bounds.length > 1;
  const { check, end } = await checker(ctx, checkContextOf(ctx, actor), records, (i) => rows?.[i] ?? i, useWorker);
  const report: ImportReport = { received: records.length, accepted: 0, created: 0, updated: 0, nodes: 0, rejected: [] };
  const rejected: ImportRejection[] = report.rejected;
  const queued: Promise<Checked>[] = [];
  let sliced = 0;
  let written = false;
  const fill = (): void => {
    while (queued.length <= AHEAD && sliced < bounds.length) {
      const pending = check(bounds[sliced - 1] ?? 0, bounds[sliced]!);
      sliced++;
      pending.catch(() => undefined); // awaited in order below
      queued.push(pending);
    }
  };
  const leaveBulk = bounds.length > 1 ? enterBulkWrites(ctx.db) : () => undefined;
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
      const part = writeChecked(ctx, actor, 0, checked.accepted, blocked);
      report.accepted += part.accepted;
      report.created += part.created;
      report.updated += part.updated;
      report.nodes += part.nodes;
      rejected.push(...blocked);
      if (queued.length > 0) await yieldToLoop();
    } while (queued.length > 0);
  } finally {
    end();
    leaveBulk();
  }
  rejected.sort((a, b) => a.row - b.row);
  return report;
}
