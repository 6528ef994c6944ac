/**
 * The real hub process: cases imported over HTTP (JSON and CSV), the deadline engine's own
 * timer raising 超期 on the WebSocket stream without anyone asking, and a node that fell
 * due while the hub was stopped being raised when it starts again (same SQLite file).
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { health, startNode, testEnv, waitFor, type Running } from './support/processes.js';

const ADMIN_PASSWORD = 'admin-pass-123';

let hub: Running | undefined;
let sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets) ws.terminate();
  sockets = [];
  if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
    hub.child.kill('SIGKILL');
    await hub.exited;
  }
  hub = undefined;
});

async function call(url: string, token: string | null, method: string, path: string, body?: unknown, type = 'application/json') {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': type }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

async function start(env: NodeJS.ProcessEnv, url: string): Promise<string> {
  hub = startNode('hub/dist/main.js', [], env);
  await waitFor('hub health', () => health(url));
  const login = await call(url, null, 'POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
  return login.body.token as string;
}

/** Collects node events (type@court#nodeId) from a real WebSocket client; resolves once the hello arrived. */
async function stream(url: string, token: string, since?: number): Promise<{ seen: string[]; lastSeq: () => number }> {
  const seen: string[] = [];
  let lastSeq = 0;
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/events?token=${token}${since === undefined ? '' : `&since=${since}`}`);
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString()) as {
        type: string;
        seq?: number;
        event?: { seq: number; type: string; court: string; data: { nodeId?: number } };
      };
      if (frame.type === 'hello') resolve();
      if (frame.type !== 'event' || !frame.event) return;
      lastSeq = frame.event.seq;
      if (frame.event.type.startsWith('node.')) seen.push(`${frame.event.type}@${frame.event.court}#${frame.event.data.nodeId}`);
    });
    ws.on('error', reject);
  });
  return { seen, lastSeq: () => lastSeq };
}

describe('hub cases and deadlines (real process)', () => {
  it('raises 超期 on its own timer, and after a restart for what fell due while it was down', async () => {
    const t = await testEnv({ CC_HUB_DEMO: 'off', CC_HUB_ADMIN_PASSWORD: ADMIN_PASSWORD, CC_LOG_LEVEL: 'warn' });
    let token = await start(t.env, t.hubUrl);
    const court = { code: 'E2E1', name: '端到端测试法院', level: 'basic', parentCode: null, lat: 30, lon: 114 };
    expect((await call(t.hubUrl, token, 'POST', '/api/v1/courts', court)).status).toBe(201);
    const events = await stream(t.hubUrl, token);

    const csv =
      'caseNo,court,kind,filedAt,amountOwed\n(2026)端执1号,E2E1,first,2026-01-05,1000\n(2026)端执2号,NOPE,first,2026-01-05,1000\n';
    const imported = await call(t.hubUrl, token, 'POST', '/api/v1/cases/import', csv, 'text/csv');
    expect(imported.body).toMatchObject({ accepted: 1, rejected: [expect.objectContaining({ row: 3, reason: 'unknown_court' })] });
    const now = Date.now();
    const record = {
      caseNo: '(2026)端执1号',
      court: 'E2E1',
      kind: 'first',
      filedAt: '2026-01-05',
      amountOwed: 1000,
      nodes: [
        { type: 'funds_payout', startedAt: new Date(now - 1000).toISOString(), dueAt: new Date(now + 1500).toISOString() },
        { type: 'funds_claim', startedAt: new Date(now - 1000).toISOString(), dueAt: new Date(now + 6000).toISOString() },
      ],
    };
    const update = await call(t.hubUrl, token, 'POST', '/api/v1/cases/import', { records: [record] });
    expect(update.body).toMatchObject({ accepted: 1, created: 0, updated: 1, nodes: 2 });
    const detail = await call(t.hubUrl, token, 'GET', `/api/v1/cases/${encodeURIComponent('(2026)端执1号')}`);
    const [payout, claim] = ['funds_payout', 'funds_claim'].map(
      (type) => (detail.body.nodes as { id: number; type: string }[]).find((n) => n.type === type)!.id,
    );

    // Nobody calls the engine: its timer fires at the due time.
    await waitFor('超期 of the first node', () => (events.seen.includes(`node.overdue@E2E1#${payout}`) ? true : undefined), 20_000);
    expect(events.seen).not.toContain(`node.overdue@E2E1#${claim}`);

    hub!.child.kill('SIGTERM');
    await hub!.exited;
    await new Promise((r) => setTimeout(r, Math.max(0, now + 6500 - Date.now())));
    token = await start(t.env, t.hubUrl);
    const resumed = await stream(t.hubUrl, token, events.lastSeq());
    await waitFor('超期 raised after restart', () => (resumed.seen.includes(`node.overdue@E2E1#${claim}`) ? true : undefined), 20_000);
    const counts = await call(t.hubUrl, token, 'GET', '/api/v1/nodes/counts');
    expect(counts.body.courts).toEqual([{ court: 'E2E1', dueSoon: 0, overdue: 2 }]);
    const audit = await call(t.hubUrl, token, 'GET', '/api/v1/audit/verify');
    expect(audit.body).toMatchObject({ ok: true });
  });
});
