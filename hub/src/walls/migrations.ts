import type { Migration } from '../app/module.js';

export const wallsMigrations: Migration[] = [
  {
    id: 'walls-001',
    sql: `
      CREATE TABLE wall_docs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('wall','scene','tour','schedule')),
        wall_id TEXT REFERENCES wall_docs(id),
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE INDEX wall_docs_wall ON wall_docs(wall_id, kind);
      CREATE TABLE wall_doc_versions (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        body TEXT,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        PRIMARY KEY (id, version)
      );
      CREATE TABLE wall_state (
        wall_id TEXT PRIMARY KEY REFERENCES wall_docs(id),
        active_kind TEXT,
        active_id TEXT,
        active_version INTEGER,
        activated_at TEXT,
        activated_by TEXT,
        schedule_id TEXT,
        schedule_key TEXT
      );`,
  },
];
