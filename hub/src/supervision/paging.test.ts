import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { supervisionListSchema, type SupervisionList, type SupervisionOrder } from '@cc/protocol';
import { T0, type TestHub } from '../cases/test-support.js';
import { DUE, hubWithCases, writeOrders, type StoredOrder } from './test-support.js';

const CASE_A = '(2026)甲执1号';
const CASE_A2 = '(2026)甲执2号';
const CASE_B = '(2026)乙执1号';

let hub: TestHub;
beforeEach(async () => {
  hub = await hubWithCases([
    [CASE_A, 'A1'],
    [CASE_A2, 'A1'],
    [CASE_B, 'B1'],
  ]);
});
afterEach(async () => {
  await hub.close();
});

type Stored = StoredOrder;

/** Orders written straight to the table; seven share each issued millisecond, so ties are the rule. */
function addOrders(n: number, of: (i: number) => { caseNo: string; court: string }, prefix: string): Stored[] {
  // Ids not in issue order, so that the tie-break by id is tested, not the insert order.
  const stored = Array.from({ length: n }, (_, i): Stored => ({
    id: `${prefix}-${((i * 7919) % n).toString().padStart(4, '0')}`,
    ...of(i),
    state: i % 3 === 0 ? 'replied' : 'issued',
    createdAt: T0 - 100_000 + Math.floor(i / 7),
  }));
  writeOrders(hub, stored);
  return stored;
}

/** Newest first, then by id descending: the list's order. */
const newestFirst = (orders: Stored[]): string[] =>
  [...orders].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((o) => o.id);

const list = async (query: string, token = hub.tokens.officer): Promise<SupervisionList> => {
  const answer = await hub.request<unknown>('GET', `/api/v1/supervision?${query}`, token);
  expect(answer.status, query).toBe(200);
  return supervisionListSchema.parse(answer.body);
};

/** Every page of a query; the sizes of the pages too. */
async function allPages(
  query: string,
  token = hub.tokens.officer,
): Promise<{ ids: string[]; sizes: number[]; orders: SupervisionOrder[] }> {
  const orders: SupervisionOrder[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const page: SupervisionList = await list(`${query}${cursor === null ? '' : `&cursor=${cursor}`}`, token);
    orders.push(...page.orders);
    sizes.push(page.orders.length);
    cursor = page.nextCursor;
  } while (cursor !== null && sizes.length < 50);
  return { ids: orders.map((o) => o.id), sizes, orders };
}

const ofCase = (caseNo: string) => `caseNo=${encodeURIComponent(caseNo)}`;

const refusal = (query: string, token = hub.tokens.officer) =>
  hub.request<{ error: { code: string; details: { issues: { path: string; problem: string }[] } } }>(
    'GET',
    `/api/v1/supervision?${query}`,
    token,
  );

