/** Test support: a whole hub on a real SQLite file in a temp directory, listening on a free port. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisposableStore, createLogger } from '@cc/runtime';
import { createHub } from '../app/create-hub.js';
import type { HubContext, HubModule } from '../app/module.js';
import { hubConfigSchema } from '../config.js';

export const ADMIN_PASSWORD = 'admin-pass-123';

export interface TestHub {
  url: string;
  context: HubContext;
  dataDir: string;
  /** Signs in and returns `{ authorization }` headers. */
  login(username: string, password: string): Promise<Record<string, string>>;
  /** JSON request; returns status and parsed body. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startTestHub(
  options: { now?: () => number; modules?: HubModule[]; dataDir?: string; settings?: Record<string, unknown> } = {},
): Promise<TestHub> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cc-hub-'));
  const disposables = new DisposableStore();
  const settings = hubConfigSchema.parse({ port: 1, adminPassword: ADMIN_PASSWORD, demo: 'off', ...options.settings });
  const logger = createLogger('hub', 'warn');
  const { app, context } = await createHub({ settings, dataDir, logger, disposables, now: options.now, modules: options.modules });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const call: TestHub['call'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    url,
    context,
    dataDir,
    call,
    async login(username, password) {
      const { status, body } = await call('POST', '/api/v1/auth/login', { username, password });
      if (status !== 200) throw new Error(`login ${username} failed: ${JSON.stringify(body)}`);
      return { authorization: `Bearer ${body.token}` };
    },
    async close() {
      await disposables.close();
    },
  };
}
