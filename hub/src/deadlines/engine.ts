/**
 * The deadline engine: one timer, set for the earliest moment anything becomes due
 * (next-due scheduling over partial indexes, never a scan). When it fires, every source
 * (flow nodes, 督办 orders, 事项委托) handles what is due, in ONE mutation per tick: state
 * changes, events and a summarising audit entry. Large backlogs are worked off in
 * slices of `batch` so the event loop stays responsive.
 */
import type { Logger } from '@cc/runtime';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import type { MutationScope } from '../app/mutation.js';

export interface DeadlineSource {
  name: string;
  /** Earliest time (ms) something of this source falls due, or null. */
  nextAt(): number | null;
  /** Handles up to `limit` due items at `now`; returns how many it handled. */
  fire(scope: MutationScope, now: number, limit: number): number;
}

export interface TickResult {
  at: string;
  handled: Record<string, number>;
  ms: number;
  nextAt: string | null;
}

/** Longest sleep: a clock jump (or injected clock in tests) is noticed within this. */
const MAX_SLEEP_MS = 60_000;

export class DeadlineEngine {
  private readonly sources: DeadlineSource[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  last: TickResult | undefined;

  constructor(
    private readonly ctx: Pick<HubContext, 'mutate' | 'now'>,
    private readonly logger: Logger,
    private readonly batch = 100,
  ) {}

  addSource(source: DeadlineSource): void {
    this.sources.push(source);
    this.schedule();
  }

  nextAt(): number | null {
    let next: number | null = null;
    for (const s of this.sources) {
      const at = s.nextAt();
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  /** Handles everything due now (one slice per source); reschedules. */
  tick(): TickResult {
    const started = performance.now();
    const now = this.ctx.now();
    const handled: Record<string, number> = {};
    const due = this.sources.filter((s) => {
      const at = s.nextAt();
      return at !== null && at <= now;
    });
    if (due.length > 0) {
      this.ctx.mutate(SYSTEM_ACTOR, 'deadlines.tick', (scope) => {
        for (const source of due) handled[source.name] = source.fire(scope, now, this.batch);
        return { value: undefined, target: 'deadlines', after: { at: new Date(now).toISOString(), handled } };
      });
    }
    const next = this.nextAt();
    this.last = {
      at: new Date(now).toISOString(),
      handled,
      ms: performance.now() - started,
      nextAt: next === null ? null : new Date(next).toISOString(),
    };
    this.schedule();
    return this.last;
  }

  /** (Re)arms the timer for the earliest due time; call after data changed. */
  schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const next = this.nextAt();
    const delay = next === null ? MAX_SLEEP_MS : Math.min(Math.max(next - this.ctx.now(), 0), MAX_SLEEP_MS);
    this.timer = setTimeout(() => {
      try {
        this.tick();
      } catch (error) {
        this.logger.error({ err: error }, 'deadline tick failed');
        this.timer = setTimeout(() => this.schedule(), 5000);
      }
    }, delay);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}
