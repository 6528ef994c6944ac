import type { Migration } from '../app/module.js';

export const alarmMigrations: Migration[] = [
  {
    id: 'alarms-001',
    sql: `
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('open','acknowledged','closed')),
        title TEXT NOT NULL,
        court_code TEXT,
        priority INTEGER NOT NULL,
        device_id TEXT,
        opened_at TEXT NOT NULL,
        closed_at TEXT,
        result TEXT
      );
      CREATE INDEX incidents_open_device ON incidents(device_id) WHERE status != 'closed';
      CREATE INDEX incidents_status ON incidents(status, opened_at);
      CREATE TABLE alarms (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents(id),
        source TEXT NOT NULL,
        source_event_id TEXT UNIQUE,
        device_id TEXT,
        channel_id TEXT,
        unit_id TEXT,
        court_code TEXT,
        priority INTEGER NOT NULL,
        kind TEXT NOT NULL,
        description TEXT NOT NULL,
        lat REAL,
        lon REAL,
        raised_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        nearest_courts TEXT NOT NULL,
        nearest_units TEXT NOT NULL
      );
      CREATE INDEX alarms_incident ON alarms(incident_id);
      CREATE TABLE incident_timeline (
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents(id),
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        data TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX incident_timeline_incident ON incident_timeline(incident_id, id);`,
  },
];
