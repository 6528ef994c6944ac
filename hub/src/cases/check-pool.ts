/**
 * The hub's side of the import check worker: one worker thread per hub, started on the first
 * large import and closed with the hub (registered in its disposables). A job is one import;
 * `check` sends a slice of records and resolves with the checked cases. When the worker dies
 * every pending check fails, and the next import starts a new worker.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImportRejection, NodeType } from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import type { ValidCase } from './case-writer.js';
import type { CheckContext } from './check.js';
import type { CheckReply, CheckRequest, WireContext } from './check-messages.js';
import { unpackCases } from './packed.js';

/** The compiled worker next to this file, or (running from sources under Vitest) in dist/. */
function workerUrl(): URL {
  const here = new URL('./check-worker.js', import.meta.url);
  return existsSync(fileURLToPath(here)) ? here : new URL('../../dist/cases/check-worker.js', import.meta.url);
}

interface Pending {
  types: readonly NodeType[];
  resolve: (checked: { accepted: ValidCase[]; rejected: ImportRejection[] }) => void;
  reject: (error: Error) => void;
}

export class CheckWorker {
  private readonly pending = new Map<string, Pending>();
  private nextJob = 1;
  private nextSeq = 1;
  private dead: Error | null = null;
  /** Slices this worker has checked (for tests and diagnostics). */
  checkedSlices = 0;
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
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.add(job);
    this.post({ kind: 'begin', job, context: wire, duplicates: [...duplicates] });
    return { job, types };
  }

  check(job: number, types: readonly NodeType[], records: readonly unknown[], rows: readonly number[]) {
    const seq = this.nextSeq++;
    return new Promise<{ accepted: ValidCase[]; rejected: ImportRejection[] }>((resolve, reject) => {
      if (this.dead) return reject(this.dead);
      const key = `${job}:${seq}`;
      this.pending.set(key, { types, resolve, reject });
      try {
        this.post({ kind: 'check', job, seq, records, rows });
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
    this.checkedSlices++;
    try {
      pending.resolve({ accepted: unpackCases(reply.packed, pending.types), rejected: reply.rejected });
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
