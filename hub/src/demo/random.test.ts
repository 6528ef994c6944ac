/** The seeded random source: same seed → same sequence; the distributions the generator relies on. */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random.js';

describe('SeededRandom', () => {
  it('repeats a sequence for a seed and differs between seeds', () => {
    const draw = (seed: string): number[] => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => r.next());
    };
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
    for (const x of draw('c')) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws integers in range, weighted choices in proportion, and heavy-tailed amounts around the median', () => {
    const r = new SeededRandom('distributions');
    const ints = Array.from({ length: 10_000 }, () => r.int(3, 7));
    expect(Math.min(...ints)).toBe(3);
    expect(Math.max(...ints)).toBe(7);
    const picks = Array.from({ length: 10_000 }, () =>
      r.weighted([
        ['a', 3],
        ['b', 1],
      ] as const),
    );
    const share = picks.filter((p) => p === 'a').length / picks.length;
    expect(share).toBeGreaterThan(0.72);
    expect(share).toBeLessThan(0.78);
    const amounts = Array.from({ length: 10_001 }, () => r.logNormal(60_000, 1.4)).sort((a, b) => a - b);
    expect(amounts[5000]).toBeGreaterThan(50_000);
    expect(amounts[5000]).toBeLessThan(70_000);
    expect(amounts[9900]! / amounts[5000]!).toBeGreaterThan(10); // the top 1 % is far above the median
    const waits = Array.from({ length: 10_000 }, () => r.exponential(10));
    expect(waits.reduce((s, w) => s + w, 0) / waits.length).toBeCloseTo(10, 0);
  });
});
