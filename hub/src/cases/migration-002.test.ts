import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlowNode } from '@cc/protocol';
import { applyMigrations } from '../store/migrations.js';
import { casesMigrations } from './store.js';
import { startTestHub, T0 } from './test-support.js';

// A store written before cases-002 (flow_nodes with its UNIQUE (case_id, type, cycle)) keeps
// every node, id for id, when the migration rebuilds the table.
let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cc-hub-migration-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const DAY = 86_400_000;
const NODE_FIELDS = 'id, case_id, court_code, type, cycle, started_at, due_at, done_at, state, next_at';

/** Nodes with ids out of insertion order and gaps, every state, null and set optional fields. */
const oldNodes = [
  {
    id: 42,
    case_id: 7,
    court_code: 'A1',
    type: 'handler_assignment',
    cycle: 0,
    started_at: T0 - 30 * DAY,
    due_at: T0 - 20 * DAY,
    done_at: null,
    state: 2,
    next_at: null,
  },
  {
    id: 7,
    case_id: 7,
    court_code: 'A1',
    type: 'network_inquiry',
    cycle: 0,
    started_at: T0 - 30 * DAY,
    due_at: T0 - 27 * DAY,
    done_at: T0 - 29 * DAY,
    state: 3,
    next_at: null,
  },
  {
    id: 1000,
    case_id: 7,
    court_code: 'A1',
    type: 'sale_start',
    cycle: 0,
    started_at: T0 - 5 * DAY,
    due_at: T0 + DAY,
    done_at: null,
    state: 1,
    next_at: T0 + DAY,
  },
  {
    id: 1001,
    case_id: 7,
    court_code: 'A1',
    type: 'asset_investigation',
    cycle: 0,
    started_at: T0 - 5 * DAY,
    due_at: T0 + 60 * DAY,
    done_at: null,
    state: 0,
    next_at: T0 + 53 * DAY,
  },
  {
    id: 5,
    case_id: 9,
    court_code: 'B1',
    type: 'terminated_recheck',
    cycle: 3,
    started_at: T0 - 200 * DAY,
    due_at: T0 - 10 * DAY,
    done_at: null,
    state: 2,
    next_at: null,
  },
  {
    id: 6,
    case_id: 9,
    court_code: 'B1',
    type: 'terminated_recheck',
    cycle: 2,
    started_at: T0 - 380 * DAY,
    due_at: T0 - 190 * DAY,
    done_at: T0 - 195 * DAY,
    state: 3,
    next_at: null,
  },
];

/** A hub data dir whose store has only the first cases migration (applied by hand), with two cases and their nodes. */
function oldStore(): Database.Database {
  const db = new Database(join(dataDir, 'hub.sqlite'));
  db.exec(casesMigrations[0]!.sql);
  const insertCase = db.prepare(
    `INSERT INTO cases (id, case_no, court_code, kind, filed_at, amount_owed, amount_recovered, closed_at, closure_type, updated_at)
     VALUES (?, ?, ?, 'first', ?, 1000, 0, ?, ?, ?)`,
  );
  insertCase.run(7, '(2025)甲执7号', 'A1', T0 - 40 * DAY, null, null, T0 - DAY);
  insertCase.run(9, '(2024)乙执9号', 'B1', T0 - 400 * DAY, T0 - 390 * DAY, 'terminated_current', T0 - DAY);
  const insertNode = db.prepare(
    `INSERT INTO flow_nodes (${NODE_FIELDS}) VALUES (@id, @case_id, @court_code, @type, @cycle, @started_at, @due_at, @done_at, @state, @next_at)`,
  );
  for (const n of oldNodes) insertNode.run(n);
  // Recorded as the hub's runner did before cases-002 existed.
  db.exec('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  db.prepare("INSERT INTO schema_migrations (id, applied_at) VALUES ('cases-001', '2026-01-01T00:00:00.000Z')").run();
  return db;
}

const indexes = (db: Database.Database): string[] =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'flow_nodes' ORDER BY name").all() as { name: string }[]
  ).map((r) => r.name);

describe('migration cases-002 (flow_nodes rebuilt)', () => {
  it('keeps every node row and its id, with staged NULL, and leaves the four indexes', () => {
    const db = oldStore();
    try {
      const before = db.prepare(`SELECT ${NODE_FIELDS} FROM flow_nodes ORDER BY id`).all();
      expect(before).toHaveLength(oldNodes.length);
      expect(indexes(db)).toContain('sqlite_autoindex_flow_nodes_1'); // the UNIQUE constraint of cases-001
      expect(applyMigrations(db, casesMigrations)).toContain('cases-002');

      expect(db.prepare(`SELECT ${NODE_FIELDS} FROM flow_nodes ORDER BY id`).all()).toEqual(before);
      expect(db.prepare('SELECT id, staged FROM flow_nodes ORDER BY id').all()).toEqual(
        oldNodes.map((n) => ({ id: n.id, staged: null })).sort((a, b) => a.id - b.id),
      );
      expect(indexes(db)).toEqual(['flow_nodes_case', 'flow_nodes_next', 'flow_nodes_open', 'flow_nodes_staged']);
      const sql = (name: string): string =>
        (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(name) as string).replace(/\s+/g, ' ');
      expect(sql('flow_nodes_open')).toContain('WHERE state IN (1, 2) AND staged IS NULL');
      expect(sql('flow_nodes_staged')).toContain('WHERE staged IS NOT NULL');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      // New rows continue after the highest id (INTEGER PRIMARY KEY), not in a gap.
      const next = db
        .prepare(
          `INSERT INTO flow_nodes (case_id, court_code, type, cycle, started_at, due_at, state) VALUES (7, 'A1', 'enforcement_notice', 0, ?, ?, 0)`,
        )
        .run(T0, T0 + DAY).lastInsertRowid;
      expect(Number(next)).toBe(1002);
      // A second run changes nothing.
      expect(applyMigrations(db, casesMigrations)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('lets a hub started on the old store list the migrated open nodes', async () => {
    oldStore().close();
    const hub = await startTestHub({ dataDir });
    try {
      const db = hub.ctx.db;
      expect(db.prepare(`SELECT ${NODE_FIELDS} FROM flow_nodes ORDER BY id`).all()).toEqual([...oldNodes].sort((a, b) => a.id - b.id));
      expect(indexes(db)).toEqual(['flow_nodes_case', 'flow_nodes_next', 'flow_nodes_open', 'flow_nodes_staged']);
      const list = async (state: string) =>
        (await hub.request<{ nodes: FlowNode[] }>('GET', `/api/v1/nodes?state=${state}`, hub.tokens.officer)).body.nodes.map((n) => [
          n.id,
          n.caseNo,
          n.type,
          n.cycle,
        ]);
      expect(await list('overdue')).toEqual([
        [42, '(2025)甲执7号', 'handler_assignment', 0],
        [5, '(2024)乙执9号', 'terminated_recheck', 3],
      ]);
      expect(await list('due_soon')).toEqual([[1000, '(2025)甲执7号', 'sale_start', 0]]);
    } finally {
      await hub.close();
    }
  });
});
