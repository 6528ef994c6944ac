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
  {
    // NULL: a store seeded before English names existed (the default's is filled in at start);
    // '': none (an admin left it out).
    id: 'catalog-003',
    sql: `ALTER TABLE node_types ADD COLUMN name_en TEXT;`,
  },
];

interface Row {
  code: string;
  name: string;
  name_en: string | null;
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
  ...(r.name_en ? { nameEn: r.name_en } : {}),
  category: r.category,
  rule: JSON.parse(r.rule_json) as NodeType['rule'],
  blocksClosure: JSON.parse(r.blocks_json) as NodeType['blocksClosure'],
  source: r.source,
  confidence: r.confidence,
  active: r.active === 1,
});

export function putNodeType(db: Db, t: NodeType): void {
  db.prepare(
    `INSERT INTO node_types (code, name, name_en, category, rule_json, blocks_json, source, confidence, active)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, category = excluded.category,
       rule_json = excluded.rule_json, blocks_json = excluded.blocks_json, source = excluded.source,
       confidence = excluded.confidence, active = excluded.active`,
  ).run(
    t.code,
    t.name,
    t.nameEn ?? '',
    t.category,
    JSON.stringify(t.rule),
    JSON.stringify(t.blocksClosure),
    t.source,
    t.confidence,
    t.active ? 1 : 0,
  );
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

/** Codes and Chinese names of the types stored before English names existed (`name_en` NULL). */
export function typesWithoutEnglishName(db: Db): { code: string; name: string }[] {
  return db.prepare('SELECT code, name FROM node_types WHERE name_en IS NULL ORDER BY code').all() as { code: string; name: string }[];
}

/** Sets one type's English name (the start-up upgrade of older stores). */
export function setEnglishName(db: Db, code: string, nameEn: string): void {
  db.prepare('UPDATE node_types SET name_en = ? WHERE code = ?').run(nameEn, code);
}

/** Call after a change to node_types (inside or after the transaction). */
export function invalidateCatalog(db: Db): void {
  cache.delete(db);
}
