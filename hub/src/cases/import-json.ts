/**
 * Imports a JSON import body (`{"records": [...]}`) given as text: the import check worker
 * parses it, checks its slices and sends back packed cases, so the hub's thread neither
 * parses a 30 MB body nor copies its records to the worker; it only writes. Same checks,
 * report and errors as `parse(caseImportBodySchema, body)` + `importCasesSliced`; without a
 * worker (or when it fails) the text is parsed here and imported that way.
 */
import { caseImportBodySchema, ErrorCode, ProtocolError, type ImportReport } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { parse } from '../app/parse.js';
import { checkWith, duplicateCaseNos } from './check.js';
import { checkWorkerOf } from './check-pool.js';
import { decodeUtf8, type ParseOutcome } from './check-messages.js';
import { checkContextOf } from './import.js';
import { writeSlices, type SliceCheck } from './import-pipeline.js';
import { importCasesSliced, type SlicedOptions } from './import-sliced.js';

/** The body parsed on this thread (no worker): a clear error for text that is not an import body. */
function parseHere(text: string | Uint8Array): readonly unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(typeof text === 'string' ? text : decodeUtf8(text));
  } catch (cause) {
    throw new ProtocolError(ErrorCode.BadRequest, { json: (cause as Error).message }, { cause });
  }
  return parse(caseImportBodySchema, body).records;
}

function refuse(outcome: Exclude<ParseOutcome, { ok: true }>): never {
  if ('json' in outcome) throw new ProtocolError(ErrorCode.BadRequest, { json: outcome.json });
  throw new ProtocolError(ErrorCode.ValidationFailed, { issues: outcome.issues });
}

export async function importCasesJson(
  ctx: HubContext,
  actor: Actor,
  /** The body: JSON text, or its UTF-8 bytes as received (the route's; copied to the worker as bytes). */
  text: string | Uint8Array,
  options: Pick<SlicedOptions, 'slice'> = {},
): Promise<ImportReport> {
  const fallback = (): Promise<ImportReport> => importCasesSliced(ctx, actor, parseHere(text), undefined, options);
  const context = checkContextOf(ctx, actor);
  const worker = await checkWorkerOf(ctx).catch((error: unknown) => {
    ctx.logger.warn({ err: error }, 'import check worker unavailable; parsing on the main thread');
    return null;
  });
  if (!worker) return fallback();
  const job = worker.begin(context, new Map());
  try {
    const parsed = await worker.parse(job.job, text, options.slice).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'import check worker failed; parsing on the main thread');
      return null;
    });
    if (!parsed) return await fallback();
    if (!parsed.ok) refuse(parsed);
    let here: { records: readonly unknown[]; duplicates: Map<string, number> } | null = null;
    const check: SliceCheck = (from, to) =>
      worker.check(job.job, job.types, from, to).catch((error: unknown) => {
        ctx.logger.warn({ err: error }, 'import check worker failed; checking on the main thread');
        if (!here) {
          const records = parseHere(text);
          here = { records, duplicates: duplicateCaseNos(records) };
        }
        const rows = Array.from({ length: to - from }, (_, k) => from + k);
        return checkWith(context, here.records.slice(from, to), rows, here.duplicates);
      });
    return await writeSlices(ctx, actor, parsed.received, parsed.ends, check);
  } finally {
    worker.end(job.job);
  }
}
