/**
 * The hub's side of the import check worker: one worker thread per hub, started on the first
 * large import and closed with the hub (registered in its disposables). A job is one import;
 * `check` sends a slice of records and resolves with the checked cases. When the worker dies
 * every pending check fails, and the next import starts a new worker.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { NodeType } from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import type { CheckContext, Checked } from './check.js';
import type { CheckReply, CheckRequest, ParseOutcome, WireContext } from './check-messages.js';
import { unpackCases } from './packed.js';

/** The compiled worker next to this file, or (running from sources under Vitest) in dist/. */
function workerUrl(): URL {
  const here = new URL('./check-worker.js', import.meta.url);
  return existsSync(fileURLToPath(here)) ? here : new URL('../../dist/cases/check-worker.js', import.meta.url);
}

interface Pending {
  settle: (reply: CheckReply) => void;
  reject: (error: Error) => void;
}

export class CheckWorker {
  private readonly pending = new Map<string, Pending>();
  private nextJob = 1;
  private nextSeq = 1;
  private dead: Error | null = null;
  /** Slices this worker has checked, bodies it scanned rather than parsed whole (for tests and diagnostics). */
  checkedSlices = 0;
  scannedBodies = 0;
  /** Jobs begun and not ended: the worker keeps the process alive only while there are some. */
  private readonly jobs = new Set<number>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: CheckReply) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`import check worker exited (code ${code})`)));
    worker.unref();
  }

  static async start(): Promise<CheckWorker> {
    const worker = new Worker(workerUrl());
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    return new CheckWorker(worker);
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /** Starts an import job; the catalog order of `context` is the node type snapshot of the job. */
  begin(context: CheckContext, duplicates: Map<string, number>): { job: number; types: NodeType[] } {
    const types = [...context.catalog.values()];
    const wire: WireContext = {
      courts: [...context.courts],
      scope: context.scope,
      catalog: types,
      holidays: [...context.calendar.holidays],
      workdays: [...context.calendar.workdays],
      now: context.now,
    };
    const job = this.nextJob++;
    this.post({ kind: 'begin', job, context: wire, duplicates: [...duplicates] });
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.add(job);
    return { job, types };
  }

  /** Checks records `from` … `to - 1`: those given, or (without `records`) those the job parsed. */
  check(job: number, types: readonly NodeType[], from: number, to: number, records?: readonly unknown[], rows?: readonly number[]) {
    return this.request<Checked>(
      { kind: 'check', job, seq: 0, from, to, ...(records ? { records } : {}), ...(rows ? { rows } : {}) },
      (reply) => {
        if (!('packed' in reply)) throw new Error('import check worker: unexpected reply');
        this.checkedSlices++;
        return { accepted: unpackCases(reply.packed, types), rejected: reply.rejected };
      },
    );
  }

  /** Has the worker parse an import body (JSON text) for the job. */
  parse(job: number, text: string | Uint8Array, maxRecords?: number): Promise<ParseOutcome> {
    return this.request<ParseOutcome>({ kind: 'parse', job, seq: 0, text, ...(maxRecords ? { maxRecords } : {}) }, (reply) => {
      if (!('parsed' in reply)) throw new Error('import check worker: unexpected reply');
      if (reply.parsed.ok && reply.parsed.scanned) this.scannedBodies++;
      return reply.parsed;
    });
  }

  private request<T>(message: Extract<CheckRequest, { seq: number }>, onReply: (reply: CheckReply) => T): Promise<T> {
    const seq = this.nextSeq++;
    return new Promise<T>((resolve, reject) => {
      if (this.dead) return reject(this.dead);
      const key = `${message.job}:${seq}`;
      this.pending.set(key, { settle: (reply) => resolve(onReply(reply)), reject });
      try {
        this.post({ ...message, seq });
      } catch (cause) {
        // Records that cannot be cloned (not from JSON): the caller checks them itself.
        this.pending.delete(key);
        reject(cause instanceof Error ? cause : new Error(String(cause)));
      }
    });
  }

  end(job: number): void {
    if (!this.jobs.delete(job)) return;
    if (this.jobs.size === 0) this.worker.unref();
    if (!this.dead) this.post({ kind: 'end', job });
  }

  async close(): Promise<void> {
    this.fail(new Error('import check worker closed'));
    await this.worker.terminate();
  }

  private post(message: CheckRequest): void {
    this.worker.postMessage(message);
  }

  private settle(reply: CheckReply): void {
    const key = `${reply.job}:${reply.seq}`;
    const pending = this.pending.get(key);
    if (!pending) return;
    this.pending.delete(key);
    if ('error' in reply) return pending.reject(new Error(`import check worker: ${reply.error}`));
    try {
      pending.settle(reply);
    } catch (cause) {
      pending.reject(cause instanceof Error ? cause : new Error(String(cause)));
    }
  }

  private fail(error: Error): void {
    this.dead ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

const workers = new WeakMap<HubContext['db'], Promise<CheckWorker>>();

/** The hub's check worker (started on first use, restarted after it died, closed with the hub). */
export async function checkWorkerOf(ctx: HubContext): Promise<CheckWorker> {
  const existing = workers.get(ctx.db);
  if (existing) {
    const worker = await existing.catch(() => null);
    if (worker?.alive) return worker;
  }
  const started = CheckWorker.start();
  workers.set(ctx.db, started);
  const worker = await started;
  ctx.disposables.add('import check worker', () => worker.close());
  return worker;
}
