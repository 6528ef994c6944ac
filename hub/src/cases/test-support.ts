/**
 * Test support for the case-work modules: a whole hub on a real SQLite file in a temp
 * directory, a settable clock, a few courts and signed-in users. Used by unit tests only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Court } from '@cc/protocol';
import { DisposableStore, createLogger } from '@cc/runtime';
import { createHub } from '../app/create-hub.js';
import type { HubContext } from '../app/module.js';
import { hubConfigSchema } from '../config.js';
import { insertPerson, putCourt } from '../orgs/repository.js';

export const T0 = Date.parse('2026-06-01T02:00:00Z');
const PASSWORD = 'test-password-1';

export interface TestHub {
  ctx: HubContext;
  clock: { now: number };
  dataDir: string;
  tokens: { admin: string; officer: string; courtA: string; courtB: string };
  request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    token: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: T }>;
  /** New sessions for everyone (sessions last 12 h of the injected clock). */
  relogin(): Promise<void>;
  close(): Promise<void>;
}

const court = (code: string, name: string, parentCode: string | null, level: Court['level']): Court => ({
  code,
  name,
  level,
  parentCode,
  lat: 30,
  lon: 114,
  address: '',
  contact: '',
  phone: '',
  consultationEndpoint: '',
});

export async function startTestHub(options: { dataDir?: string; now?: number } = {}): Promise<TestHub> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cc-hub-cases-'));
  const clock = { now: options.now ?? T0 };
  const disposables = new DisposableStore();
  const settings = hubConfigSchema.parse({ adminPassword: PASSWORD, demo: 'off', rendererDir: join(dataDir, 'no-renderer') });
  const { app, context: ctx } = await createHub({
    settings,
    dataDir,
    logger: createLogger('hub', 'silent'),
    disposables,
    now: () => clock.now,
  });
  if (!ctx.db.prepare("SELECT 1 FROM courts WHERE code = 'H1'").get()) {
    putCourt(ctx.db, court('H1', '测试高级人民法院', null, 'high'));
    putCourt(ctx.db, court('A1', '甲区人民法院', 'H1', 'basic'));
    putCourt(ctx.db, court('B1', '乙区人民法院', 'H1', 'basic'));
    const hash = (await import('../auth/password.js')).hashPassword(PASSWORD);
    insertPerson(ctx.db, { username: 'officer', name: '值班员', role: 'duty_officer', court: null, passwordHash: hash });
    insertPerson(ctx.db, { username: 'usera', name: '甲法院用户', role: 'court_user', court: 'A1', passwordHash: hash });
    insertPerson(ctx.db, { username: 'userb', name: '乙法院用户', role: 'court_user', court: 'B1', passwordHash: hash });
  }
  const login = async (username: string): Promise<string> => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    return (response.json() as { token: string }).token;
  };
  const tokens = {
    admin: await login('admin'),
    officer: await login('officer'),
    courtA: await login('usera'),
    courtB: await login('userb'),
  };
  return {
    ctx,
    clock,
    dataDir,
    tokens,
    async request<T>(
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      url: string,
      token: string,
      body?: unknown,
      contentType?: string,
    ) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (contentType) headers['content-type'] = contentType;
      const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      if (payload !== undefined && !contentType) headers['content-type'] = 'application/json';
      const response = await app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
      return { status: response.statusCode, body: (response.body ? JSON.parse(response.body) : undefined) as T };
    },
    async relogin() {
      Object.assign(tokens, {
        admin: await login('admin'),
        officer: await login('officer'),
        courtA: await login('usera'),
        courtB: await login('userb'),
      });
    },
    async close() {
      await disposables.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Hubs a test file starts, some on a data directory that outlives one hub (a restart); call
 * `cleanup` after each test: it closes the hubs still open and removes those directories.
 */
export function restartableHubs(prefix: string) {
  const hubs: TestHub[] = [];
  const dirs: string[] = [];
  return {
    async start(dataDir?: string): Promise<TestHub> {
      const started = await startTestHub(dataDir ? { dataDir } : {});
      hubs.push(started);
      return started;
    },
    /** A data directory kept across hubs (removed by `cleanup`). */
    dataDir(): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    /** Closes one hub now (a stop before the restart). */
    async stop(hub: TestHub): Promise<void> {
      hubs.splice(hubs.indexOf(hub), 1);
      await hub.close();
    },
    async cleanup(): Promise<void> {
      for (const h of hubs.splice(0)) await h.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
