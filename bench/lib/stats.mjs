// Small helpers shared by the benchmarks: percentiles, progress lines, a temp data dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function progress(label, done, total) {
  const pct = Math.round((done / total) * 100);
  process.stderr.write(`\r  ${label}: ${done}/${total} (${pct}%)   `);
  if (done === total) process.stderr.write('\n');
}

export function tempDataDir(name) {
  return mkdtempSync(join(tmpdir(), `cc-bench-${name}-`));
}

export const quick = process.argv.includes('--quick');
