/**
 * Incrementally maintained aggregates behind the wall statistics: per court and China-time
 * day, what was received/closed (and amounts, sanctions, inquiries); per court, how many
 * nodes are 临期/超期 now. Writers of cases and nodes collect deltas in a StatsDelta and
 * apply them once per transaction, so a statistics query sums a few thousand small rows
 * instead of scanning millions of cases.
 */
import type { ClosureType } from '@cc/protocol';
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';
import { DAY_MS, chinaDay } from '../deadlines/calendar.js';

export const statsMigrations: Migration[] = [
  {
    id: 'stats-001',
    sql: `
      CREATE TABLE case_day_stats (
        court_code TEXT NOT NULL,
        day INTEGER NOT NULL,
        received INTEGER NOT NULL DEFAULT 0,
        closed INTEGER NOT NULL DEFAULT 0,
        closed_completed INTEGER NOT NULL DEFAULT 0,
        closed_terminated_current INTEGER NOT NULL DEFAULT 0,
        owed_closed REAL NOT NULL DEFAULT 0,
        recovered_closed REAL NOT NULL DEFAULT 0,
        dishonest INTEGER NOT NULL DEFAULT 0,
        bans INTEGER NOT NULL DEFAULT 0,
        inquiries INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (court_code, day)
      ) WITHOUT ROWID;
      CREATE TABLE node_state_counts (
        court_code TEXT NOT NULL,
        state INTEGER NOT NULL,
        n INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (court_code, state)
      ) WITHOUT ROWID;`,
  },
  {
    // Day-first key: a period query reads only the period's rows; all-time totals per court
    // give the carried-over count without summing every earlier day.
    id: 'stats-002',
    sql: `
      CREATE TABLE case_day_stats_by_day (
        court_code TEXT NOT NULL,
        day INTEGER NOT NULL,
        received INTEGER NOT NULL DEFAULT 0,
        closed INTEGER NOT NULL DEFAULT 0,
        closed_completed INTEGER NOT NULL DEFAULT 0,
        closed_terminated_current INTEGER NOT NULL DEFAULT 0,
        owed_closed REAL NOT NULL DEFAULT 0,
        recovered_closed REAL NOT NULL DEFAULT 0,
        dishonest INTEGER NOT NULL DEFAULT 0,
        bans INTEGER NOT NULL DEFAULT 0,
        inquiries INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, court_code)
      ) WITHOUT ROWID;
      INSERT INTO case_day_stats_by_day SELECT * FROM case_day_stats;
      DROP TABLE case_day_stats;
      ALTER TABLE case_day_stats_by_day RENAME TO case_day_stats;
      CREATE TABLE court_case_totals (
        court_code TEXT PRIMARY KEY,
        received INTEGER NOT NULL DEFAULT 0,
        closed INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      INSERT INTO court_case_totals SELECT court_code, SUM(received), SUM(closed) FROM case_day_stats GROUP BY court_code;`,
  },
  {
    // Month rollups: a period reads whole months here and only its ragged ends by day.
    id: 'stats-003',
    sql: `
      CREATE TABLE case_month_stats (
        court_code TEXT NOT NULL,
        month INTEGER NOT NULL,
        received INTEGER NOT NULL DEFAULT 0,
        closed INTEGER NOT NULL DEFAULT 0,
        closed_completed INTEGER NOT NULL DEFAULT 0,
        closed_terminated_current INTEGER NOT NULL DEFAULT 0,
        owed_closed REAL NOT NULL DEFAULT 0,
        recovered_closed REAL NOT NULL DEFAULT 0,
        dishonest INTEGER NOT NULL DEFAULT 0,
        bans INTEGER NOT NULL DEFAULT 0,
        inquiries INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (month, court_code)
      ) WITHOUT ROWID;
      INSERT INTO case_month_stats
        SELECT court_code,
          CAST(strftime('%Y', day * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', day * 86400, 'unixepoch') AS INTEGER) - 1 AS m,
          SUM(received), SUM(closed), SUM(closed_completed), SUM(closed_terminated_current), SUM(owed_closed), SUM(recovered_closed),
          SUM(dishonest), SUM(bans), SUM(inquiries)
        FROM case_day_stats GROUP BY court_code, m;`,
  },
];

/** Month index (year × 12 + month − 1) of a China-time day number. */
export function monthOfDay(day: number): number {
  const date = new Date(day * DAY_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

/** China-time day number of the first day of a month index. */
export function firstDayOfMonth(month: number): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1) / DAY_MS;
}

/** The stats-relevant fields of a stored case. */
export interface CaseFacts {
  court: string;
  filedAt: number;
  closedAt: number | null;
  closureType: ClosureType | null;
  amountOwed: number;
  amountRecovered: number;
  dishonestCount: number;
  consumptionBanCount: number;
  inquiryCount: number;
}

