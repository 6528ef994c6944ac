/**
 * Deduction periods applied to a due time (扣除期间, 法释〔2000〕29号 第9条): the clock of a
 * node stops while a period that its rule lists is running, so its due time moves back by
 * the time deducted between its start and its (moving) due time. Periods of different
 * reasons that overlap are deducted once. An open period stops the clock until it ends.
 */
import type { DeductionReason, DeadlineRule } from '@cc/protocol';
import { DAY_MS, chinaDay } from './calendar.js';

/** `[start, end)` in ms (00:00 China time of each day); `end` null while the period is open. */
export interface Period {
  reason: DeductionReason;
  start: number;
  end: number | null;
}

export interface DeductedDue {
  due: number;
  /** An open period stops the clock: `due` is what it would be if the period ended now. */
  paused: boolean;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;
const dayStart = (ms: number): number => chinaDay(ms) * DAY_MS - CHINA_OFFSET_MS;

/** The periods a rule's clock stops for, merged into disjoint intervals sorted by start. */
export function mergedPeriods(periods: readonly Period[], rule: Pick<DeadlineRule, 'deductedBy'>): Period[] {
  const reasons = rule.deductedBy;
  if (!reasons || reasons.length === 0) return [];
  const applicable = periods.filter((p) => reasons.includes(p.reason)).sort((a, b) => a.start - b.start);
  const merged: Period[] = [];
  for (const p of applicable) {
    const last = merged.at(-1);
    if (last && (last.end === null || p.start <= last.end)) {
      last.end = last.end === null || p.end === null ? null : Math.max(last.end, p.end);
    } else {
      merged.push({ ...p });
    }
  }
  return merged;
}

/**
 * The due time of a node started at `startedAt` whose due time without deductions is
 * `base`, given merged periods. A period counts from the later of its start and the day
 * the node started, and only if it starts before the (already extended) due time.
 */
export function deductedDue(base: number, startedAt: number, merged: readonly Period[], now: number): DeductedDue {
  const from0 = dayStart(startedAt);
  let due = base;
  for (const p of merged) {
    if (p.start >= due) break;
    const from = Math.max(p.start, from0);
    if (p.end === null) return { due: due + Math.max(0, dayStart(now) + DAY_MS - from), paused: true };
    if (p.end > from) due += p.end - from;
  }
  return { due, paused: false };
}

/** Whole days of a period up to `now` (an open one counts today). */
export function periodDays(p: Pick<Period, 'start' | 'end'>, now: number): number {
  const end = p.end ?? dayStart(now) + DAY_MS;
  return Math.max(0, Math.round((end - p.start) / DAY_MS));
}
