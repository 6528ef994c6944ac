import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enterBulkWrites } from './bulk.js';
import { openDatabase, type Db } from './database.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cc-hub-bulk-'));
  db = openDatabase(dir, 'hub.sqlite');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const checkpointPages = (): number => db.pragma('wal_autocheckpoint', { simple: true }) as number;
const synchronous = (): number => db.pragma('synchronous', { simple: true }) as number;

describe('bulk write mode (real SQLite file)', () => {
  it('defers checkpoints while any bulk write is active and restores the setting after the last', () => {
    expect(checkpointPages()).toBe(1000);
    const leaveA = enterBulkWrites(db);
    expect(checkpointPages()).toBe(16_384);
    const leaveB = enterBulkWrites(db);
    leaveA();
    leaveA(); // a second call does nothing
    expect(checkpointPages()).toBe(16_384);
    leaveB();
    expect(checkpointPages()).toBe(1000);
  });

  it('leaves durability alone (synchronous stays NORMAL)', () => {
    const leave = enterBulkWrites(db);
    expect(synchronous()).toBe(1);
    leave();
    expect(synchronous()).toBe(1);
  });
});
