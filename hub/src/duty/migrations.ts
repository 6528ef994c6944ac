import type { Migration } from '../app/module.js';

export const dutyMigrations: Migration[] = [
  {
    id: 'duty-001',
    sql: `
      CREATE TABLE duty_posts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        court_code TEXT NOT NULL REFERENCES courts(code),
        description TEXT NOT NULL DEFAULT '',
        UNIQUE (court_code, name)
      );
      CREATE TABLE duty_roster (
        id TEXT PRIMARY KEY,
        post_id TEXT NOT NULL REFERENCES duty_posts(id),
        person_id TEXT NOT NULL REFERENCES people(id),
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX duty_roster_post ON duty_roster(post_id, starts_at);
      CREATE INDEX duty_roster_person ON duty_roster(person_id, starts_at);
      CREATE TABLE duty_shifts (
        id TEXT PRIMARY KEY,
        post_id TEXT NOT NULL REFERENCES duty_posts(id),
        person_id TEXT NOT NULL REFERENCES people(id),
        signed_in_at TEXT NOT NULL,
        signed_out_at TEXT
      );
      CREATE UNIQUE INDEX duty_shifts_open ON duty_shifts(post_id, person_id) WHERE signed_out_at IS NULL;
      CREATE INDEX duty_shifts_post ON duty_shifts(post_id, signed_in_at);
      CREATE TABLE duty_roll_calls (
        id TEXT PRIMARY KEY,
        started_by TEXT NOT NULL,
        started_at TEXT NOT NULL,
        deadline_at TEXT NOT NULL,
        closed_at TEXT,
        note TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX duty_roll_calls_open ON duty_roll_calls(deadline_at) WHERE closed_at IS NULL;
      CREATE TABLE duty_roll_call_posts (
        roll_call_id TEXT NOT NULL REFERENCES duty_roll_calls(id),
        post_id TEXT NOT NULL REFERENCES duty_posts(id),
        status TEXT NOT NULL CHECK (status IN ('pending','answered','late','absent')),
        answered_at TEXT,
        answered_by TEXT,
        PRIMARY KEY (roll_call_id, post_id)
      );
      CREATE TABLE duty_handovers (
        id TEXT PRIMARY KEY,
        post_id TEXT NOT NULL REFERENCES duty_posts(id),
        from_person_id TEXT NOT NULL REFERENCES people(id),
        to_person_id TEXT NOT NULL REFERENCES people(id),
        items TEXT NOT NULL DEFAULT '[]',
        notes TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('offered','accepted','declined')),
        created_at TEXT NOT NULL,
        decided_at TEXT
      );
      CREATE TABLE duty_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        post_id TEXT REFERENCES duty_posts(id),
        court_code TEXT REFERENCES courts(code),
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL
      );
      CREATE INDEX duty_log_at ON duty_log(at);
      CREATE INDEX duty_log_court ON duty_log(court_code, id);`,
  },
];
