/**
 * The import check worker (a node:worker_threads thread): runs the record checks of check.ts
 * for the hub's imports so the hub's thread only writes. One worker serves all imports; each
 * import is a job with its own check context. An import sent as JSON text is parsed here too
 * (the hub's thread then never holds the records). Replies carry the accepted cases packed
 * (packed.ts) with their buffers transferred.
 */
import { parentPort } from 'node:worker_threads';
import { caseImportBodySchema, describeIssues, type NodeType } from '@cc/protocol';
import { checkWith, duplicateCaseNos, type CheckContext } from './check.js';
import { decodeUtf8, type CheckReply, type CheckRequest, type ParseOutcome } from './check-messages.js';
import { sliceEnds } from './slices.js';
import { packCases } from './packed.js';

interface Job {
  context: CheckContext;
  duplicates: Map<string, number>;
  typeIndex: Map<string, number>;
  records: readonly unknown[];
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
  });
}

function parse(job: Job, text: string | Uint8Array, maxRecords: number | undefined): ParseOutcome {
  let body: unknown;
  try {
    body = JSON.parse(typeof text === 'string' ? text : decodeUtf8(text));
  } catch (cause) {
    return { ok: false, json: cause instanceof Error ? cause.message : String(cause) };
  }
  const result = caseImportBodySchema.safeParse(body);
  if (!result.success) return { ok: false, issues: describeIssues(result.error) };
  job.records = result.data.records;
  job.duplicates = duplicateCaseNos(job.records);
  return { ok: true, received: job.records.length, ends: sliceEnds(job.records, maxRecords) };
}

function handle(message: CheckRequest): CheckReply | null {
  if (message.kind === 'begin') return (begin(message), null);
  if (message.kind === 'end') return (jobs.delete(message.job), null);
  const job = jobs.get(message.job);
  if (!job) return { job: message.job, seq: message.seq, error: `unknown import job ${message.job}` };
  try {
    if (message.kind === 'parse') return { job: message.job, seq: message.seq, parsed: parse(job, message.text, message.maxRecords) };
    const { from, to } = message;
    const records = message.records ?? job.records.slice(from, to);
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
