/**
 * The holiday calendar (节假日/调休) the deadline rules count with: statutory holidays extend a
 * period ending on them and are skipped by working-day counts; working weekend days count as
 * working days. Admins load each year's State Council notice through `/api/v1/catalog/calendar`.
 * A change re-times the open nodes whose clock runs over that day (catalog/recompute.ts).
 */
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';
import type { HolidayCalendar } from '../deadlines/calendar.js';

export const calendarMigrations: Migration[] = [
  {
    id: 'catalog-002',
    sql: `
      CREATE TABLE calendar_days (
        day INTEGER PRIMARY KEY,
        date TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
        name TEXT NOT NULL DEFAULT ''
      );`,
  },
];

export interface CalendarDay {
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
}

const cache = new WeakMap<Db, HolidayCalendar>();

export function calendarOf(db: Db): HolidayCalendar {
  let calendar = cache.get(db);
  if (!calendar) {
    const rows = db.prepare('SELECT day, kind FROM calendar_days').all() as { day: number; kind: CalendarDay['kind'] }[];
    calendar = {
      holidays: new Set(rows.filter((r) => r.kind === 'holiday').map((r) => r.day)),
      workdays: new Set(rows.filter((r) => r.kind === 'workday').map((r) => r.day)),
    };
    cache.set(db, calendar);
  }
  return calendar;
}

export function invalidateCalendar(db: Db): void {
  cache.delete(db);
}

export function listCalendar(db: Db, year: number | null): CalendarDay[] {
  return db
    .prepare('SELECT date, kind, name FROM calendar_days WHERE (@year IS NULL OR substr(date, 1, 4) = @year) ORDER BY day')
    .all({ year: year === null ? null : String(year) }) as CalendarDay[];
}
