/** Opens the hub's SQLite store (WAL, foreign keys on) in the data directory. */
import { isAbsolute, join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export function openDatabase(dataDir: string, file: string): Db {
  const path = isAbsolute(file) ? file : join(dataDir, file);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
