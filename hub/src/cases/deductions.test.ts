import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Case, Deduction, DeductionResult, FlowNode, HubEventEnvelope } from '@cc/protocol';
import { deadlineEngineOf } from '../deadlines/index.js';
import { startTestHub, type TestHub } from './test-support.js';

let hub: TestHub;
let events: HubEventEnvelope[];
beforeEach(async () => {
  hub = await startTestHub(); // clock at 2026-06-01 10:00 China time
  events = [];
  hub.ctx.events.subscribe((batch) => events.push(...batch));
});
afterEach(async () => {
  await hub.close();
});

const url = (caseNo: string): string => `/api/v1/cases/${encodeURIComponent(caseNo)}`;
type Detail = Case & { nodes: FlowNode[]; deductions: Deduction[] };
const detail = async (caseNo: string): Promise<Detail> => (await hub.request<Detail>('GET', url(caseNo), hub.tokens.courtA)).body;
const node = (c: Detail, type: string): FlowNode => c.nodes.find((n) => n.type === type)!;
const count = (sql: string): number => (hub.ctx.db.prepare(sql).get() as { n: number }).n;
const overdueA1 = (): number => count("SELECT COALESCE(SUM(n), 0) AS n FROM node_state_counts WHERE court_code = 'A1' AND state = 2");
const nodeEvents = (): string[] => events.filter((e) => e.type.startsWith('node.')).map((e) => e.type);

const importCase = async (caseNo: string, filedAt: string, nodes: { type: string; startedAt: string }[]): Promise<void> => {
  const report = await hub.request('POST', '/api/v1/cases/import', hub.tokens.officer, {
    records: [{ caseNo, court: 'A1', kind: 'first', filedAt, amountOwed: 1000, nodes }],
  });
  expect(report.body).toMatchObject({ accepted: 1 });
};
const CASE = '(2026)甲执500号';
const seedFiledInMay = (): Promise<void> =>
  importCase(CASE, '2026-05-01', [
    { type: 'network_inquiry', startedAt: '2026-05-01' }, // 3 days: due end of 4 May, overdue now
    { type: 'case_disposition', startedAt: '2026-05-01' }, // 6 months: due end of 1 November
    { type: 'deposit_freeze_expiry', startedAt: '2026-05-01' }, // fixed term, never deducted
  ]);

/** The incremental 临期/超期 counts equal a recount of the nodes. */
const countsConsistent = (): void => {
  const kept = hub.ctx.db.prepare('SELECT court_code, state, n FROM node_state_counts WHERE n != 0 ORDER BY court_code, state').all();
  const recount = hub.ctx.db
    .prepare(
      'SELECT court_code, state, COUNT(*) AS n FROM flow_nodes WHERE state IN (1, 2) GROUP BY court_code, state ORDER BY court_code, state',
    )
    .all();
  expect(kept).toEqual(recount);
};

