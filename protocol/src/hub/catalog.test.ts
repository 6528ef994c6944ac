import { describe, expect, it } from 'vitest';
import { nodeTypePutSchema, nodeTypeSchema } from './catalog.js';

const type = {
  code: 'network_inquiry',
  name: '网络查控首次发起（立案即查）',
  category: 'supervised',
  rule: { anchor: 'case_filed', amount: 3, unit: 'day', warnDays: 1 },
};

describe('node catalog contract', () => {
  it('an English name is optional, trimmed, and limited like the Chinese name', () => {
    expect(nodeTypeSchema.parse(type).nameEn).toBeUndefined();
    expect(nodeTypeSchema.parse({ ...type, nameEn: '  Network asset inquiry on filing ' }).nameEn).toBe('Network asset inquiry on filing');
    expect(nodeTypeSchema.safeParse({ ...type, nameEn: 'x'.repeat(64) }).success).toBe(true);
    for (const bad of ['', '   ', 'x'.repeat(65), 42, null]) {
      const result = nodeTypeSchema.safeParse({ ...type, nameEn: bad });
      expect(result.success, JSON.stringify(bad)).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['nameEn']);
    }
  });

  it('an admin sets the English name with the rest of the type', () => {
    const { code: _code, ...body } = type;
    expect(nodeTypePutSchema.parse({ ...body, nameEn: 'Network asset inquiry on filing' }).nameEn).toBe('Network asset inquiry on filing');
    expect(nodeTypePutSchema.safeParse({ ...body, name_en: 'x' }).success).toBe(false);
  });

  it('graded reminder days lie inside the warning window, distinct, at most 5', () => {
    const rule = (remindDays: unknown) => ({ ...type, rule: { ...type.rule, amount: 60, warnDays: 30, remindDays } });
    expect(nodeTypeSchema.parse(type).rule.remindDays).toBeUndefined();
    expect(nodeTypeSchema.parse(rule([15, 7])).rule.remindDays).toEqual([15, 7]);
    expect(nodeTypeSchema.safeParse(rule([29, 20, 15, 7, 1])).success).toBe(true);
    for (const bad of [[30], [31], [0], [-1], [7, 7], [2.5], [1, 2, 3, 4, 5, 6], '15']) {
      const result = nodeTypeSchema.safeParse(rule(bad));
      expect(result.success, JSON.stringify(bad)).toBe(false);
      expect(result.error?.issues[0]?.path.slice(0, 2)).toEqual(['rule', 'remindDays']);
    }
  });
});
