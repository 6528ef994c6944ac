/**
 * Every state change goes through `mutate`: one SQLite transaction holding the change,
 * its hash-chained audit entry and the events it raises. Events are broadcast only
 * after the commit, so no client ever sees a change that was rolled back.
 */
import type { Actor, AuditLog } from '../audit/audit-log.js';
import type { EventBus, HubEventInput } from '../events/event-bus.js';
import type { Db } from '../store/database.js';

export interface MutationScope {
  db: Db;
  /** Queue an event; it gets its sequence number in this transaction. */
  emit(event: HubEventInput): void;
}

export interface MutationResult<T> {
  /** What the caller gets back (the API response body, usually). */
  value: T;
  /** Audit target, e.g. `case:(2024)京0105执1234号`. */
  target: string;
  before?: unknown;
  after?: unknown;
}

export type Mutator = <T>(actor: Actor, action: string, work: (scope: MutationScope) => MutationResult<T>) => T;

export function createMutator(db: Db, audit: AuditLog, events: EventBus): Mutator {
  return <T>(actor: Actor, action: string, work: (scope: MutationScope) => MutationResult<T>): T => {
    const pending: HubEventInput[] = [];
    const run = db.transaction(() => {
      const result = work({ db, emit: (event) => pending.push(event) });
      audit.append({ actor, action, target: result.target, before: result.before, after: result.after });
      const stored = pending.map((event) => events.store(event));
      return { value: result.value, stored };
    });
    const { value, stored } = run();
    events.broadcast(stored);
    return value;
  };
}