describe('deduction periods (扣除期间) over the case API', () => {
  it('pushes back the due times of the nodes whose rule lists the reason; an overdue node stops being overdue', async () => {
    await seedFiledInMay();
    expect(node(await detail(CASE), 'network_inquiry').state).toBe('overdue');
    expect(overdueA1()).toBe(1);

    // Suspended 3 May, resumed 31 May: 28 days do not count.
    const res = await hub.request<DeductionResult>('POST', `${url(CASE)}/deductions`, hub.tokens.courtA, {
      reason: 'suspension',
      startedOn: '2026-05-03',
      endedOn: '2026-05-31',
      note: '中止执行裁定',
    });
    expect(res.status).toBe(201);
    expect(res.body.moved).toBe(2);
    expect(res.body.deduction).toMatchObject({ reason: 'suspension', days: 28, endedOn: '2026-05-31', recordedBy: '甲法院用户' });

    const c = await detail(CASE);
    expect(node(c, 'network_inquiry')).toMatchObject({
      dueAt: '2026-06-01T16:00:00.000Z',
      baseDueAt: '2026-05-04T16:00:00.000Z',
      state: 'due_soon',
      paused: false,
    });
    expect(node(c, 'case_disposition').dueAt).toBe('2026-11-29T16:00:00.000Z');
    expect(node(c, 'deposit_freeze_expiry').dueAt).toBe('2027-05-01T16:00:00.000Z');
    expect(c.deductions).toHaveLength(1);
    expect(overdueA1()).toBe(0);
    expect(events.filter((e) => e.type === 'case.changed').map((e) => (e.data as { action: string }).action)).toEqual([
      'deduction_recorded',
    ]);

    // The deadline engine follows the new due time: 超期 again when it passes, with its event.
    const engine = deadlineEngineOf(hub.ctx.db);
    expect(engine.nextAt()).toBe(Date.parse('2026-06-01T16:00:00Z'));
    hub.clock.now = Date.parse('2026-06-01T16:00:00Z');
    engine.tick();
    expect(nodeEvents()).toEqual(['node.overdue']);
    expect(overdueA1()).toBe(1);
  });

  it('an open period stops the clock (no warnings) until it is ended; ending it sets the exact due time', async () => {
    await importCase('(2026)甲执501号', '2026-05-25', [{ type: 'enforcement_notice', startedAt: '2026-05-25' }]);
    const caseNo = '(2026)甲执501号';
    const { body } = await hub.request<DeductionResult>('POST', `${url(caseNo)}/deductions`, hub.tokens.officer, {
      reason: 'stay_upper_court',
      startedOn: '2026-06-01',
    });
    expect(body.deduction).toMatchObject({ endedOn: null, days: 1 });
    expect(node(await detail(caseNo), 'enforcement_notice')).toMatchObject({ paused: true, state: 'pending' });

    // Long past the original due time (end of 4 June): nothing fires while stayed.
    hub.clock.now = Date.parse('2026-06-10T02:00:00Z');
    await hub.relogin();
    deadlineEngineOf(hub.ctx.db).tick();
    expect(nodeEvents()).toEqual([]);
    // Shown as if the stay ended today: 10 days (1–10 June) added to the end of 4 June.
    expect(node(await detail(caseNo), 'enforcement_notice')).toMatchObject({ paused: true, dueAt: '2026-06-14T16:00:00.000Z' });

    // Resumed 8 June: 7 days deducted → due end of 11 June, 临期 (D-3) already → the engine raises it.
    const ended = await hub.request<DeductionResult>('PATCH', `${url(caseNo)}/deductions/${body.deduction.id}`, hub.tokens.courtA, {
      endedOn: '2026-06-08',
    });
    expect(ended.status).toBe(200);
    expect(ended.body.deduction).toMatchObject({ endedOn: '2026-06-08', days: 7, endedBy: '甲法院用户' });
    expect(node(await detail(caseNo), 'enforcement_notice')).toMatchObject({ dueAt: '2026-06-11T16:00:00.000Z', paused: false });
    deadlineEngineOf(hub.ctx.db).tick();
    countsConsistent();
    expect(nodeEvents()).toEqual(['node.due_soon']);
    // Closed periods are kept; ending one twice is a conflict.
    expect((await detail(caseNo)).deductions).toEqual([expect.objectContaining({ id: body.deduction.id, endedOn: '2026-06-08' })]);
    const again = await hub.request('PATCH', `${url(caseNo)}/deductions/${body.deduction.id}`, hub.tokens.courtA, {
      endedOn: '2026-06-09',
    });
    expect(again.status).toBe(409);
  });

  it('nodes imported later into a case with periods get them too; a re-import keeps them', async () => {
    await seedFiledInMay();
    await hub.request('POST', `${url(CASE)}/deductions`, hub.tokens.courtA, {
      reason: 'suspension',
      startedOn: '2026-05-03',
      endedOn: '2026-05-31',
    });
    // A new node in the same case (imported without its own due time), and the old ones again.
    await importCase(CASE, '2026-05-01', [
      { type: 'network_inquiry', startedAt: '2026-05-01' },
      { type: 'case_disposition', startedAt: '2026-05-01' },
      { type: 'asset_investigation', startedAt: '2026-05-05' }, // 1 month: end of 5 June, + 26 days from 5 May
    ]);
    const c = await detail(CASE);
    expect(node(c, 'asset_investigation')).toMatchObject({ dueAt: '2026-07-01T16:00:00.000Z', baseDueAt: '2026-06-05T16:00:00.000Z' });
    expect(node(c, 'network_inquiry')).toMatchObject({ dueAt: '2026-06-01T16:00:00.000Z', state: 'due_soon' });
    expect(node(c, 'case_disposition').dueAt).toBe('2026-11-29T16:00:00.000Z');
    expect(overdueA1()).toBe(0);
  });

  it('audits recording and ending with who and what', async () => {
    await seedFiledInMay();
    const { body } = await hub.request<DeductionResult>('POST', `${url(CASE)}/deductions`, hub.tokens.courtA, {
      reason: 'appraisal',
      startedOn: '2026-05-10',
    });
    await hub.request('PATCH', `${url(CASE)}/deductions/${body.deduction.id}`, hub.tokens.courtA, { endedOn: '2026-05-20' });
    const rows = hub.ctx.db
      .prepare("SELECT action, target, actor_name AS who FROM audit_log WHERE action LIKE 'case.deduction.%' ORDER BY seq")
      .all();
    expect(rows).toEqual([
      { action: 'case.deduction.record', target: `case:${CASE}`, who: '甲法院用户' },
      { action: 'case.deduction.end', target: `case:${CASE}`, who: '甲法院用户' },
    ]);
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    await seedFiledInMay();
    const first = await hub.request<DeductionResult>('POST', `${url(CASE)}/deductions`, hub.tokens.courtA, {
      reason: 'suspension',
      startedOn: '2026-05-10',
      endedOn: '2026-05-20',
    });
    expect(first.status).toBe(201);
    const before = {
      deductions: count('SELECT COUNT(*) AS n FROM case_deductions'),
      audit: count('SELECT COUNT(*) AS n FROM audit_log'),
      dues: JSON.stringify(hub.ctx.db.prepare('SELECT id, due_at, state, next_at FROM flow_nodes ORDER BY id').all()),
    };
    const post = (body: unknown, token = hub.tokens.courtA, caseNo = CASE) =>
      hub.request<{ error: { code: string; details: unknown } }>('POST', `${url(caseNo)}/deductions`, token, body);
    const cases: [unknown, number, string, unknown?][] = [
      [
        { reason: 'suspension', startedOn: '2026-05-25', endedOn: '2026-05-24' },
        400,
        'validation_failed',
        { endedOn: 'not after startedOn' },
      ],
      [{ reason: 'suspension', startedOn: '2026-05-15', endedOn: '2026-05-25' }, 409, 'conflict', { overlaps: first.body.deduction.id }],
      [{ reason: 'suspension', startedOn: '2026-05-01' }, 409, 'conflict'],
      [{ reason: 'suspension', startedOn: '2026-06-02' }, 400, 'validation_failed', { startedOn: 'after today' }],
      [{ reason: 'appraisal', startedOn: '2026-05-20', endedOn: '2026-06-05' }, 400, 'validation_failed', { endedOn: 'after today' }],
      [{ reason: 'appraisal', startedOn: '2026-04-20' }, 400, 'validation_failed', { startedOn: 'before the case was filed' }],
      [{ reason: 'holiday', startedOn: '2026-05-20' }, 400, 'validation_failed'],
      [{ reason: 'appraisal', startedOn: '2026-02-30' }, 400, 'validation_failed'],
      [{ reason: 'appraisal', startedOn: '2026-05-20', extra: 1 }, 400, 'validation_failed'],
    ];
    for (const [body, status, code, details] of cases) {
      const res = await post(body);
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([status, code]);
      if (details) expect(res.body.error.details).toMatchObject(details as object);
    }
    expect((await post({ reason: 'appraisal', startedOn: '2026-05-20' }, hub.tokens.courtA, '(2026)甲执999号')).status).toBe(404);
    expect((await post({ reason: 'appraisal', startedOn: '2026-05-20' }, hub.tokens.courtB)).status).toBe(403);
    const patch = (id: string, body: unknown) => hub.request('PATCH', `${url(CASE)}/deductions/${id}`, hub.tokens.courtA, body);
    expect((await patch('999', { endedOn: '2026-05-30' })).status).toBe(404);
    expect((await patch('abc', { endedOn: '2026-05-30' })).status).toBe(404);
    expect((await patch(String(first.body.deduction.id), { endedOn: '2026-05-30' })).status).toBe(409);
    expect({
      deductions: count('SELECT COUNT(*) AS n FROM case_deductions'),
      audit: count('SELECT COUNT(*) AS n FROM audit_log'),
      dues: JSON.stringify(hub.ctx.db.prepare('SELECT id, due_at, state, next_at FROM flow_nodes ORDER BY id').all()),
    }).toEqual(before);
  });
});
