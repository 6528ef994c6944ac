/**
 * Recounts the per-court day and month figures (and the per-court totals) from the cases,
 * when a bulk import left its mark in `stats_deferred`: the hub stopped after some of its
 * slices were written and before their day figures were (stats/aggregates.ts, DeferredDayStats).
 * One pass over the cases (≈ 1–2 s at 1 M cases), at start-up, before anything is served.
 */
import type { Db } from '../store/database.js';
import { StatsDelta } from '../stats/aggregates.js';
import { caseFacts, type CaseRow } from './store.js';

/** Recounts if an import's figures are missing; how many cases were counted (0: nothing to do). */
export function recountDeferredStats(db: Db): number {
  const marks = (db.prepare('SELECT COUNT(*) AS n FROM stats_deferred').get() as { n: number }).n;
  if (marks === 0) return 0;
  const delta = new StatsDelta();
  let cases = 0;
  for (const row of db.prepare('SELECT * FROM cases').iterate() as IterableIterator<CaseRow>) {
    delta.addCase(caseFacts(row), 1);
    cases++;
  }
  db.transaction(() => {
    db.exec('DELETE FROM case_day_stats; DELETE FROM case_month_stats; DELETE FROM court_case_totals; DELETE FROM stats_deferred;');
    delta.apply(db);
  })();
  return cases;
}
