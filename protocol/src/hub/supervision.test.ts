import { describe, expect, it } from 'vitest';
import { supervisionListQuerySchema } from './supervision.js';

describe('supervision list query', () => {
  it('takes an optional case number, as strict as the case number itself', () => {
    expect(supervisionListQuerySchema.parse({ caseNo: '(2026)甲执1号' })).toEqual({ caseNo: '(2026)甲执1号', limit: 100 });
    expect(supervisionListQuerySchema.parse({})).toEqual({ limit: 100 });
    for (const caseNo of ['执'.repeat(65), 'ab', ['(2026)甲执1号', '(2026)乙执1号'], 7]) {
      expect(supervisionListQuerySchema.safeParse({ caseNo }).success, JSON.stringify(caseNo)).toBe(false);
    }
  });
});
