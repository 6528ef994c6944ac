import { describe, expect, it } from 'vitest';
import type { CatalogChannel } from '@cc/protocol';
import { CatalogAssembler } from './catalog-assembler.js';

const channel = (n: number): CatalogChannel => ({
  channelId: `340200000013100000${String(n).padStart(2, '0')}`,
  name: `ch${n}`,
  parental: false,
  status: 'on',
});

describe('CatalogAssembler', () => {
  it('merges parts with the same SN until SumNum unique channels arrived, ignoring repeats', () => {
    const assembler = new CatalogAssembler();
    const dev = '34020000001180000001';
    expect(assembler.add(dev, 5, 3, [channel(1)], 0)).toBeUndefined();
    expect(assembler.add(dev, 5, 3, [channel(1)], 1)).toBeUndefined();
    expect(assembler.add(dev, 6, 1, [channel(9)], 1)).toMatchObject({ complete: true, channels: [channel(9)] });
    const done = assembler.add(dev, 5, 3, [channel(2), channel(3)], 2);
    expect(done?.complete).toBe(true);
    expect(done?.channels.map((c) => c.name)).toEqual(['ch1', 'ch2', 'ch3']);
  });

  it('publishes an incomplete catalog after the timeout, and SumNum 0 at once', () => {
    const assembler = new CatalogAssembler(100);
    expect(assembler.add('34020000001180000001', 1, 0, [], 0)).toMatchObject({ complete: true, channels: [] });
    assembler.add('34020000001180000002', 1, 5, [channel(1)], 0);
    expect(assembler.expire(50)).toEqual([]);
    expect(assembler.expire(150)).toEqual([expect.objectContaining({ deviceId: '34020000001180000002', complete: false, sumNum: 5 })]);
    expect(assembler.expire(300)).toEqual([]);
  });
});