/** The summed figures of one court-day; the day, month and total tables all carry these columns. */
export const FIELDS = [
  'received',
  'closed',
  'closed_completed',
  'closed_terminated_current',
  'owed_closed',
  'recovered_closed',
  'dishonest',
  'bans',
  'inquiries',
] as const;
type DayFigures = Record<(typeof FIELDS)[number], number>;
const zero = (): DayFigures => ({
  received: 0,
  closed: 0,
  closed_completed: 0,
  closed_terminated_current: 0,
  owed_closed: 0,
  recovered_closed: 0,
  dishonest: 0,
  bans: 0,
  inquiries: 0,
});

/** Node states as stored (flow_nodes.state). */
export const NodeStateCode = { pending: 0, due_soon: 1, overdue: 2, done: 3 } as const;

export class StatsDelta {
  private readonly days = new Map<string, DayFigures>();
  private readonly nodes = new Map<string, number>();

  private day(court: string, day: number): DayFigures {
    const key = `${court}|${day}`;
    let figures = this.days.get(key);
    if (!figures) this.days.set(key, (figures = zero()));
    return figures;
  }

  /** Adds (sign 1) or removes (sign -1) a case's contribution. */
  addCase(c: CaseFacts, sign: 1 | -1): void {
    const filed = this.day(c.court, chinaDay(c.filedAt));
    filed.received += sign;
    filed.dishonest += sign * c.dishonestCount;
    filed.bans += sign * c.consumptionBanCount;
    filed.inquiries += sign * c.inquiryCount;
    if (c.closedAt === null) return;
    const closed = this.day(c.court, chinaDay(c.closedAt));
    closed.closed += sign;
    if (c.closureType === 'completed') closed.closed_completed += sign;
    if (c.closureType === 'terminated_current') closed.closed_terminated_current += sign;
    closed.owed_closed += sign * c.amountOwed;
    closed.recovered_closed += sign * c.amountRecovered;
  }

  /** A node of `court` moved from state `from` to `to` (null: did not exist / removed). */
  moveNode(court: string, from: number | null, to: number | null): void {
    if (from === to) return;
    // Called for every node written: no allocations for the common pending/done case.
    if (from === NodeStateCode.due_soon || from === NodeStateCode.overdue) this.count(court, from, -1);
    if (to === NodeStateCode.due_soon || to === NodeStateCode.overdue) this.count(court, to, 1);
  }

  private count(court: string, state: number, sign: 1 | -1): void {
    const key = `${court}|${state}`;
    this.nodes.set(key, (this.nodes.get(key) ?? 0) + sign);
  }

  /** Writes the collected deltas (call inside the writer's transaction). */
  apply(db: Db): void {
    const day = db.prepare(
      `INSERT INTO case_day_stats (court_code, day, ${FIELDS.join(', ')}) VALUES (?, ?, ${FIELDS.map(() => '?').join(', ')})
       ON CONFLICT(day, court_code) DO UPDATE SET ${FIELDS.map((f) => `${f} = ${f} + excluded.${f}`).join(', ')}`,
    );
    const month = db.prepare(
      `INSERT INTO case_month_stats (court_code, month, ${FIELDS.join(', ')}) VALUES (?, ?, ${FIELDS.map(() => '?').join(', ')})
       ON CONFLICT(month, court_code) DO UPDATE SET ${FIELDS.map((f) => `${f} = ${f} + excluded.${f}`).join(', ')}`,
    );
    const months = new Map<string, DayFigures>();
    const totals = new Map<string, { received: number; closed: number }>();
    for (const [key, figures] of this.days) {
      const [court, d] = key.split('|') as [string, string];
      day.run(court, Number(d), ...FIELDS.map((f) => figures[f]));
      const monthKey = `${court}|${monthOfDay(Number(d))}`;
      const sum = months.get(monthKey) ?? zero();
      for (const f of FIELDS) sum[f] += figures[f];
      months.set(monthKey, sum);
      const total = totals.get(court) ?? { received: 0, closed: 0 };
      total.received += figures.received;
      total.closed += figures.closed;
      totals.set(court, total);
    }
    for (const [key, figures] of months) {
      const [court, m] = key.split('|') as [string, string];
      month.run(court, Number(m), ...FIELDS.map((f) => figures[f]));
    }
    const total = db.prepare(
      `INSERT INTO court_case_totals (court_code, received, closed) VALUES (?, ?, ?)
       ON CONFLICT(court_code) DO UPDATE SET received = received + excluded.received, closed = closed + excluded.closed`,
    );
    for (const [court, t] of totals) if (t.received !== 0 || t.closed !== 0) total.run(court, t.received, t.closed);
    const node = db.prepare(
      `INSERT INTO node_state_counts (court_code, state, n) VALUES (?, ?, ?)
       ON CONFLICT(court_code, state) DO UPDATE SET n = n + excluded.n`,
    );
    for (const [key, n] of this.nodes) {
      if (n === 0) continue;
      const [court, state] = key.split('|') as [string, string];
      node.run(court, Number(state), n);
    }
    this.days.clear();
    this.nodes.clear();
  }
}
