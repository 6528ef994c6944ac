import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Migration } from '../app/module.js';
import { openDatabase, type Db } from './database.js';
import { applyMigrations } from './migrations.js';

// Versioned migrations on a real SQLite file: each applied once, in order; a failing one leaves
// nothing of itself; and on an existing store the hub says which migrations run and how long each
// took (a rebuild of flow_nodes takes ~13 s at 10 M nodes: the operator must see why the start is slow).
let dir: string;
let db: Db;
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});
const open = (): Db => {
  dir ??= mkdtempSync(join(tmpdir(), 'cc-hub-migrations-'));
  db = openDatabase(dir, 'hub.sqlite');
  return db;
};

/** A logger whose JSON lines land in `lines`. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}
// pino writes asynchronously to a Writable: wait for the lines to arrive.
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const first: Migration[] = [
  { id: 't-001', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)' },
  { id: 't-002', sql: "INSERT INTO t (name) VALUES ('a'), ('b')" },
];
const later: Migration[] = [
  ...first,
  { id: 't-003', sql: 'ALTER TABLE t ADD COLUMN kind TEXT' },
  { id: 't-004', sql: 'CREATE INDEX t_kind ON t(kind)' },
];

describe('applyMigrations', () => {
  it('applies each migration once and logs the steps only on an existing store', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cc-hub-migrations-'));
    const fresh = capture();
    expect(applyMigrations(open(), first, fresh.logger)).toEqual(['t-001', 't-002']);
    await settle();
    // A new store: no "existing store" lines, one "applied" line per migration.
    expect(fresh.lines.map((l) => l.msg)).toEqual(['migration applied', 'migration applied']);
    expect(applyMigrations(db, first, fresh.logger)).toEqual([]);
    db.close();

    const upgrade = capture();
    expect(applyMigrations(open(), later, upgrade.logger)).toEqual(['t-003', 't-004']);
    await settle();
    expect(upgrade.lines.map((l) => [l.msg, l.pending ?? l.step ?? null, l.of ?? null])).toEqual([
      ['applying migrations to an existing store', ['t-003', 't-004'], null],
      ['applying migration', 1, 2],
      ['migration applied', null, null],
      ['applying migration', 2, 2],
      ['migration applied', null, null],
    ]);
    expect(upgrade.lines.filter((l) => l.msg === 'migration applied').map((l) => [l.migration, typeof l.ms])).toEqual([
      ['t-003', 'number'],
      ['t-004', 'number'],
    ]);
    expect(db.prepare('SELECT name, kind FROM t ORDER BY id').all()).toEqual([
      { name: 'a', kind: null },
      { name: 'b', kind: null },
    ]);
  });

  it('leaves nothing of a failing migration and applies it on the next try once fixed', () => {
    dir = mkdtempSync(join(tmpdir(), 'cc-hub-migrations-'));
    applyMigrations(open(), first);
    const broken: Migration[] = [...first, { id: 't-003', sql: "INSERT INTO t (name) VALUES ('c'); INSERT INTO nowhere VALUES (1)" }];
    expect(() => applyMigrations(db, broken)).toThrow(/nowhere/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 2 });
    expect(db.prepare("SELECT id FROM schema_migrations WHERE id = 't-003'").get()).toBeUndefined();
    const fixed: Migration[] = [...first, { id: 't-003', sql: "INSERT INTO t (name) VALUES ('c')" }];
    expect(applyMigrations(db, fixed)).toEqual(['t-003']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 3 });
    expect(() => applyMigrations(db, [...fixed, { id: 't-001', sql: 'SELECT 1' }])).toThrow(/duplicate migration id t-001/);
  });
});
