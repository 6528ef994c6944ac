/** How sliced imports cut their records into slices (one check message, one write transaction each). */

/**
 * Slices end after SLICE_RECORDS records or SLICE_NODES nodes, whichever comes first. Each
 * write transaction costs a commit and a statistics update (a few thousand court-day rows), so
 * larger slices write faster, while the event loop waits for one slice at a time (2,000 cases
 * of 10 nodes ≈ 0.1 s on the bench machine); see BENCHMARKS.md "Hub case work".
 */
export const SLICE_RECORDS = 2000;
export const SLICE_NODES = 40_000;
/** Where each slice ends (exclusive): after `maxRecords` records or SLICE_NODES nodes (see sliceEndsBy). */
export function sliceEnds(records: readonly unknown[], maxRecords?: number): number[] {
  return sliceEndsBy(
    records.length,
    (i) => {
      const list = (records[i] as { nodes?: unknown } | null)?.nodes;
      return Array.isArray(list) ? list.length : 0;
    },
    maxRecords,
  );
}

/**
 * With the default limits, the first slices of an import are smaller (an eighth, a quarter, a half
 * of the limit, then the whole): the hub's thread can write nothing before the worker has checked
 * the first slice, so a small first slice ends that wait sooner, and each later slice is checked
 * while the one before it (half its size at most) is being written. A limit given explicitly (the
 * tests', the bench's `--slice`) is used as it is, from the first slice.
 */
const RAMP = 3;

/** The same for `count` records of which record i has `nodesOf(i)` nodes (records not yet parsed). */
export function sliceEndsBy(count: number, nodesOf: (i: number) => number, maxRecords?: number): number[] {
  const ends: number[] = [];
  const ramp = maxRecords === undefined ? RAMP : 0;
  const limits = (): { records: number; nodes: number } => {
    const shift = Math.max(0, ramp - ends.length);
    return { records: Math.max(1, (maxRecords ?? SLICE_RECORDS) >> shift), nodes: Math.max(1, SLICE_NODES >> shift) };
  };
  let limit = limits();
  let start = 0;
  let nodes = 0;
  for (let i = 0; i < count; i++) {
    nodes += 1 + nodesOf(i);
    if (i + 1 - start >= limit.records || nodes >= limit.nodes) {
      ends.push(i + 1);
      start = i + 1;
      nodes = 0;
      limit = limits();
    }
  }
  if (start < count) ends.push(count);
  return ends;
}
