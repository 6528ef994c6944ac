/**
 * Durability of the real hub process: it loads the demo on first start, a client streams
 * acknowledged writes (duty-log entries and unit positions), the hub is SIGKILLed in the
 * middle, restarted on the same data directory, and every acknowledged write is there; the
 * audit chain verifies over the API and with the CLI, and the CLI finds a tampered entry.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { health, repoRoot, startNode, testEnv, waitFor, type Running } from './support/processes.js';

const ADMIN_PASSWORD = 'admin-pass-123';
const WRITERS = 4;
const KILL_AFTER_ACKS = 400;

let hub: Running | undefined;
afterEach(async () => {
  if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
    hub.child.kill('SIGKILL');
    await hub.exited;
  }
  hub = undefined;
});

interface Client {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

function client(url: string, token?: string): Client {
  return {
    async call(method, path, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}

async function login(url: string, username: string, password: string): Promise<{ token: string; api: Client }> {
  const { status, body } = await client(url).call('POST', '/api/v1/auth/login', { username, password });
  if (status !== 200) throw new Error(`login ${username}: ${status} ${JSON.stringify(body)}`);
  return { token: body.token, api: client(url, body.token) };
}

const verifyCli = (dataDir: string) =>
  spawnSync(process.execPath, [join(repoRoot, 'hub/dist/audit/verify-cli.js'), '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, CC_CONFIG: '' },
  });

describe('hub durability', () => {
  it('keeps every acknowledged write across a SIGKILL, and the audit chain verifies', async () => {
    const t = await testEnv({ CC_HUB_ADMIN_PASSWORD: ADMIN_PASSWORD, CC_HUB_DEMO: 'auto' });
    hub = startNode('hub/dist/main.js', [], t.env);
    // First start: the demo loads before the hub listens.
    await waitFor('hub healthy after loading the demo', () => health(t.hubUrl), 120_000);
    expect(hub.output()).toMatch(/demo data: loaded in/);
    const officer = await login(t.hubUrl, 'duty01', 'demo-2026');
    const courts = (await officer.api.call('GET', '/api/v1/courts')).body.courts;
    expect(courts).toHaveLength(26);
    const units = (await officer.api.call('GET', '/api/v1/units')).body.units.slice(0, WRITERS).map((u: any) => u.id as string);

    // Stream writes from WRITERS concurrent loops; record what the hub acknowledged.
    const acked = new Map<number, string>();
    const sentPositions = new Map<string, { lat: number; lon: number }[]>();
    const ackedPosition = new Map<string, number>();
    let stop = false;
    let failures = 0;
    const writer = async (w: number): Promise<void> => {
      const unit = units[w]!;
      sentPositions.set(unit, []);
      for (let n = 0; !stop; n++) {
        try {
          const text = `durability ${w}-${n}`;
          const entry = await officer.api.call('POST', '/api/v1/duty/log', { kind: 'note', text });
          if (entry.status === 201) acked.set(entry.body.id, text);
          const position = { lat: 39.9 + w / 100, lon: 116.3 + n / 10_000 };
          sentPositions.get(unit)!.push(position);
          const moved = await officer.api.call('POST', `/api/v1/units/${unit}/position`, position);
          if (moved.status === 200) ackedPosition.set(unit, n);
        } catch {
          failures++; // the hub died under this request: not acknowledged
          return;
        }
      }
    };
    const writing = Array.from({ length: WRITERS }, (_, w) => writer(w));
    await waitFor(`${KILL_AFTER_ACKS} acknowledged writes`, () => (acked.size >= KILL_AFTER_ACKS ? true : undefined), 60_000);
    hub.child.kill('SIGKILL');
    expect(await hub.exited).toMatchObject({ signal: 'SIGKILL' });
    stop = true;
    await Promise.all(writing);
    expect(failures).toBeGreaterThan(0); // requests were in flight when the hub died

    // Restart on the same data directory: no demo reload, every acknowledged write present.
    hub = startNode('hub/dist/main.js', [], t.env);
    await waitFor('hub healthy after restart', () => health(t.hubUrl), 60_000);
    expect(hub.output()).not.toMatch(/demo data: loading/);
    // The session from before the crash is still valid.
    expect((await officer.api.call('GET', '/api/v1/auth/me')).status).toBe(200);
    const stored = new Map<number, string>();
    for (let after = 0; ;) {
      const page = (await officer.api.call('GET', `/api/v1/duty/log?after=${after}&limit=5000`)).body.entries as any[];
      if (page.length === 0) break;
      for (const e of page) stored.set(e.id, e.text);
      after = page.at(-1).id;
    }
    const missing = [...acked].filter(([id, text]) => stored.get(id) !== text);
    expect(missing).toEqual([]);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    const positions = new Map((await officer.api.call('GET', '/api/v1/units')).body.units.map((u: any) => [u.id, u.position]));
    for (const unit of units) {
      const sent = sentPositions.get(unit)!;
      const now = positions.get(unit) as { lat: number; lon: number };
      const index = sent.findIndex((p) => p.lat === now.lat && p.lon === now.lon);
      // The stored position is the last acknowledged one or a later one whose answer was lost.
      expect(index).toBeGreaterThanOrEqual(ackedPosition.get(unit) ?? 0);
    }
    expect((await officer.api.call('POST', '/api/v1/duty/log', { text: 'after restart' })).status).toBe(201);

    const admin = await login(t.hubUrl, 'admin', ADMIN_PASSWORD);
    const verified = (await admin.api.call('GET', '/api/v1/audit/verify')).body;
    expect(verified.ok).toBe(true);
    expect(verified.entries).toBeGreaterThan(2 * KILL_AFTER_ACKS);

    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).toBe(0);
    const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts;
    expect(scripts['audit:verify']).toBe('node hub/dist/audit/verify-cli.js');
    const intact = verifyCli(t.dataDir);
    expect(intact.status).toBe(0);
    // Timers (the wall's schedules) may have appended entries since the API check.
    expect(Number(/audit chain intact: (\d+) entries/.exec(intact.stdout)?.[1])).toBeGreaterThanOrEqual(verified.entries);

    // The CLI is not a rubber stamp: alter one entry and it reports the first break.
    const db = new Database(join(t.dataDir, 'hub.sqlite'));
    const victim = Math.floor(verified.entries / 2);
    db.prepare('UPDATE audit_log SET after_json = \'{"text":"forged"}\' WHERE seq = ?').run(victim);
    db.close();
    const broken = verifyCli(t.dataDir);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain(`audit chain BROKEN at entry ${victim}: entry was altered`);
    rmSync(t.dataDir, { recursive: true, force: true });
  });
  it('finishes loading the demo after a SIGKILL in the middle of it, without duplicates', async () => {
    const t = await testEnv({ CC_HUB_ADMIN_PASSWORD: ADMIN_PASSWORD, CC_HUB_DEMO: 'auto' });
    hub = startNode('hub/dist/main.js', [], t.env);
    await waitFor('the first case batch', () => (/"cases":5000,/.test(hub!.output()) ? true : undefined), 120_000);
    hub.child.kill('SIGKILL');
    await hub.exited;
    const half = new Database(join(t.dataDir, 'hub.sqlite'), { readonly: true });
    const partial = (half.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n;
    half.close();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(50_000);

    hub = startNode('hub/dist/main.js', [], t.env);
    await waitFor('hub healthy after finishing the demo', () => health(t.hubUrl), 120_000);
    expect(hub.output()).toMatch(/demo data: loaded in/);
    hub.child.kill('SIGTERM');
    await hub.exited;
    const db = new Database(join(t.dataDir, 'hub.sqlite'), { readonly: true });
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT COUNT(*) AS n FROM cases')).toBe(50_000);
    expect(count('SELECT COUNT(*) AS n FROM courts')).toBe(26);
    expect(count("SELECT COUNT(*) AS n FROM people WHERE id LIKE 'demo-%'")).toBe(226);
    expect(count("SELECT COUNT(*) AS n FROM demo_steps WHERE step = 'complete'")).toBe(1);
    db.close();
    expect(verifyCli(t.dataDir).status).toBe(0);
    rmSync(t.dataDir, { recursive: true, force: true });
  });
});
