import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Case, FlowNode, ImportReport } from '@cc/protocol';
import { startTestHub, type TestHub } from './test-support.js';
import { sliceEnds } from './slices.js';

let hub: TestHub;
beforeEach(async () => {
  hub = await startTestHub();
});
afterEach(async () => {
  await hub.close();
});

const count = (table: string): number => (hub.ctx.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const auditCount = (): number => count('audit_log');
const url = (caseNo: string): string => `/api/v1/cases/${encodeURIComponent(caseNo)}`;
const rec = (caseNo: string, court = 'A1', nodes: unknown[] = []) => ({
  caseNo,
  court,
  kind: 'first',
  filedAt: '2026-05-01',
  amountOwed: 100,
  nodes,
});

describe('case API: import over HTTP', () => {
  it('imports JSON and CSV (cases, then nodes) and reports rejected CSV rows by line', async () => {
    const json = await hub.request<ImportReport>('POST', '/api/v1/cases/import', hub.tokens.officer, { records: [rec('(2026)甲执1号')] });
    expect(json.status).toBe(200);
    expect(json.body.created).toBe(1);

    const casesCsv = [
      'caseNo,court,kind,filedAt,amountOwed,amountRecovered,closedAt,closureType',
      '(2026)乙执1号,B1,first,2026-04-01,2000,500,,',
      '(2026)乙执2号,B1,resumed,2026-04-02,abc,,,',
      '"(2026)乙执3号",B1,first,2026-04-03,3000,3000,2026-05-20,completed',
    ].join('\n');
    const csv = await hub.request<ImportReport>('POST', '/api/v1/cases/import', hub.tokens.officer, casesCsv, 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.body).toMatchObject({ received: 3, accepted: 2 });
    expect(csv.body.rejected).toEqual([expect.objectContaining({ row: 3, caseNo: '(2026)乙执2号', reason: 'invalid' })]);

    const nodesCsv = [
      'caseNo,type,cycle,startedAt,doneAt',
      '(2026)乙执1号,network_inquiry,0,2026-04-01,2026-04-02',
      '(2026)乙执1号,asset_investigation,0,2026-04-01,',
      '(2026)乙执9号,network_inquiry,0,2026-04-01,',
      '(2026)乙执1号,network_inquiry,0,2026-04-01,',
    ].join('\n');
    const nodes = await hub.request<ImportReport>('POST', '/api/v1/cases/nodes/import', hub.tokens.officer, nodesCsv, 'text/csv');
    expect(nodes.status).toBe(200);
    expect(nodes.body.rejected.map((r) => [r.row, r.reason])).toEqual([
      [4, 'unknown_case'],
      [5, 'duplicate_node'],
    ]);
    const stored = await hub.request<Case & { nodes: FlowNode[] }>('GET', url('(2026)乙执1号'), hub.tokens.officer);
    expect(stored.body.nodes.map((n) => [n.type, n.state])).toEqual([
      ['asset_investigation', 'overdue'],
      ['network_inquiry', 'done'],
    ]);
  });

  it('imports a large file in slices: duplicates found across slices, one audit entry per written slice', async () => {
    const records = Array.from({ length: 4500 }, (_, i) => rec(`(2026)甲执${1000 + i}号`));
    records[4000] = rec('(2026)甲执1010号');
    const audit = auditCount();
    const report = await hub.request<ImportReport>('POST', '/api/v1/cases/import', hub.tokens.officer, { records });
    expect(report.body).toMatchObject({ received: 4500, accepted: 4498, created: 4498 });
    expect(report.body.rejected.map((r) => [r.row, r.reason])).toEqual([
      [10, 'duplicate_case_no'],
      [4000, 'duplicate_case_no'],
    ]);
    expect(count('cases')).toBe(4498);
    // Slices of 250, 500, 1,000, 2,000 and 750 records (slices.ts): one entry each.
    expect(sliceEnds(records)).toEqual([250, 750, 1750, 3750, 4500]);
    expect(auditCount() - audit).toBe(5);
  });

  it('refuses malformed JSON, malformed CSV, unknown CSV columns and oversized bodies, writing nothing', async () => {
    const before = { cases: count('cases'), audit: auditCount() };
    const badJson = await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, '{"records": [', 'application/json');
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ error: { code: 'bad_request' } });
    // The body goes to the check worker as bytes: bytes that are not UTF-8 are refused like bad JSON.
    const notUtf8 = Buffer.concat([Buffer.from('{"records": [{"caseNo": "'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}]}')]);
    const badBytes = await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, notUtf8, 'application/json');
    expect(badBytes.status).toBe(400);
    expect(badBytes.body).toMatchObject({ error: { code: 'bad_request' } });
    const badCsv = await hub.request(
      'POST',
      '/api/v1/cases/import',
      hub.tokens.officer,
      'caseNo,court,kind,filedAt,amountOwed\n"(2026)甲执5号,A1,first',
      'text/csv',
    );
    expect(badCsv.status).toBe(400);
    expect(badCsv.body).toMatchObject({ error: { code: 'bad_request', message: '请求格式错误' } });
    const columns = await hub.request(
      'POST',
      '/api/v1/cases/import',
      hub.tokens.officer,
      'caseNo,court,kind,filedAt,amountOwed,colour\nX,A1,first,2026-01-01,1,red',
      'text/csv',
    );
    expect(columns.status).toBe(400);
    expect(columns.body).toMatchObject({ error: { code: 'validation_failed', details: { unknownColumns: ['colour'] } } });
    const notRecords = await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, { rows: [] });
    expect(notRecords.status).toBe(400);
    const huge = JSON.stringify({ records: [rec('(2026)甲执6号')], padding: 'x'.repeat(33 * 1024 * 1024) });
    const tooLarge = await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, huge, 'application/json');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ error: { code: 'payload_too_large' } });
    expect({ cases: count('cases'), audit: auditCount() }).toEqual(before);
  });

  it('scopes courts: a court user imports and sees only its own court', async () => {
    const mixed = await hub.request<ImportReport>('POST', '/api/v1/cases/import', hub.tokens.courtA, {
      records: [rec('(2026)甲执7号'), rec('(2026)乙执7号', 'B1')],
    });
    expect(mixed.body.accepted).toBe(1);
    expect(mixed.body.rejected).toEqual([expect.objectContaining({ caseNo: '(2026)乙执7号', reason: 'forbidden_court' })]);
    await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, { records: [rec('(2026)乙执8号', 'B1')] });
    const listA = await hub.request<{ cases: Case[] }>('GET', '/api/v1/cases', hub.tokens.courtA);
    expect(listA.body.cases.map((c) => c.caseNo)).toEqual(['(2026)甲执7号']);
    expect((await hub.request('GET', '/api/v1/cases?court=B1', hub.tokens.courtA)).status).toBe(403);
    expect((await hub.request('GET', url('(2026)乙执8号'), hub.tokens.courtA)).status).toBe(403);
    const all = await hub.request<{ cases: Case[] }>('GET', '/api/v1/cases', hub.tokens.officer);
    expect(all.body.cases).toHaveLength(2);
  });

  it('closes a case only when no open node blocks that closure type; 终本 opens the 6-monthly re-check', async () => {
    await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, {
      records: [rec('(2026)甲执20号', 'A1', [{ type: 'valuation_start', startedAt: '2026-05-10' }])],
    });
    const blocked = await hub.request('POST', `${url('(2026)甲执20号')}/close`, hub.tokens.courtA, { closureType: 'terminated_current' });
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ error: { code: 'conflict', details: { closureBlockedBy: ['valuation_start'] } } });
    const stored = await hub.request<{ nodes: FlowNode[] }>('GET', url('(2026)甲执20号'), hub.tokens.courtA);
    const done = await hub.request('POST', `${url('(2026)甲执20号')}/nodes/${stored.body.nodes[0]?.id}/complete`, hub.tokens.courtA, {});
    expect(done.status).toBe(200);
    const closed = await hub.request<Case>('POST', `${url('(2026)甲执20号')}/close`, hub.tokens.courtA, {
      closureType: 'terminated_current',
    });
    expect(closed.status).toBe(200);
    expect(closed.body.closureType).toBe('terminated_current');
    const after = await hub.request<{ nodes: FlowNode[] }>('GET', url('(2026)甲执20号'), hub.tokens.courtA);
    const recheck = after.body.nodes.find((n) => n.type === 'terminated_recheck');
    expect(recheck).toMatchObject({ cycle: 0, state: 'pending', dueAt: '2026-12-01T16:00:00.000Z' });
    // Completing a recurring node opens its next occurrence.
    const next = await hub.request<FlowNode[]>('POST', `${url('(2026)甲执20号')}/nodes/${recheck?.id}/complete`, hub.tokens.courtA, {});
    expect(next.body.filter((n) => n.type === 'terminated_recheck').map((n) => n.cycle)).toEqual([0, 1]);
    expect((await hub.request('POST', `${url('(2026)甲执20号')}/close`, hub.tokens.courtA, { closureType: 'completed' })).status).toBe(409);
  });

  it('lists overdue nodes by court through the open-node index, with counts', async () => {
    await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, {
      records: [
        rec('(2026)甲执30号', 'A1', [{ type: 'network_inquiry', startedAt: '2026-05-01' }]),
        rec('(2026)乙执30号', 'B1', [
          { type: 'network_inquiry', startedAt: '2026-05-02' },
          { type: 'handler_assignment', startedAt: '2026-05-02' },
        ]),
      ],
    });
    const counts = await hub.request<{ courts: unknown[] }>('GET', '/api/v1/nodes/counts', hub.tokens.officer);
    expect(counts.body.courts).toEqual([
      { court: 'A1', dueSoon: 0, overdue: 1 },
      { court: 'B1', dueSoon: 0, overdue: 2 },
    ]);
    const page = await hub.request<{ nodes: FlowNode[]; next: unknown }>('GET', '/api/v1/nodes?state=overdue&limit=2', hub.tokens.officer);
    expect(page.body.nodes.map((n) => n.caseNo)).toEqual(['(2026)甲执30号', '(2026)乙执30号']);
    expect(page.body.next).not.toBeNull();
    const scoped = await hub.request<{ nodes: FlowNode[] }>('GET', '/api/v1/nodes?state=overdue', hub.tokens.courtA);
    expect(scoped.body.nodes.map((n) => n.court)).toEqual(['A1']);
  });

  it('lets the admin keep a holiday calendar that later imports count with', async () => {
    for (const date of ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07']) {
      expect(
        (await hub.request('PUT', `/api/v1/catalog/calendar/${date}`, hub.tokens.admin, { kind: 'holiday', name: '国庆节' })).status,
      ).toBe(200);
    }
    expect((await hub.request('PUT', '/api/v1/catalog/calendar/2026-10-10', hub.tokens.admin, { kind: 'workday' })).status).toBe(200);
    expect((await hub.request('PUT', '/api/v1/catalog/calendar/2026-02-30', hub.tokens.admin, { kind: 'holiday' })).status).toBe(400);
    expect((await hub.request('PUT', '/api/v1/catalog/calendar/2026-10-09', hub.tokens.officer, { kind: 'holiday' })).status).toBe(403);
    const list = await hub.request<{ days: { date: string }[] }>('GET', '/api/v1/catalog/calendar?year=2026', hub.tokens.courtA);
    expect(list.body.days).toHaveLength(8);
    hub.clock.now = Date.parse('2026-09-28T10:00:00+08:00');
    await hub.relogin();
    // dishonest_removal: 3 working days from Mon 28 Sep → Tue 29, Wed 30, Thu 8 Oct.
    await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, {
      records: [rec('(2026)甲执40号', 'A1', [{ type: 'dishonest_removal', startedAt: '2026-09-28' }])],
    });
    const stored = await hub.request<{ nodes: FlowNode[] }>('GET', url('(2026)甲执40号'), hub.tokens.officer);
    expect(stored.body.nodes[0]?.dueAt).toBe('2026-10-08T16:00:00.000Z');
    expect((await hub.request('DELETE', '/api/v1/catalog/calendar/2026-10-10', hub.tokens.admin)).status).toBe(200);
    expect((await hub.request('DELETE', '/api/v1/catalog/calendar/2026-10-10', hub.tokens.admin)).status).toBe(404);
  });

  it('lets the admin change a catalog rule and validates it', async () => {
    const put = await hub.request('PUT', '/api/v1/catalog/node-types/delegated_item', hub.tokens.admin, {
      name: '执行事项委托办理',
      category: 'supervised',
      rule: { anchor: 'delegation_received', amount: 10, unit: 'working_day', warnDays: 2 },
      source: 'local SLA',
      confidence: 'unconfirmed',
    });
    expect(put.status).toBe(200);
    expect((await hub.request('PUT', '/api/v1/catalog/node-types/x', hub.tokens.admin, { name: 'x' })).status).toBe(400);
    expect((await hub.request('PUT', '/api/v1/catalog/node-types/delegated_item', hub.tokens.officer, {})).status).toBe(403);
    const got = await hub.request<{ rule: { amount: number } }>('GET', '/api/v1/catalog/node-types/delegated_item', hub.tokens.courtA);
    expect(got.body.rule.amount).toBe(10);
  });
});
