/**
 * Day arithmetic for deadlines, in China time (UTC+8, no DST). Per 民诉法 第85条 the day
 * the clock starts is not counted and a period ends at the end of its last day. Statutory
 * holidays come from the catalog's calendar (catalog/calendar.ts); deduction periods are
 * applied on top of `computeDue` (deductions.ts).
 */
import type { DeadlineRule } from '@cc/protocol';

export const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** `2024-03-01` → 00:00 China time; ISO date-times as given. NaN for garbage. */
export function parseDateInput(text: string): number {
  if (text.length !== 10) return Date.parse(text);
  // Fast path for plain dates (bulk imports carry millions of a few thousand distinct days).
  let ms = parsedDates.get(text);
  if (ms === undefined) {
    ms = Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10))) - CHINA_OFFSET_MS;
    if (parsedDates.size < 100_000) parsedDates.set(text, ms);
  }
  return ms;
}
const parsedDates = new Map<string, number>();

/** Days since the epoch in China time (the bucket of the statistics tables). */
export function chinaDay(ms: number): number {
  return Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS);
}

const startOfChinaDay = (ms: number): number => chinaDay(ms) * DAY_MS - CHINA_OFFSET_MS;

/** Statutory holidays and working weekend days (调休), as China-time day numbers (see catalog/calendar.ts). */
export interface HolidayCalendar {
  holidays: ReadonlySet<number>;
  workdays: ReadonlySet<number>;
}
export const NO_HOLIDAYS: HolidayCalendar = { holidays: new Set(), workdays: new Set() };

function isWorkingDay(dayStart: number, calendar: HolidayCalendar): boolean {
  const day = chinaDay(dayStart);
  if (calendar.workdays.has(day)) return true;
  const weekday = new Date(dayStart + CHINA_OFFSET_MS).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !calendar.holidays.has(day);
}

/**
 * When a node started at `startMs` under `rule` falls due (end of its last day). A period in
 * days or months whose last day is a listed statutory holiday ends with the first day after
 * the holiday (民诉法 第85条); weekends extend it only when listed as holidays.
 */
export function computeDue(startMs: number, rule: Pick<DeadlineRule, 'amount' | 'unit'>, calendar: HolidayCalendar = NO_HOLIDAYS): number {
  const day0 = startOfChinaDay(startMs);
  if (rule.unit === 'working_day') {
    let day = day0;
    for (let left = rule.amount; left > 0;) {
      day += DAY_MS;
      if (isWorkingDay(day, calendar)) left--;
    }
    return day + DAY_MS;
  }
  let last = rule.unit === 'day' ? day0 + rule.amount * DAY_MS : addMonths(day0, rule.amount);
  while (calendar.holidays.size > 0 && calendar.holidays.has(chinaDay(last))) last += DAY_MS;
  return last + DAY_MS;
}

/** Same day of month `n` months later (clamped to the month's end), in China time. */
export function addMonths(ms: number, n: number): number {
  const local = new Date(ms + CHINA_OFFSET_MS);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth() + n;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = Math.min(local.getUTCDate(), lastDay);
  return Date.UTC(y, m, d, local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds(), local.getUTCMilliseconds()) - CHINA_OFFSET_MS;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
