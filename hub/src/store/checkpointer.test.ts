import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { createLogger } from '@cc/runtime';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalCheckpointer } from './checkpointer.js';
import { openDatabase, type Db } from './database.js';

const logger = createLogger('hub-test', 'silent');
let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cc-checkpointer-'));
  db = openDatabase(dir, 'hub.sqlite');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (rows: number): void => {
  const stmt = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) stmt.run(`row ${i} `.repeat(20));
  })();
};
const autocheckpoint = (): number => db.pragma('wal_autocheckpoint', { simple: true }) as number;

describe('WAL checkpointer (worker thread with its own connection)', () => {
  it('takes checkpoints off the hub connection, copies every committed frame back, and the WAL is reused', async () => {
    const checkpointer = await WalCheckpointer.start(db, logger);
    expect(checkpointer).toBeDefined();
    expect(autocheckpoint()).toBe(0);
    insert(5000);
    const first = await checkpointer!.checkpoint();
    expect(first.log).toBeGreaterThan(100);
    expect(first.checkpointed).toBe(first.log);
    // Everything was copied back: the next write starts the WAL from its beginning again.
    insert(1);
    const second = await checkpointer!.checkpoint();
    expect(second.log).toBeLessThan(first.log);
    expect(second.checkpointed).toBe(second.log);
    await checkpointer!.close();
    await expect(checkpointer!.checkpoint()).rejects.toThrow(/closed/);
    // The hub's connection is untouched by the close and still writes.
    insert(1);
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(5002);
  });

  it('keeps the WAL of a long stream of write transactions short when the writer makes room between them', async () => {
    const checkpointer = (await WalCheckpointer.start(db, logger))!;
    let restarts = 0;
    // A bulk import's shape: transactions back to back (~190 frames each, 31 MB of WAL in all when
    // nothing restarts it), the event loop free between them, checkpoints running meanwhile in the
    // worker (one asked for every turn here, as the hub's timer would over a longer stream).
    for (let slice = 0; slice < 40; slice++) {
      insert(4000);
      void checkpointer.checkpoint().catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      if (await checkpointer.makeRoom(200)) restarts++;
    }
    expect(restarts).toBeGreaterThan(2);
    expect(checkpointer.restarts).toBe(restarts);
    expect(checkpointer.restartWaitMs).toBeGreaterThan(0);
    // The WAL file (it only grows: its size is its longest run) stayed under a third of the stream.
    expect(statSync(join(dir, 'hub.sqlite-wal')).size).toBeLessThan(10 * 1024 * 1024);
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(40 * 4000);
    // Below the limit there is nothing to wait for; once closed, neither.
    const runs = checkpointer.runs;
    expect(await checkpointer.makeRoom(1_000_000)).toBe(false);
    expect(checkpointer.runs).toBe(runs);
    await checkpointer.close();
    expect(await checkpointer.makeRoom(0)).toBe(false);
  });

  it('hands checkpoints back to the hub connection when its worker dies', async () => {
    const checkpointer = await WalCheckpointer.start(db, logger);
    const worker = (checkpointer as unknown as { worker: Worker }).worker;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await worker.terminate();
    await exited;
    expect(autocheckpoint()).toBe(1000);
    await expect(checkpointer!.checkpoint()).rejects.toThrow(/closed/);
    await checkpointer!.close();
  });

  it('does nothing for a database without a file', async () => {
    const memory = new Database(':memory:');
    expect(await WalCheckpointer.start(memory, logger)).toBeUndefined();
    memory.close();
  });
});
