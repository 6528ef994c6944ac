/** How sliced imports cut their records into slices (one check message, one write transaction each). */

/**
 * Slices end after SLICE_RECORDS records or SLICE_NODES nodes, whichever comes first. Each
 * write transaction costs a commit and a statistics update (a few thousand court-day rows), so
 * larger slices write faster, while the event loop waits for one slice at a time (2,000 cases
 * of 10 nodes ≈ 0.1 s on the bench machine); see BENCHMARKS.md "Hub case work".
 */
export const SLICE_RECORDS = 2000;
export const SLICE_NODES = 40_000;
/** Where each slice ends (exclusive): after `maxRecords` records or SLICE_NODES nodes. */
export function sliceEnds(records: readonly unknown[], maxRecords: number = SLICE_RECORDS): number[] {
  return sliceEndsBy(
    records.length,
    (i) => {
      const list = (records[i] as { nodes?: unknown } | null)?.nodes;
      return Array.isArray(list) ? list.length : 0;
    },
    maxRecords,
  );
}

/** The same for `count` records of which record i has `nodesOf(i)` nodes (records not yet parsed). */
export function sliceEndsBy(count: number, nodesOf: (i: number) => number, maxRecords: number = SLICE_RECORDS): number[] {
  const ends: number[] = [];
  let start = 0;
  let nodes = 0;
  for (let i = 0; i < count; i++) {
    nodes += 1 + nodesOf(i);
    if (i + 1 - start >= maxRecords || nodes >= SLICE_NODES) {
      ends.push(i + 1);
      start = i + 1;
      nodes = 0;
    }
  }
  if (start < count) ends.push(count);
  return ends;
}
