/** Applies each module's migrations once, in order, recording them in `schema_migrations`. */
import type { Logger } from '@cc/runtime';
import type { Migration } from '../app/module.js';
import type { Db } from './database.js';

export function applyMigrations(db: Db, migrations: readonly Migration[], logger?: Logger): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const ids = new Set<string>();
  for (const m of migrations) {
    if (ids.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
    ids.add(m.id);
  }
  const done = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: string }[]).map((r) => r.id));
  const applied: string[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  const pending = migrations.filter((m) => !done.has(m.id));
  // A migration can rebuild a large table (cases-002 takes ~13 s at 10 M flow nodes): say which one
  // runs before it starts, and how long it took, so a slow first start after an upgrade shows why.
  if (pending.length > 0 && done.size > 0) logger?.info({ pending: pending.map((m) => m.id) }, 'applying migrations to an existing store');
  for (const [i, migration] of pending.entries()) {
    if (done.size > 0) logger?.info({ migration: migration.id, step: i + 1, of: pending.length }, 'applying migration');
    const started = performance.now();
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.id, new Date().toISOString());
    })();
    applied.push(migration.id);
    logger?.info({ migration: migration.id, ms: Math.round(performance.now() - started) }, 'migration applied');
  }
  return applied;
}
