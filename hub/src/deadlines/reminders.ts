/**
 * Graded 临期 warnings (分级临期提醒): a node is warned when it enters its 临期 window (`warnDays`
 * before the due time) and again at each of its type's `remindDays`. Import, re-timing and the
 * deadline engine all take a node's next warning time from here, so they agree on `next_at`.
 */
import type { DeadlineRule } from '@cc/protocol';
import { DAY_MS } from './calendar.js';

/** The part of a rule that says when a node is warned. */
export type WarnRule = Pick<DeadlineRule, 'warnDays' | 'remindDays'>;

/** Warning thresholds in days before the due time, largest (the 临期 start) first. */
function thresholds(rule: WarnRule): number[] {
  return [rule.warnDays, ...(rule.remindDays ?? [])].sort((a, b) => b - a);
}

/** When a node due at `dueAt` becomes 临期. */
export const warnStart = (dueAt: number, rule: WarnRule): number => dueAt - rule.warnDays * DAY_MS;

/**
 * The engine's next look at a 临期 node at `now`: its first reminder still ahead, else its due
 * time. Reminders already passed are skipped (a node imported late gets only the next one).
 */
export function nextWarnAt(dueAt: number, rule: WarnRule, now: number): number {
  for (const days of thresholds(rule)) {
    const at = dueAt - days * DAY_MS;
    if (at > now) return at;
  }
  return dueAt;
}

/** The threshold (D-n) a 临期 node has reached at `now`: the smallest one already passed. */
export function daysLeftAt(dueAt: number, rule: WarnRule, now: number): number {
  let reached = rule.warnDays;
  for (const days of thresholds(rule)) if (dueAt - days * DAY_MS <= now) reached = days;
  return reached;
}
