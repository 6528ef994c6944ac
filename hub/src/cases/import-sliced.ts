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
import type { ImportReport, NodeType } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { checkWith, duplicateCaseNos, type CheckContext } from './check.js';
import { checkWorkerOf, type CheckWorker } from './check-pool.js';
import { checkContextOf } from './import.js';
import { writeSlices, type SliceCheck } from './import-pipeline.js';
import { sliceEnds } from './slices.js';

export interface SlicedOptions {
  /** At most this many records per slice (one check message, one write transaction). */
  slice?: number;
  /** Check in the worker thread (default: when the import has more than one slice). */
  worker?: boolean;
}

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
    return worker.check(job.job, job.types, from, to, records.slice(from, to), sliceRows).catch((error: unknown) => {
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
  const ends = sliceEnds(records, options.slice);
  const useWorker = options.worker ?? ends.length > 1;
  const { check, end } = await checker(ctx, checkContextOf(ctx, actor), records, (i) => rows?.[i] ?? i, useWorker);
  try {
    return await writeSlices(ctx, actor, records.length, ends, check);
  } finally {
    end();
  }
}
