import type { Migration } from '../app/module.js';

export const orgsMigrations: Migration[] = [
  {
    id: 'orgs-001',
    sql: `
      CREATE TABLE courts (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        level TEXT NOT NULL CHECK (level IN ('high','intermediate','basic','special')),
        parent_code TEXT REFERENCES courts(code),
        lat REAL NOT NULL,
        lon REAL NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        contact TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        consultation_endpoint TEXT NOT NULL DEFAULT ''
      );
      CREATE TABLE people (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        court_code TEXT REFERENCES courts(code),
        phone TEXT NOT NULL DEFAULT '',
        password_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1
      );
      CREATE TABLE field_units (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        court_code TEXT NOT NULL REFERENCES courts(code),
        members TEXT NOT NULL DEFAULT '[]',
        devices TEXT NOT NULL DEFAULT '[]',
        call_sign TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'available',
        lat REAL, lon REAL, position_at TEXT
      );
      CREATE INDEX field_units_court ON field_units(court_code);`,
  },
];
