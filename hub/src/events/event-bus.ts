/**
 * Stores hub events with a sequence number (in the writer's transaction) and fans
 * them out to stream subscribers after commit. Keeps the newest `retain` events so
 * reconnecting clients can catch up; older ones mean "resync".
 */
import type { HubEventEnvelope, HubEventInput } from '@cc/protocol';
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';

export type { HubEventInput };

export const eventMigrations: Migration[] = [
  {
    id: 'events-001',
    sql: `CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, type TEXT NOT NULL, court TEXT, data TEXT NOT NULL);`,
  },
];

export type EventListener = (events: readonly HubEventEnvelope[]) => void;

export class EventBus {
  private readonly insert;
  private readonly listeners = new Set<EventListener>();
  private stored = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
    private readonly retain = 100_000,
  ) {
    this.insert = db.prepare('INSERT INTO events (at, type, court, data) VALUES (?, ?, ?, ?)');
  }

  /** Call inside a transaction (mutation.ts does); returns the stored envelope. */
  store(event: HubEventInput): HubEventEnvelope {
    const at = new Date(this.now()).toISOString();
    const court = event.court ?? null;
    const info = this.insert.run(at, event.type, court, JSON.stringify(event.data));
    if (++this.stored % 1000 === 0) this.prune();
    return { seq: Number(info.lastInsertRowid), at, type: event.type, court, data: event.data };
  }

  /** Stores and broadcasts in one step, for events that come with no other state change. */
  publish(event: HubEventInput): HubEventEnvelope {
    const envelope = this.store(event);
    this.broadcast([envelope]);
    return envelope;
  }

  broadcast(events: readonly HubEventEnvelope[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) listener(events);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get latestSeq(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM events').get() as { s: number }).s;
  }

  /** Events after `since`, or undefined when `since` is older than what is kept. */
  since(since: number, limit = 10_000): HubEventEnvelope[] | undefined {
    const oldest = (this.db.prepare('SELECT MIN(seq) AS s FROM events').get() as { s: number | null }).s;
    if (oldest !== null && since < oldest - 1) return undefined;
    const rows = this.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(since, limit + 1) as {
      seq: number;
      at: string;
      type: string;
      court: string | null;
      data: string;
    }[];
    if (rows.length > limit) return undefined;
    return rows.map((r) => ({ seq: r.seq, at: r.at, type: r.type, court: r.court, data: JSON.parse(r.data) as unknown }));
  }

  private prune(): void {
    this.db.prepare('DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?').run(this.retain);
  }
}
