/**
 * First start: when nobody can sign in yet, create the `admin` account. Its password
 * comes from `hub.adminPassword`, else it is generated and written (once) to
 * `<dataDir>/secrets/initial-admin-password`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { insertPerson } from '../orgs/repository.js';
import type { HubContext } from './module.js';

export function ensureAdmin(ctx: HubContext, configured: string | undefined): void {
  const count = (ctx.db.prepare("SELECT COUNT(*) AS n FROM people WHERE role = 'admin' AND active = 1").get() as { n: number }).n;
  if (count > 0) return;
  const password = configured ?? randomBytes(12).toString('base64url');
  ctx.mutate(SYSTEM_ACTOR, 'person.create', () => {
    const admin = insertPerson(ctx.db, { username: 'admin', name: '系统管理员', role: 'admin', court: null, password });
    return { value: admin, target: `person:${admin.id}`, after: admin };
  });
  if (!configured) {
    const dir = join(ctx.dataDir, 'secrets');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'initial-admin-password'), `${password}\n`, { mode: 0o600 });
    ctx.logger.warn({ file: join(dir, 'initial-admin-password') }, 'created the admin account; its password is in this file');
  }
}
