import { describe, expect, it } from 'vitest';
import { caseImportSchema } from '@cc/protocol';
import { fastCase } from './fast-check.js';

const valid = {
  caseNo: '(2026)甲执1号',
  court: 'A1',
  kind: 'first',
  filedAt: '2026-05-01',
  amountOwed: 100.5,
  nodes: [
    { type: 'network_inquiry', startedAt: '2026-05-01', doneAt: '2026-05-02T10:00:00+08:00' },
    { type: 'terminated_recheck', cycle: 3, startedAt: '2026-05-01', dueAt: '2026-11-01' },
  ],
};
const variants: [string, unknown][] = [
  ['valid', valid],
  [
    'closed',
    {
      ...valid,
      closedAt: '2026-05-20',
      closureType: 'completed',
      amountRecovered: 5,
      handler: '张三',
      dishonestCount: 2,
      consumptionBanCount: 1,
      inquiryCount: 7,
    },
  ],
  ['no nodes', { ...valid, nodes: undefined }],
  ['empty nodes', { ...valid, nodes: [] }],
  ['unknown key', { ...valid, colour: 'red' }],
  ['undefined value', { ...valid, handler: undefined }],
  ['short caseNo', { ...valid, caseNo: 'abc' }],
  ['long caseNo', { ...valid, caseNo: 'x'.repeat(65) }],
  ['lower-case court', { ...valid, court: 'a1' }],
  ['bad kind', { ...valid, kind: 'second' }],
  ['bad date', { ...valid, filedAt: '2026-02-30' }],
  ['date-time without offset', { ...valid, filedAt: '2026-02-03T10:00:00' }],
  ['negative money', { ...valid, amountOwed: -1 }],
  ['string money', { ...valid, amountOwed: '100' }],
  ['infinite money', { ...valid, amountOwed: Infinity }],
  ['NaN money', { ...valid, amountOwed: NaN }],
  ['closure without date', { ...valid, closureType: 'completed' }],
  ['date without closure', { ...valid, closedAt: '2026-05-20' }],
  ['bad closure', { ...valid, closedAt: '2026-05-20', closureType: 'done' }],
  ['long handler', { ...valid, handler: 'x'.repeat(65) }],
  ['fractional count', { ...valid, inquiryCount: 1.5 }],
  ['count too big', { ...valid, dishonestCount: 1001 }],
  ['nodes not array', { ...valid, nodes: {} }],
  ['node unknown key', { ...valid, nodes: [{ type: 'x_y', startedAt: '2026-05-01', extra: 1 }] }],
  ['node bad type', { ...valid, nodes: [{ type: 'X', startedAt: '2026-05-01' }] }],
  ['node bad cycle', { ...valid, nodes: [{ type: 'abc', cycle: 101, startedAt: '2026-05-01' }] }],
  ['node missing start', { ...valid, nodes: [{ type: 'abc' }] }],
  ['node null', { ...valid, nodes: [null] }],
  [
    'too many nodes',
    { ...valid, nodes: Array.from({ length: 501 }, (_, i) => ({ type: 'abc', cycle: i % 100, startedAt: '2026-05-01' })) },
  ],
  ['array', [valid]],
  ['null', null],
  ['string', 'case'],
];

describe('fast import check', () => {
  it.each(variants)('agrees with the zod schema: %s', (_name, input) => {
    const zod = caseImportSchema.safeParse(input);
    const fast = fastCase(input);
    if (fast !== undefined) {
      expect(zod.success).toBe(true);
      expect(fast).toEqual(zod.data);
    }
    if (!zod.success) expect(fast).toBeUndefined();
  });

  it('takes the fast path for ordinary valid records', () => {
    expect(fastCase(valid)).toBeDefined();
    expect(fastCase(variants[1]![1])).toBeDefined();
  });
});
