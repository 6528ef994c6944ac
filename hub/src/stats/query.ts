/**
 * The wall's statistics from the incremental aggregates: one grouped pass over the
 * per-court-per-day rows (a few thousand), the current node counts and the 督办 counts.
 */
import type { StatsFigures, StatsMetric, StatsResponse } from '@cc/protocol';
import type { Db } from '../store/database.js';
import { DAY_MS, chinaDay, parseDateInput } from '../deadlines/calendar.js';
import { supervisionCounts } from '../supervision/store.js';
import { FIELDS, firstDayOfMonth, flushDeferredDays, monthOfDay } from './aggregates.js';

interface DayRow {
  court_code: string;
  received: number;
  closed: number;
  closed_completed: number;
  closed_terminated_current: number;
  owed_closed: number;
  recovered_closed: number;
  dishonest: number;
  bans: number;
  inquiries: number;
}

const rate = (n: number, d: number): number | null => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);

function withRates(f: Omit<StatsFigures, 'closeRate' | 'completedRate' | 'terminatedRate' | 'recoveryRate'>): StatsFigures {
  return {
    ...f,
    closeRate: rate(f.closed, f.carriedOver + f.received),
    completedRate: rate(f.closedCompleted, f.closed),
    terminatedRate: rate(f.closedTerminated, f.closed),
    recoveryRate: rate(f.amountRecovered, f.amountOwed),
  };
}

const empty = (): Omit<StatsFigures, 'closeRate' | 'completedRate' | 'terminatedRate' | 'recoveryRate'> => ({
  received: 0,
  carriedOver: 0,
  closed: 0,
  closedCompleted: 0,
  closedTerminated: 0,
  amountOwed: 0,
  amountRecovered: 0,
  dishonest: 0,
  consumptionBans: 0,
  inquiries: 0,
  dueSoonNodes: 0,
  overdueNodes: 0,
  supervisionOpen: 0,
  supervisionEscalated: 0,
  supervisionClosed: 0,
});

/** Default period: 1 January of the current year (China time) to today. */
export function period(now: number, from?: string, to?: string): { from: string; to: string; fromDay: number; toDay: number } {
  const today = new Date((chinaDay(now) * DAY_MS) as number).toISOString().slice(0, 10);
  const f = from ?? `${today.slice(0, 4)}-01-01`;
  const t = to ?? today;
  return { from: f, to: t, fromDay: chinaDay(parseDateInput(f)), toDay: chinaDay(parseDateInput(t)) };
}

const SUMS = `court_code, SUM(received) AS received, SUM(closed) AS closed, SUM(closed_completed) AS closed_completed,
  SUM(closed_terminated_current) AS closed_terminated_current, SUM(owed_closed) AS owed_closed, SUM(recovered_closed) AS recovered_closed,
  SUM(dishonest) AS dishonest, SUM(bans) AS bans, SUM(inquiries) AS inquiries`;

/** Prepared once per db: a wall polls this often. */
function statementsOf(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      // Day-first key: reads only the period's rows.
      period: db.prepare(
        `SELECT ${SUMS} FROM case_day_stats WHERE day BETWEEN @f AND @t AND (@court IS NULL OR court_code = @court) GROUP BY court_code`,
      ),
      months: db.prepare(
        `SELECT ${SUMS} FROM case_month_stats WHERE month BETWEEN @f AND @t AND (@court IS NULL OR court_code = @court) GROUP BY court_code`,
      ),
      after: db.prepare(
        'SELECT court_code, SUM(received - closed) AS net FROM case_day_stats WHERE day > @t AND (@court IS NULL OR court_code = @court) GROUP BY court_code',
      ),
      totals: db.prepare(
        'SELECT court_code, received - closed AS open FROM court_case_totals WHERE (@court IS NULL OR court_code = @court)',
      ),
      nodes: db.prepare('SELECT court_code, state, n FROM node_state_counts WHERE (@court IS NULL OR court_code = @court)'),
      courts: db.prepare('SELECT code, name FROM courts WHERE (@court IS NULL OR code = @court) ORDER BY code'),
    };
    statements.set(db, s);
  }
  return s;
}
const statements = new WeakMap<Db, Record<'period' | 'months' | 'after' | 'totals' | 'nodes' | 'courts', ReturnType<Db['prepare']>>>();

