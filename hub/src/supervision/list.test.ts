import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SupervisionOrder } from '@cc/protocol';
import { T0, type TestHub } from '../cases/test-support.js';
import { DUE, hubWithCases, writeOrders } from './test-support.js';

const CASE_A = '(2026)甲执1号';
const CASE_B = '(2026)乙执1号';
const FILLER = 600;

let hub: TestHub;
beforeEach(async () => {
  hub = await hubWithCases([
    [CASE_A, 'A1'],
    [CASE_B, 'B1'],
  ]);
});
afterEach(async () => {
  await hub.close();
});

const issue = async (caseNo: string, content: string): Promise<SupervisionOrder> => {
  const answer = await hub.request<SupervisionOrder>('POST', '/api/v1/supervision', hub.tokens.officer, { caseNo, content, dueAt: DUE });
  expect(answer.status).toBe(201);
  return answer.body;
};

/** `FILLER` orders on case B, each a millisecond newer than the last, written straight to the table. */
function addFiller(from: number): void {
  writeOrders(
    hub,
    Array.from({ length: FILLER }, (_, i) => ({
      id: `filler-${i}`,
      caseNo: CASE_B,
      court: 'B1',
      state: 'issued' as const,
      createdAt: from + i,
    })),
  );
}

const list = (query: string, token = hub.tokens.officer) =>
  hub.request<{ orders: SupervisionOrder[] }>('GET', `/api/v1/supervision?${query}`, token);
const ofCase = (caseNo: string) => `caseNo=${encodeURIComponent(caseNo)}`;

describe('督办 list filtered by case', () => {
  it('finds all of a case’s orders among more than 500, oldest and newest alike, newest first', async () => {
    const oldest = await issue(CASE_A, '最早的督办');
    addFiller(T0 + 1);
    hub.clock.now = T0 + FILLER + 10;
    await hub.relogin();
    const newest = await issue(CASE_A, '最新的督办');

    const unfiltered = await list('limit=500');
    expect(unfiltered.body.orders).toHaveLength(500);
    expect(unfiltered.body.orders.map((o) => o.id)).not.toContain(oldest.id);

    const filtered = await list(`${ofCase(CASE_A)}&limit=500`);
    expect(filtered.status).toBe(200);
    expect(filtered.body.orders.map((o) => o.id)).toEqual([newest.id, oldest.id]);
    // The case filter narrows the other filters' answer too, and the limit still applies.
    expect((await list(`${ofCase(CASE_A)}&state=issued&court=A1`)).body.orders).toHaveLength(2);
    expect((await list(`${ofCase(CASE_A)}&limit=1`)).body.orders.map((o) => o.id)).toEqual([newest.id]);
    expect((await list(`${ofCase('(2026)无此案')}`)).body.orders).toEqual([]);
    expect((await list(`${ofCase(CASE_B)}&limit=500`)).body.orders).toHaveLength(500);
  });

  it('gives a court user only its own court’s orders: another court’s case comes back empty', async () => {
    const a = await issue(CASE_A, '甲院督办');
    const b = await issue(CASE_B, '乙院督办');
    expect((await list(ofCase(CASE_A), hub.tokens.courtA)).body.orders.map((o) => o.id)).toEqual([a.id]);
    const foreign = await list(ofCase(CASE_A), hub.tokens.courtB);
    expect(foreign.status).toBe(200);
    expect(foreign.body.orders).toEqual([]);
    expect((await list(ofCase(CASE_B), hub.tokens.courtB)).body.orders.map((o) => o.id)).toEqual([b.id]);
    // Naming the other court outright stays forbidden, as before.
    expect((await list(`${ofCase(CASE_A)}&court=A1`, hub.tokens.courtB)).status).toBe(403);
  });

  it('refuses a malformed caseNo with 400 validation_failed and changes nothing', async () => {
    await issue(CASE_A, '督办');
    const count = (): number => (hub.ctx.db.prepare('SELECT COUNT(*) AS n FROM supervision_orders').get() as { n: number }).n;
    for (const query of [ofCase('执'.repeat(65)), `${ofCase(CASE_A)}&${ofCase(CASE_B)}`, 'caseNo=', 'caseNo=ab']) {
      const answer = await hub.request<{ error: { code: string; details: unknown } }>(
        'GET',
        `/api/v1/supervision?${query}`,
        hub.tokens.officer,
      );
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
      expect(JSON.stringify(answer.body.error.details)).toContain('caseNo');
    }
    expect(count()).toBe(1);
    expect((await list(ofCase(CASE_A))).body.orders).toHaveLength(1);
  });

  it('answers a case’s orders from the case index, without a sort', async () => {
    const { db } = hub.ctx;
    // The statement the list route prepares, explained with the parameters a court user's request binds.
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    const spy = vi.spyOn(db, 'prepare').mockImplementation((source: string) => {
      prepared.push(source);
      return prepare(source);
    });
    try {
      await list(`${ofCase(CASE_A)}&state=issued`, hub.tokens.courtA);
    } finally {
      spy.mockRestore();
    }
    const source = prepared.find((s) => s.includes('FROM supervision_orders'));
    expect(source).toBeDefined();
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${source}`).all({ court: 'A1', state: 'issued', caseNo: CASE_A, limit: 100 }) as {
        detail: string;
      }[]
    )
      .map((r) => r.detail)
      .join(' | ');
    expect(plan).toMatch(/SEARCH supervision_orders USING INDEX supervision_case \(case_no=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});
