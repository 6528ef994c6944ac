/** Pure figures for the wall's cases board: the overdue-nodes ranking by court. */
import type { NodeCounts } from '../api/hub';

export interface OverdueRank {
  court: string;
  name: string;
  overdue: number;
  dueSoon: number;
}

/** Courts with overdue (then due-soon) nodes, most first; ties by court code. */
export function overdueRanking(counts: NodeCounts['courts'], nameOf: (code: string) => string | undefined, limit = 10): OverdueRank[] {
  return counts
    .filter((c) => c.overdue > 0 || c.dueSoon > 0)
    .map((c) => ({ court: c.court, name: nameOf(c.court) ?? c.court, overdue: c.overdue, dueSoon: c.dueSoon }))
    .sort((a, b) => b.overdue - a.overdue || b.dueSoon - a.dueSoon || a.court.localeCompare(b.court))
    .slice(0, limit);
}
