/** Pure figures for the wall's cases board: rates as percentages and the overdue-nodes ranking by court. */
import type { StatsResponse } from '@cc/protocol';

export interface OverdueRank {
  court: string;
  name: string;
  overdue: number;
  dueSoon: number;
}

/** Courts with overdue (then due-soon) nodes, most first; ties by court code. */
export function overdueRanking(courts: StatsResponse['courts'], limit = 10): OverdueRank[] {
  return courts
    .filter((c) => c.overdueNodes > 0 || c.dueSoonNodes > 0)
    .map((c) => ({ court: c.court, name: c.name, overdue: c.overdueNodes, dueSoon: c.dueSoonNodes }))
    .sort((a, b) => b.overdue - a.overdue || b.dueSoon - a.dueSoon || a.court.localeCompare(b.court))
    .slice(0, limit);
}

/** A rate (0…1, or null when its denominator is 0) as "87.3%", or "—". */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}
