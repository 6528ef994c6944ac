/**
 * `npm run audit:verify [-- --data-dir DIR]`: walks the audit chain of a hub store and
 * prints the first break. Exit 0 when intact, 1 when broken.
 */
import { join } from 'node:path';
import { loadConfig } from '@cc/runtime';
import { hubConfigSchema } from '../config.js';
import { openDatabase } from '../store/database.js';
import { AuditLog } from './audit-log.js';

const config = loadConfig('hub', hubConfigSchema);
const dirArg = process.argv.indexOf('--data-dir');
const dataDir = dirArg > 0 ? (process.argv[dirArg + 1] ?? config.shared.dataDir) : config.shared.dataDir;
const db = openDatabase(dataDir, config.service.database);
const result = new AuditLog(db).verify();
db.close();
if (result.ok) {
  console.log(`audit chain intact: ${result.entries} entries (${join(dataDir, config.service.database)})`);
} else {
  console.log(`audit chain BROKEN at entry ${result.firstBreak?.seq}: ${result.firstBreak?.reason}`);
  process.exitCode = 1;
}
