/**
 * 全程留痕: the append-only, hash-chained audit log. Each entry's hash covers the
 * previous entry's hash and the entry itself, so editing or deleting any row breaks
 * the chain from there on; `verify` reports the first break.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/database.js';
import type { Migration } from '../app/module.js';

/** Who did something, and from where. */
export interface Actor {
  id: string;
  name: string;
  role: string;
  court?: string | undefined;
  /** Source address (IP) or `service:<name>` / `system`. */
  source: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', name: '系统', role: 'service', source: 'system' };

export interface AuditEntryInput {
  actor: Actor;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry extends AuditEntryInput {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export const auditMigrations: Migration[] = [
  {
    id: 'audit-001',
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        actor_court TEXT,
        source TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before_json TEXT,
        after_json TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_log_target ON audit_log(target);
      CREATE INDEX audit_log_actor ON audit_log(actor_id, seq);`,
  },
];

const GENESIS = '0'.repeat(64);

interface Row {
  seq: number;
  at: string;
  actor_id: string;
  actor_name: string;
  actor_role: string;
  actor_court: string | null;
  source: string;
  action: string;
  target: string;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

function hashOf(row: Omit<Row, 'hash'>): string {
  const canonical = JSON.stringify([
    row.seq,
    row.at,
    row.actor_id,
    row.actor_name,
    row.actor_role,
    row.actor_court,
    row.source,
    row.action,
    row.target,
    row.before_json,
    row.after_json,
    row.prev_hash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export interface VerifyResult {
  ok: boolean;
  entries: number;
  /** The first entry whose hash or link does not match, if any. */
  firstBreak?: { seq: number; reason: string };
}

export class AuditLog {
  private readonly insert;
  private readonly last;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_role, actor_court, source, action, target, before_json, after_json, prev_hash, hash)
       VALUES (@seq, @at, @actor_id, @actor_name, @actor_role, @actor_court, @source, @action, @target, @before_json, @after_json, @prev_hash, @hash)`,
    );
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  }

  /** Appends inside the caller's transaction (see mutation.ts). */
  append(entry: AuditEntryInput): AuditEntry {
    // Read the tail from the database each time: a rolled-back transaction must not leave a stale cache.
    const tail = this.last.get() as { seq: number; hash: string } | undefined;
    const row: Omit<Row, 'hash'> = {
      seq: (tail?.seq ?? 0) + 1,
      at: new Date(this.now()).toISOString(),
      actor_id: entry.actor.id,
      actor_name: entry.actor.name,
      actor_role: entry.actor.role,
      actor_court: entry.actor.court ?? null,
      source: entry.actor.source,
      action: entry.action,
      target: entry.target,
      before_json: json(entry.before),
      after_json: json(entry.after),
      prev_hash: tail?.hash ?? GENESIS,
    };
    const hash = hashOf(row);
    this.insert.run({ ...row, hash });
    return { ...entry, seq: row.seq, at: row.at, prevHash: row.prev_hash, hash };
  }

  /** Walks the whole chain. */
  verify(): VerifyResult {
    let previous = GENESIS;
    let expectedSeq = 1;
    let entries = 0;
    for (const row of this.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>) {
      entries++;
      if (row.seq !== expectedSeq) return { ok: false, entries, firstBreak: { seq: row.seq, reason: `missing entry ${expectedSeq}` } };
      if (row.prev_hash !== previous) return { ok: false, entries, firstBreak: { seq: row.seq, reason: 'link to previous entry broken' } };
      const { hash, ...rest } = row;
      if (hashOf(rest) !== hash) return { ok: false, entries, firstBreak: { seq: row.seq, reason: 'entry was altered' } };
      previous = hash;
      expectedSeq++;
    }
    return { ok: true, entries };
  }

  list(filter: { target?: string; actorId?: string; afterSeq?: number; limit: number }): AuditEntry[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit_log WHERE (@target IS NULL OR target = @target) AND (@actor IS NULL OR actor_id = @actor) AND seq > @after
         ORDER BY seq LIMIT @limit`,
      )
      .all({ target: filter.target ?? null, actor: filter.actorId ?? null, after: filter.afterSeq ?? 0, limit: filter.limit }) as Row[];
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: { id: r.actor_id, name: r.actor_name, role: r.actor_role, court: r.actor_court ?? undefined, source: r.source },
      action: r.action,
      target: r.target,
      before: r.before_json === null ? undefined : JSON.parse(r.before_json),
      after: r.after_json === null ? undefined : JSON.parse(r.after_json),
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }
}
