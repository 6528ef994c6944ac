import { describe, expect, it } from 'vitest';
import { SLICE_NODES, SLICE_RECORDS, sliceEnds, sliceEndsBy } from './slices.js';

const sizes = (ends: number[]): number[] => ends.map((end, k) => end - (ends[k - 1] ?? 0));

describe('import slices', () => {
  it('starts with small slices so the first write waits for little, then cuts at the limit', () => {
    const ends = sliceEndsBy(20_000, () => 9);
    expect(sizes(ends).slice(0, 5)).toEqual([SLICE_RECORDS / 8, SLICE_RECORDS / 4, SLICE_RECORDS / 2, SLICE_RECORDS, SLICE_RECORDS]);
    expect(ends.at(-1)).toBe(20_000);
    expect(sizes(ends).every((n) => n > 0 && n <= SLICE_RECORDS)).toBe(true);
  });

  it('cuts by nodes too, ramping the same way, and keeps every record in exactly one slice', () => {
    // Records of 999 nodes: the node limit cuts first.
    const ends = sliceEndsBy(400, () => 999);
    const perSlice = SLICE_NODES / 1000;
    expect(sizes(ends).slice(0, 4)).toEqual([perSlice / 8, perSlice / 4, perSlice / 2, perSlice]);
    expect(sizes(ends).reduce((a, b) => a + b, 0)).toBe(400);
  });

  it('uses a limit given explicitly from the first slice; a single record and an empty import', () => {
    expect(sizes(sliceEndsBy(30, () => 0, 8))).toEqual([8, 8, 8, 6]);
    expect(
      sizes(
        sliceEnds(
          Array.from({ length: 5 }, () => ({ nodes: [] })),
          2,
        ),
      ),
    ).toEqual([2, 2, 1]);
    expect(sliceEnds([{ nodes: [] }])).toEqual([1]);
    expect(sliceEnds([])).toEqual([]);
  });
});