describe('督办 list paging', () => {
  it('pages through 650 orders of one case with limit 250: every order once, newest first, ties on the issued time included', async () => {
    const ofA = addOrders(650, () => ({ caseNo: CASE_A, court: 'A1' }), 'a');
    addOrders(100, () => ({ caseNo: CASE_B, court: 'B1' }), 'b');

    const { ids, sizes } = await allPages(`${ofCase(CASE_A)}&limit=250`);
    expect(sizes).toEqual([250, 250, 150]);
    expect(new Set(ids).size).toBe(650);
    expect(ids).toEqual(newestFirst(ofA));
    // Exactly a page's worth left: the last page is full and says there is no next one.
    expect((await allPages(`${ofCase(CASE_A)}&limit=325`)).sizes).toEqual([325, 325]);
    expect((await list(`${ofCase(CASE_A)}&limit=500`)).nextCursor).not.toBeNull();
    expect(await list(ofCase('(2026)无此案'))).toEqual({ orders: [], nextCursor: null });
  });

  it('neither skips nor repeats an order when one is issued between pages, and takes another page size on the way', async () => {
    const ofA = addOrders(601, () => ({ caseNo: CASE_A, court: 'A1' }), 'a');
    const first = await list(`${ofCase(CASE_A)}&limit=250`);
    const issued = await hub.request<SupervisionOrder>('POST', '/api/v1/supervision', hub.tokens.officer, {
      caseNo: CASE_A,
      content: '新督办',
      dueAt: DUE,
    });
    expect(issued.status).toBe(201);
    const second = await list(`${ofCase(CASE_A)}&limit=100&cursor=${first.nextCursor}`);
    const rest = await allPages(`${ofCase(CASE_A)}&limit=500&cursor=${second.nextCursor}`);
    const ids = [...first.orders, ...second.orders].map((o) => o.id).concat(rest.ids);
    expect(ids).toEqual(newestFirst(ofA));
    // The new order heads the list asked again from the start.
    expect((await list(`${ofCase(CASE_A)}&limit=1`)).orders[0]?.id).toBe(issued.body.id);
  });

  it('keeps a court user to its own court on every page', async () => {
    const stored = addOrders(
      700,
      (i) => (i % 2 === 0 ? { caseNo: i % 4 === 0 ? CASE_A : CASE_A2, court: 'A1' } : { caseNo: CASE_B, court: 'B1' }),
      'o',
    );
    const ofA1 = stored.filter((o) => o.court === 'A1');

    const court = await allPages('limit=250', hub.tokens.courtA);
    expect(court.sizes).toEqual([250, 100]);
    expect(court.ids).toEqual(newestFirst(ofA1));
    expect(court.orders.every((o) => o.court === 'A1')).toBe(true);
    // The officer asking for court A1 pages the same list, and that list's cursor serves the court user as well.
    const officer = await list('court=A1&limit=250');
    expect(officer.orders.map((o) => o.id)).toEqual(court.ids.slice(0, 250));
    const next = await list(`limit=250&cursor=${officer.nextCursor}`, hub.tokens.courtA);
    expect(next.orders.map((o) => o.id)).toEqual(court.ids.slice(250));
    // A cursor of another court's list, or of the officer's whole list, is not this court user's list.
    const otherCourt = await list('limit=10', hub.tokens.courtB);
    const whole = await list('limit=10');
    for (const cursor of [otherCourt.nextCursor, whole.nextCursor]) {
      const answer = await refusal(`limit=10&cursor=${cursor}`, hub.tokens.courtA);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
    }
    // Nor does a case filter widen the scope on later pages: another court's case stays empty.
    expect(await list(`${ofCase(CASE_B)}&limit=10`, hub.tokens.courtA)).toEqual({ orders: [], nextCursor: null });
  });

  it('refuses a malformed or foreign cursor with 400 validation_failed naming the cursor, and changes nothing', async () => {
    addOrders(30, (i) => ({ caseNo: i % 2 === 0 ? CASE_A : CASE_A2, court: 'A1' }), 'a');
    const count = (): number => (hub.ctx.db.prepare('SELECT COUNT(*) AS n FROM supervision_orders').get() as { n: number }).n;
    const ofA = await list(`${ofCase(CASE_A)}&limit=5`);
    expect(ofA.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const malformed = [
      'cursor=',
      'cursor=not%20a%20cursor',
      'cursor=%E7%9D%A3%E5%8A%9E',
      `cursor=${'A'.repeat(401)}`,
      `cursor=${b64('hello')}`,
      `cursor=${b64('{"v":1,"at":"soon","id":"x","q":"y"}')}`,
      `cursor=${b64('{"v":2,"at":1,"id":"x","q":"y"}')}`,
      `cursor=${b64('{"v":1,"at":1,"id":"x","q":"y","more":true}')}`,
      `cursor=${b64('[1,"x"]')}`,
      `cursor=${ofA.nextCursor}&cursor=${ofA.nextCursor}`,
    ].map((c) => `${ofCase(CASE_A)}&${c}`);
    // A cursor of the same list asked with other filters: another case, a state, no case at all.
    const foreign = [ofCase(CASE_A2), `${ofCase(CASE_A)}&state=issued`, 'limit=5'].map((q) => `${q}&cursor=${ofA.nextCursor}`);
    for (const query of [...malformed, ...foreign]) {
      const answer = await refusal(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
      expect(
        answer.body.error.details.issues.map((i) => i.path),
        query,
      ).toEqual(['cursor']);
    }
    expect((await refusal(foreign[0] ?? '')).body.error.details.issues[0]?.problem).toMatch(/other filters/);
    expect(count()).toBe(30);
    // The cursor still continues its own list; the page size may change between pages.
    expect((await list(`${ofCase(CASE_A)}&limit=100&cursor=${ofA.nextCursor}`)).orders).toHaveLength(10);
  });

  it('walks the case, court and issued-time indexes, on the first page and on later ones, without a sort', async () => {
    addOrders(40, (i) => (i % 2 === 0 ? { caseNo: CASE_A, court: 'A1' } : { caseNo: CASE_B, court: 'B1' }), 'o');
    const { db } = hub.ctx;
    // The statements the list route runs, with the parameters each request bound.
    const runs: { source: string; params: unknown }[] = [];
    const prepare = db.prepare.bind(db);
    const spy = vi.spyOn(db, 'prepare').mockImplementation((source: string) => {
      const statement = prepare(source);
      if (!source.includes('FROM supervision_orders') || !source.includes('ORDER BY created_at DESC')) return statement;
      const all = statement.all.bind(statement);
      return Object.assign(statement, {
        all: (params: unknown) => {
          runs.push({ source, params });
          return all(params);
        },
      });
    });
    const cases: [query: string, token: string, index: RegExp][] = [
      [`${ofCase(CASE_A)}&limit=5`, hub.tokens.officer, /USING INDEX supervision_case \(case_no=\?/],
      [`${ofCase(CASE_A)}&state=issued&limit=5`, hub.tokens.courtA, /USING INDEX supervision_case \(case_no=\?/],
      ['court=A1&limit=5', hub.tokens.officer, /USING INDEX supervision_court_created \(court_code=\?/],
      ['state=replied&limit=5', hub.tokens.courtA, /USING INDEX supervision_court_created \(court_code=\?/],
      ['limit=5', hub.tokens.officer, /USING INDEX supervision_created/],
    ];
    const ran: { query: string; index: RegExp; source: string; params: unknown }[] = [];
    try {
      for (const [query, token, index] of cases) {
        const first = await list(query, token);
        await list(`${query}&cursor=${first.nextCursor}`, token);
        ran.push(...runs.splice(0).map((run) => ({ query, index, ...run })));
      }
    } finally {
      spy.mockRestore();
    }
    const plans = ran.map(({ query, index, source, params }) => {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ');
      expect(plan, query).toMatch(index);
      return plan;
    });
    expect(plans).toHaveLength(cases.length * 2);
    for (const plan of plans) expect(plan).not.toMatch(/TEMP B-TREE/);
    // A later page starts in the index at the cursor's position instead of reading past the earlier pages.
    expect(plans.filter((p) => p.includes('(created_at,id)<(?,?)'))).toHaveLength(cases.length);
  });
});
