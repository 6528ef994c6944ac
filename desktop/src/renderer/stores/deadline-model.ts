/**
 * Time left to a flow node's due time in China calendar days (UTC+8), counted as the hub's deadline
 * engine counts them (hub/src/deadlines/calendar.ts `chinaDay`): a node due at the start of day D
 * has n days left on day D-n, the day its D-n graded reminder fires.
 */
import type { DeadlineRule } from '@cc/protocol';

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Days since the epoch in China time. */
const chinaDayNumber = (ms: number): number => Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS);

/**
 * Before the due time (`left`): calendar days from today to the due time's day, 0 when it falls due
 * later today. From the due time on (`overdue`): calendar days overdue, today included (1 from the due time).
 */
export interface TimeLeft {
  kind: 'left' | 'overdue';
  days: number;
}

export function timeLeft(dueAt: string, now: number): TimeLeft {
  const due = Date.parse(dueAt);
  const days = chinaDayNumber(due) - chinaDayNumber(now);
  return now < due ? { kind: 'left', days } : { kind: 'overdue', days: 1 - days };
}

/** The next 00:00 China time after `now` (when every countdown moves on by a day). */
export const nextChinaMidnight = (now: number): number => (chinaDayNumber(now) + 1) * DAY_MS - CHINA_OFFSET_MS;

/** A node type's last warning threshold in days: its smallest graded reminder, else the 临期 start. */
export const lastWarnDays = (rule: Pick<DeadlineRule, 'warnDays' | 'remindDays'>): number =>
  Math.min(rule.warnDays, ...(rule.remindDays ?? []));

/** Without the node type's rule, a countdown stands out from this many days (the default catalog's common last reminder). */
export const DEFAULT_LAST_WARN_DAYS = 7;

/** A countdown within the node type's last warning threshold, or overdue: the row stands out. */
export const isPressing = (left: TimeLeft, lastWarn = DEFAULT_LAST_WARN_DAYS): boolean => left.kind === 'overdue' || left.days <= lastWarn;
