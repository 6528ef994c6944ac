/** Node types on the db, plus an in-memory copy the importer and the engine read (reloaded on change). */
import type { NodeType } from '@cc/protocol';
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';

export const catalogMigrations: Migration[] = [
  {
    id: 'catalog-001',
    sql: `
      CREATE TABLE node_types (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        category TEXT NOT NULL CHECK (category IN ('supervised','reminder','gate')),
        rule_json TEXT NOT NULL,
        blocks_json TEXT NOT NULL DEFAULT '[]',
        source TEXT NOT NULL DEFAULT '',
        confidence TEXT NOT NULL DEFAULT 'unconfirmed',
        active INTEGER NOT NULL DEFAULT 1
      );`,
  },
];

interface Row {
  code: string;
  name: string;
  category: NodeType['category'];
  rule_json: string;
  blocks_json: string;
  source: string;
  confidence: NodeType['confidence'];
  active: number;
}

const fromRow = (r: Row): NodeType => ({
  code: r.code,
  name: r.name,
  category: r.category,
  rule: JSON.parse(r.rule_json) as NodeType['rule'],
  blocksClosure: JSON.parse(r.blocks_json) as NodeType['blocksClosure'],
  source: r.source,
  confidence: r.confidence,
  active: r.active === 1,
});

export function putNodeType(db: Db, t: NodeType): void {
  db.prepare(
    `INSERT INTO node_types (code, name, category, rule_json, blocks_json, source, confidence, active)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(code) DO UPDATE SET name = excluded.name, category = excluded.category, rule_json = excluded.rule_json,
       blocks_json = excluded.blocks_json, source = excluded.source, confidence = excluded.confidence, active = excluded.active`,
  ).run(t.code, t.name, t.category, JSON.stringify(t.rule), JSON.stringify(t.blocksClosure), t.source, t.confidence, t.active ? 1 : 0);
}

const cache = new WeakMap<Db, Map<string, NodeType>>();

/** All node types by code (inactive ones included: existing nodes keep their type). */
export function catalogOf(db: Db): Map<string, NodeType> {
  let map = cache.get(db);
  if (!map) {
    map = new Map((db.prepare('SELECT * FROM node_types ORDER BY code').all() as Row[]).map((r) => [r.code, fromRow(r)]));
    cache.set(db, map);
  }
  return map;
}

/** Call after a change to node_types (inside or after the transaction). */
export function invalidateCatalog(db: Db): void {
  cache.delete(db);
}
