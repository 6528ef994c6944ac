import { describe, expect, it } from 'vitest';
import { chinaDay, computeDue, parseDateInput, type HolidayCalendar } from './calendar.js';

const day = (date: string): number => chinaDay(parseDateInput(date));
/** End of that China-time day, as an ISO instant. */
const endOf = (date: string): string => new Date(parseDateInput(date) + 86_400_000).toISOString();

// 国庆 2026 as an example: 1–7 October off, Saturday 10 October worked (调休).
const national: HolidayCalendar = {
  holidays: new Set(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'].map(day)),
  workdays: new Set([day('2026-10-10')]),
};

describe('deadline day counting', () => {
  it('does not count the start day and ends at the end of the last day (民诉法 第85条)', () => {
    expect(new Date(computeDue(parseDateInput('2026-03-01T15:30:00+08:00'), { amount: 7, unit: 'day' })).toISOString()).toBe(
      endOf('2026-03-08'),
    );
    expect(new Date(computeDue(parseDateInput('2026-01-31'), { amount: 1, unit: 'month' })).toISOString()).toBe(endOf('2026-02-28'));
  });

  it('moves a period ending on a listed holiday to the first day after it', () => {
    expect(new Date(computeDue(parseDateInput('2026-09-27'), { amount: 5, unit: 'day' }, national)).toISOString()).toBe(
      endOf('2026-10-08'),
    );
    expect(new Date(computeDue(parseDateInput('2026-09-27'), { amount: 5, unit: 'day' })).toISOString()).toBe(endOf('2026-10-02'));
  });

  it('counts working days past weekends and holidays, and counts a worked Saturday', () => {
    // Mon 28 Sep: 29, 30 Sep, (1–7 Oct off), Thu 8, Fri 9, Sat 10 (worked) → 5 working days end on 10 Oct.
    expect(new Date(computeDue(parseDateInput('2026-09-28'), { amount: 5, unit: 'working_day' }, national)).toISOString()).toBe(
      endOf('2026-10-10'),
    );
    // Without the calendar: Tue 29, Wed 30, Thu 1, Fri 2, Mon 5.
    expect(new Date(computeDue(parseDateInput('2026-09-28'), { amount: 5, unit: 'working_day' })).toISOString()).toBe(endOf('2026-10-05'));
  });
});
