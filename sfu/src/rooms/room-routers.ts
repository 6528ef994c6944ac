/**
 * The routers of one room: a primary router plus, for a room bigger than one router's consumer
 * budget, extra routers on other workers joined with `pipeToRouter` (a piped producer keeps its
 * id on the target router, so signalling does not change).
 */
import type { types } from 'mediasoup';
import type { PooledWorker } from '../workers/worker-pool.js';

export interface RouterSlot {
  router: types.Router;
  slot: PooledWorker;
}

/** Creates a router, preferring a worker the room does not use yet. */
export type RouterFactory = (avoid: ReadonlySet<PooledWorker>) => Promise<RouterSlot>;

export class RoomRouters {
  readonly all: RouterSlot[];
  private readonly pipes = new Map<string, Promise<void>>();
  private creating: Promise<RouterSlot> | undefined;

  constructor(
    primary: RouterSlot,
    private readonly factory: RouterFactory,
    private readonly budget: number,
    private readonly added: (slot: RouterSlot) => void,
  ) {
    this.all = [primary];
  }

  get primary(): types.Router {
    return this.all[0]!.router;
  }

  /** The router a new peer goes on: the first under budget, else a new one on another worker. */
  async place(load: (router: types.Router) => number): Promise<types.Router> {
    const open = this.all.find((r) => load(r.router) < this.budget);
    if (open) return open.router;
    this.creating ??= this.factory(new Set(this.all.map((r) => r.slot))).then((slot) => {
      this.all.push(slot);
      this.added(slot);
      this.creating = undefined;
      return slot;
    });
    return (await this.creating).router;
  }

  /** Makes `producerId` (living on `from`) consumable on `to`; once per producer and router. */
  async ensureOn(producerId: string, from: types.Router, to: types.Router): Promise<void> {
    if (from === to) return;
    const key = `${producerId}>${to.id}`;
    let pipe = this.pipes.get(key);
    if (!pipe) {
      pipe = from.pipeToRouter({ producerId, router: to }).then(() => undefined);
      pipe.catch(() => this.pipes.delete(key));
      this.pipes.set(key, pipe);
    }
    await pipe;
  }

  close(): void {
    for (const { router, slot } of this.all) {
      router.close();
      slot.routers--;
    }
  }
}