/** Per-court sums over [fromDay, toDay]: whole months from the month table, the ragged ends by day. */
function periodRows(q: ReturnType<typeof statementsOf>, fromDay: number, toDay: number, court: string | null): DayRow[] {
  const firstMonth = firstDayOfMonth(monthOfDay(fromDay)) === fromDay ? monthOfDay(fromDay) : monthOfDay(fromDay) + 1;
  const lastMonth = firstDayOfMonth(monthOfDay(toDay) + 1) - 1 === toDay ? monthOfDay(toDay) : monthOfDay(toDay) - 1;
  const parts =
    firstMonth > lastMonth
      ? [q.period.all({ f: fromDay, t: toDay, court })]
      : [
          q.period.all({ f: fromDay, t: firstDayOfMonth(firstMonth) - 1, court }),
          q.months.all({ f: firstMonth, t: lastMonth, court }),
          q.period.all({ f: firstDayOfMonth(lastMonth + 1), t: toDay, court }),
        ];
  const byCourt = new Map<string, DayRow>();
  for (const row of parts.flat() as DayRow[]) {
    const sum = byCourt.get(row.court_code);
    if (!sum) byCourt.set(row.court_code, { ...row });
    else for (const f of FIELDS) sum[f] += row[f];
  }
  return [...byCourt.values()];
}

export function queryStats(db: Db, now: number, range: ReturnType<typeof period>, court: string | null): StatsResponse {
  flushDeferredDays(db);
  const q = statementsOf(db);
  const params = { f: range.fromDay, t: range.toDay, court };
  const days = periodRows(q, range.fromDay, range.toDay, court);
  // 旧存 at the start = open now − net change (received − closed) from the first day on.
  const openNow = new Map((q.totals.all(params) as { court_code: string; open: number }[]).map((r) => [r.court_code, r.open]));
  const netAfter = new Map((q.after.all(params) as { court_code: string; net: number }[]).map((r) => [r.court_code, r.net]));
  const carried = (code: string, received: number, closed: number): number =>
    (openNow.get(code) ?? 0) - (netAfter.get(code) ?? 0) - (received - closed);
  const nodes = q.nodes.all(params) as { court_code: string; state: number; n: number }[];
  const supervision = supervisionCounts(db, range.fromDay * DAY_MS - 8 * 3_600_000, (range.toDay + 1) * DAY_MS - 8 * 3_600_000);
  const courts = q.courts.all(params) as { code: string; name: string }[];
  const byCourt = new Map(courts.map((c) => [c.code, { ...empty(), carriedOver: carried(c.code, 0, 0) }]));
  for (const d of days) {
    const f = byCourt.get(d.court_code);
    if (!f) continue;
    Object.assign(f, {
      received: d.received,
      carriedOver: carried(d.court_code, d.received, d.closed),
      closed: d.closed,
      closedCompleted: d.closed_completed,
      closedTerminated: d.closed_terminated_current,
      amountOwed: d.owed_closed,
      amountRecovered: d.recovered_closed,
      dishonest: d.dishonest,
      consumptionBans: d.bans,
      inquiries: d.inquiries,
    });
  }
  for (const n of nodes) {
    const f = byCourt.get(n.court_code);
    if (f && n.state === 1) f.dueSoonNodes = n.n;
    if (f && n.state === 2) f.overdueNodes = n.n;
  }
  for (const [code, s] of supervision) {
    const f = byCourt.get(code);
    if (f) Object.assign(f, { supervisionOpen: s.open, supervisionEscalated: s.escalated, supervisionClosed: s.closed });
  }
  const total = empty();
  for (const f of byCourt.values()) for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += f[key];
  return {
    from: range.from,
    to: range.to,
    at: new Date(now).toISOString(),
    total: withRates(total),
    courts: courts.map((c) => ({ court: c.code, name: c.name, ...withRates(byCourt.get(c.code)!) })),
  };
}

export function rank(stats: StatsResponse, metric: StatsMetric, order: 'asc' | 'desc', limit: number) {
  const sign = order === 'desc' ? -1 : 1;
  const sorted = stats.courts
    .map((c) => ({ court: c.court, name: c.name, value: c[metric] }))
    // Courts without a value (no denominator) go last either way.
    .sort((a, b) => (a.value === null ? 1 : b.value === null ? -1 : sign * (a.value - b.value)) || a.court.localeCompare(b.court));
  return sorted.slice(0, limit).map((entry, i) => ({ rank: i + 1, ...entry }));
}
