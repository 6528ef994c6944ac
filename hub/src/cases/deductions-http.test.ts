import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HubEventEnvelope } from '@cc/protocol';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub.js';

// Over real HTTP and a real WebSocket client: a court user records a deduction period and hears
// about it on the event stream; an admin's rule change reports its re-timing there too.
let hub: TestHub;
let socket: WebSocket | undefined;
afterEach(async () => {
  socket?.close();
  await hub?.close();
});

const NOW = Date.parse('2026-06-01T02:00:00Z');
const court = (code: string, parentCode: string | null) => ({
  code,
  name: `${code}人民法院`,
  level: parentCode ? 'basic' : 'high',
  parentCode,
  lat: 30,
  lon: 114,
});

function listen(token: string): { ready: Promise<void>; events: HubEventEnvelope[] } {
  const events: HubEventEnvelope[] = [];
  socket = new WebSocket(`${hub.url.replace('http', 'ws')}/api/v1/events?token=${token}`);
  const ready = new Promise<void>((resolve) => socket!.once('message', () => resolve()));
  socket.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as { type: string; event?: HubEventEnvelope };
    if (frame.type === 'event' && frame.event) events.push(frame.event);
  });
  return { ready, events };
}

const waitFor = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
};

describe('deduction periods and rule changes over HTTP (real SQLite, real WebSocket)', () => {
  it('records, lists and ends a period; the court user and the stream see it; a rule change reports its count', async () => {
    hub = await startTestHub({ now: () => NOW });
    const admin = await hub.login('admin', ADMIN_PASSWORD);
    for (const c of [court('H9', null), court('A9', 'H9')]) expect((await hub.call('POST', '/api/v1/courts', c, admin)).status).toBe(201);
    const person = { username: 'clerk9', name: '书记员', role: 'court_user', court: 'A9', password: 'clerk-pass-9' };
    expect((await hub.call('POST', '/api/v1/people', person, admin)).status).toBe(201);
    const clerk = await hub.login('clerk9', 'clerk-pass-9');
    const caseNo = '(2026)甲执900号';
    const record = {
      caseNo,
      court: 'A9',
      kind: 'first',
      filedAt: '2026-05-01',
      amountOwed: 10,
      nodes: [{ type: 'case_disposition', startedAt: '2026-05-01' }],
    };
    expect((await hub.call('POST', '/api/v1/cases/import', { records: [record] }, clerk)).body).toMatchObject({ accepted: 1 });

    const stream = listen(clerk.authorization!.slice(7));
    await stream.ready;
    const path = `/api/v1/cases/${encodeURIComponent(caseNo)}`;
    const created = await hub.call('POST', `${path}/deductions`, { reason: 'public_notice', startedOn: '2026-05-10' }, clerk);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ moved: 1, deduction: { reason: 'public_notice', endedOn: null } });
    const ended = await hub.call('PATCH', `${path}/deductions/${created.body.deduction.id}`, { endedOn: '2026-05-25' }, clerk);
    expect(ended.body).toMatchObject({ moved: 1, deduction: { days: 15 } });
    const detail = (await hub.call('GET', path, undefined, clerk)).body;
    // 6 months from 1 May → end of 1 November, + 15 days.
    expect(detail.nodes[0]).toMatchObject({ dueAt: '2026-11-16T16:00:00.000Z', baseDueAt: '2026-11-01T16:00:00.000Z', paused: false });
    expect(detail.deductions).toHaveLength(1);
    await waitFor(() => stream.events.filter((e) => e.type === 'case.changed').length === 2);
    expect(stream.events.filter((e) => e.type === 'case.changed').map((e) => (e.data as { action: string }).action)).toEqual([
      'deduction_recorded',
      'deduction_ended',
    ]);

    const type = (await hub.call('GET', '/api/v1/catalog/node-types/case_disposition', undefined, admin)).body;
    const { code: _code, ...body } = type;
    const put = await hub.call('PUT', '/api/v1/catalog/node-types/case_disposition', { ...body, rule: { ...body.rule, amount: 3 } }, admin);
    expect(put.body.recomputed).toEqual({ nodes: 1, moved: 1 });
    // 3 months → end of 1 August, + the 15 days still deducted.
    expect((await hub.call('GET', path, undefined, clerk)).body.nodes[0].dueAt).toBe('2026-08-16T16:00:00.000Z');
    await waitFor(() => stream.events.some((e) => e.type === 'catalog.recompute' && (e.data as { done: boolean }).done));
  });
});
