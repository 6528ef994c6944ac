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
});
