/**
 * The import check worker (a node:worker_threads thread): runs the record checks of check.ts
 * for the hub's imports so the hub's thread only writes. One worker serves all imports; each
 * import is a job with its own check context. Replies carry the accepted cases packed
 * (packed.ts) with their buffers transferred.
 */
import { parentPort } from 'node:worker_threads';
import type { NodeType } from '@cc/protocol';
import { checkWith, type CheckContext } from './check.js';
import { packCases } from './packed.js';
import type { CheckReply, CheckRequest } from './check-messages.js';

interface Job {
  context: CheckContext;
  duplicates: Map<string, number>;
  typeIndex: Map<string, number>;
}

const jobs = new Map<number, Job>();

function handle(message: CheckRequest): CheckReply | null {
  if (message.kind === 'begin') {
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
    });
    return null;
  }
  if (message.kind === 'end') {
    jobs.delete(message.job);
    return null;
  }
  const job = jobs.get(message.job);
  if (!job) return { job: message.job, seq: message.seq, error: `unknown import job ${message.job}` };
  try {
    const { accepted, rejected } = checkWith(job.context, message.records, message.rows, job.duplicates);
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
