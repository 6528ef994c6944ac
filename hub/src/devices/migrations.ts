import type { Migration } from '../app/module.js';

export const deviceMigrations: Migration[] = [
  {
    id: 'devices-001',
    sql: `
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        online INTEGER NOT NULL DEFAULT 0,
        offline_reason TEXT,
        last_seen TEXT NOT NULL,
        address TEXT,
        info TEXT NOT NULL DEFAULT '{}',
        lat REAL, lon REAL, position_at TEXT
      );
      CREATE TABLE device_channels (
        device_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        name TEXT NOT NULL,
        parent_id TEXT,
        status TEXT NOT NULL,
        info TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (device_id, channel_id)
      );
      CREATE TABLE bridge_event_ids (event_id TEXT PRIMARY KEY, at TEXT NOT NULL);
      CREATE INDEX bridge_event_ids_at ON bridge_event_ids(at);`,
  },
  {
    id: 'devices-002',
    sql: `
      CREATE TABLE provisioned_devices (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        court TEXT,
        unit_id TEXT,
        password TEXT,
        media_transport TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        pushed_at TEXT
      );
      CREATE INDEX provisioned_devices_court ON provisioned_devices(court);`,
  },
  {
    id: 'devices-003',
    sql: `
      CREATE TABLE live_views (
        view_id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        room TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        mode TEXT NOT NULL DEFAULT 'live',
        until_ms INTEGER NOT NULL
      );
      CREATE TABLE call_links (
        call_id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        incident_id TEXT,
        answered_at TEXT,
        ended_at TEXT,
        at TEXT NOT NULL
      );`,
  },
];
