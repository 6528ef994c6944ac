/**
 * The import check worker (a node:worker_threads thread): runs the record checks of check.ts
 * for the hub's imports so the hub's thread only writes. One worker serves all imports; each
 * import is a job with its own check context. An import sent as JSON text is parsed here too
 * (the hub's thread then never holds the records). Replies carry the accepted cases packed
 * (packed.ts) with their buffers transferred.
 */
import { isUtf8 } from 'node:buffer';
import { parentPort } from 'node:worker_threads';
import { CASE_IMPORT_MAX_RECORDS, caseImportBodySchema, describeIssues, type NodeType } from '@cc/protocol';
import { checkWith, duplicateCaseNos, type CheckContext } from './check.js';
import { decodeUtf8, type CheckReply, type CheckRequest, type ParseOutcome } from './check-messages.js';
import { scanImportBody, type ScannedRecords } from './json-scan.js';
import { sliceEnds, sliceEndsBy } from './slices.js';
import { packCases } from './packed.js';

interface Job {
  context: CheckContext;
  duplicates: Map<string, number>;
  typeIndex: Map<string, number>;
  /** The parsed records (a body parsed whole), or … */
  records: readonly unknown[];
  /** … the body's bytes and where its records are, parsed a slice at a time (json-scan.ts). */
  scanned: { text: (from: number, to: number) => string; records: ScannedRecords } | null;
}

const jobs = new Map<number, Job>();

function begin(message: Extract<CheckRequest, { kind: 'begin' }>): void {
  const { courts, scope, catalog, holidays, workdays, now } = message.context;
  const types = new Map<string, NodeType>(catalog.map((t) => [t.code, t]));
  jobs.set(message.job, {
    context: {
      courts: new Set(courts),
      scope,
      catalog: types,
      calendar: { holidays: new Set(holidays), workdays: new Set(workdays) },
      now,
    },
    duplicates: new Map(message.duplicates),
    typeIndex: new Map(catalog.map((t, i) => [t.code, i])),
    records: [],
    scanned: null,
  });
}

/**
 * A body of the import's shape as bytes: validated in one pass and its records found, not
 * parsed (a slice's records are parsed when it is checked); null when it must be parsed whole
 * (not UTF-8, a syntax error, another shape: the whole parse gives the same errors as before).
 */
function scan(job: Job, bytes: Uint8Array, maxRecords: number | undefined): ParseOutcome | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buffer)) return null;
  const text = (from: number, to: number): string => buffer.toString('utf8', from, to);
  const outcome = scanImportBody(buffer, CASE_IMPORT_MAX_RECORDS, text);
  if (outcome.kind !== 'records') return null;
  const { records } = outcome;
  const counts = new Map<string, number>();
  for (let i = 0; i < records.count; i++) {
    const start = records.caseNoStarts[i]!;
    if (start < 0) continue;
    const end = records.caseNoEnds[i]!;
    let escaped = false;
    for (let k = start + 1; k < end - 1 && !escaped; k++) escaped = buffer[k] === 0x5c;
    const caseNo = escaped ? (JSON.parse(text(start, end)) as string) : text(start + 1, end - 1);
    counts.set(caseNo, (counts.get(caseNo) ?? 0) + 1);
  }
  job.duplicates = new Map([...counts].filter(([, n]) => n > 1));
  job.records = [];
  job.scanned = { text, records };
  return { ok: true, received: records.count, ends: sliceEndsBy(records.count, (i) => records.nested[i]!, maxRecords), scanned: true };
}

/** Records `from` … `to - 1` of a scanned body, parsed now (the scan validated their syntax). */
function recordsOf(job: Job, from: number, to: number): readonly unknown[] {
  if (!job.scanned) return job.records.slice(from, to);
  const { text, records } = job.scanned;
  return JSON.parse(`[${text(records.starts[from]!, records.ends[to - 1]!)}]`) as unknown[];
}

function parse(job: Job, text: string | Uint8Array, maxRecords: number | undefined): ParseOutcome {
  const scanned = typeof text === 'string' ? null : scan(job, text, maxRecords);
  if (scanned) return scanned;
  let body: unknown;
  try {
    body = JSON.parse(typeof text === 'string' ? text : decodeUtf8(text));
  } catch (cause) {
    return { ok: false, json: cause instanceof Error ? cause.message : String(cause) };
  }
  const result = caseImportBodySchema.safeParse(body);
  if (!result.success) return { ok: false, issues: describeIssues(result.error) };
  job.records = result.data.records;
  job.scanned = null;
  job.duplicates = duplicateCaseNos(job.records);
  return { ok: true, received: job.records.length, ends: sliceEnds(job.records, maxRecords), scanned: false };
}

function handle(message: CheckRequest): CheckReply | null {
  if (message.kind === 'begin') return (begin(message), null);
  if (message.kind === 'end') return (jobs.delete(message.job), null);
  const job = jobs.get(message.job);
  if (!job) return { job: message.job, seq: message.seq, error: `unknown import job ${message.job}` };
  try {
    if (message.kind === 'parse') return { job: message.job, seq: message.seq, parsed: parse(job, message.text, message.maxRecords) };
    const { from, to } = message;
    const records = message.records ?? recordsOf(job, from, to);
    const rows = message.rows ?? Array.from({ length: to - from }, (_, k) => from + k);
    const { accepted, rejected } = checkWith(job.context, records, rows, job.duplicates);
    return { job: message.job, seq: message.seq, packed: packCases(accepted, job.typeIndex), rejected };
  } catch (cause) {
    return { job: message.job, seq: message.seq, error: cause instanceof Error ? cause.message : String(cause) };
  }
}

const port = parentPort;
if (!port) throw new Error('check-worker.js runs as a worker thread');
port.on('message', (message: CheckRequest) => {
  const reply = handle(message);
  if (reply === null) return;
  if ('packed' in reply) port.postMessage(reply, [reply.packed.cases.buffer as ArrayBuffer, reply.packed.nodes.buffer as ArrayBuffer]);
  else port.postMessage(reply);
});
