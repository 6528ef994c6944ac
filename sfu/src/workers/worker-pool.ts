/**
 * Owns the mediasoup workers: one per core, each replaced when it dies (the process
 * never exits on a worker death). Routers are placed on the least-loaded worker.
 */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from '@cc/runtime';
import type { SfuConfig } from '../config.js';

export interface PooledWorker {
  index: number;
  worker: types.Worker;
  routers: number;
}

type WorkerDiedListener = (index: number) => void;

export class WorkerPool {
  private readonly slots: PooledWorker[] = [];
  private readonly diedListeners = new Set<WorkerDiedListener>();
  private closed = false;
  restarts = 0;

  private constructor(
    private readonly settings: SfuConfig,
    private readonly logger: Logger,
  ) {}

  static async create(settings: SfuConfig, logger: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(settings, logger.child({ module: 'workers' }));
    for (let i = 0; i < settings.workers; i++) pool.slots.push(await pool.spawn(i));
    return pool;
  }

  private async spawn(index: number): Promise<PooledWorker> {
    const worker = await mediasoup.createWorker({ logLevel: this.settings.workerLogLevel });
    const slot: PooledWorker = { index, worker, routers: 0 };
    worker.on('died', (error) => {
      if (this.closed) return;
      this.restarts++;
      this.logger.error({ err: error, worker: index, pid: worker.pid }, 'mediasoup worker died; starting a new one');
      void this.spawn(index).then(
        (fresh) => {
          if (this.closed) {
            fresh.worker.close();
            return;
          }
          this.slots[index] = fresh;
          for (const listener of this.diedListeners) listener(index);
        },
        (spawnError: unknown) => this.logger.fatal({ err: spawnError, worker: index }, 'cannot start replacement worker'),
      );
    });
    this.logger.info({ worker: index, pid: worker.pid }, 'mediasoup worker started');
    return slot;
  }

  /** Called after a dead worker at `index` was replaced, so rooms on it can be rebuilt. */
  onWorkerReplaced(listener: WorkerDiedListener): () => void {
    this.diedListeners.add(listener);
    return () => this.diedListeners.delete(listener);
  }

  /** The live worker with the fewest routers, preferring ones not in `avoid`. */
  leastLoaded(avoid: ReadonlySet<PooledWorker> = new Set()): PooledWorker {
    const live = this.slots.filter((s) => !s.worker.died && !s.worker.closed);
    const fresh = live.filter((s) => !avoid.has(s));
    const slot = (fresh.length > 0 ? fresh : live).sort((a, b) => a.routers - b.routers)[0];
    if (!slot) throw new Error('no live mediasoup worker');
    return slot;
  }

  /** The least-loaded live worker, waiting (up to 10 s) while dead ones are being replaced. */
  async acquire(): Promise<PooledWorker> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        return this.leastLoaded();
      } catch (error) {
        if (this.closed || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Routers per worker, in worker order (for /healthz). */
  get routerCounts(): number[] {
    return this.slots.map((s) => s.routers);
  }

  get pids(): number[] {
    return this.slots.map((s) => s.worker.pid);
  }

  close(): void {
    this.closed = true;
    for (const slot of this.slots) slot.worker.close();
  }
}
