import { describe, expect, it } from 'vitest';
import { supervisionListQuerySchema, supervisionListSchema } from './supervision.js';

describe('supervision list query', () => {
  it('takes an optional case number, as strict as the case number itself', () => {
    expect(supervisionListQuerySchema.parse({ caseNo: '(2026)甲执1号' })).toEqual({ caseNo: '(2026)甲执1号', limit: 100 });
    expect(supervisionListQuerySchema.parse({})).toEqual({ limit: 100 });
    for (const caseNo of ['执'.repeat(65), 'ab', ['(2026)甲执1号', '(2026)乙执1号'], 7]) {
      expect(supervisionListQuerySchema.safeParse({ caseNo }).success, JSON.stringify(caseNo)).toBe(false);
    }
  });

  it('takes an optional cursor of base64url text only, one at most', () => {
    expect(supervisionListQuerySchema.parse({ cursor: 'eyJ2IjoxfQ', limit: '250' })).toEqual({ cursor: 'eyJ2IjoxfQ', limit: 250 });
    for (const cursor of ['', 'a b', 'eyJ2Ijox+Q==', '督办', 'A'.repeat(401), ['a', 'b'], 7]) {
      expect(supervisionListQuerySchema.safeParse({ cursor }).success, JSON.stringify(cursor)).toBe(false);
    }
  });
});

describe('supervision list', () => {
  it('is a page of orders and the cursor of the next page, null on the last', () => {
    expect(supervisionListSchema.parse({ orders: [], nextCursor: null })).toEqual({ orders: [], nextCursor: null });
    expect(supervisionListSchema.safeParse({ orders: [], nextCursor: 'abc' }).success).toBe(true);
    expect(supervisionListSchema.safeParse({ orders: [] }).success).toBe(false);
    expect(supervisionListSchema.safeParse({ orders: [{ id: 'x' }], nextCursor: null }).success).toBe(false);
  });
});
