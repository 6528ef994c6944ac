/**
 * Incrementally maintained aggregates behind the wall statistics: per court and China-time
 * day, what was received/closed (and amounts, sanctions, inquiries); per court, how many
 * nodes are 临期/超期 now. Writers of cases and nodes collect deltas in a StatsDelta and
 * apply them once per transaction, so a statistics query sums a few thousand small rows
 * instead of scanning millions of cases.
 */
import type { ClosureType } from '@cc/protocol';
import type { DisposableStore, Logger } from '@cc/runtime';
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
  {
    // Bulk imports whose day and month figures are not written yet (DeferredDayStats): a row
    // left here by a hub that stopped meanwhile means the figures must be recounted at start.
    id: 'stats-004',
    sql: `CREATE TABLE stats_deferred (id INTEGER PRIMARY KEY, since INTEGER NOT NULL);`,
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
/**
 * The figures of one court and day (or month): a class, so every instance has the same shape
 * (bulk imports make hundreds of thousands; objects built by spreading were several times
 * slower to fill and add up).
 */
class Figures {
  received = 0;
  closed = 0;
  closed_completed = 0;
  closed_terminated_current = 0;
  owed_closed = 0;
  recovered_closed = 0;
  dishonest = 0;
  bans = 0;
  inquiries = 0;
  constructor(
    readonly court: string,
    /** A day number, or a month index. */
    readonly key: number,
  ) {}

  add(o: Figures): void {
    this.received += o.received;
    this.closed += o.closed;
    this.closed_completed += o.closed_completed;
    this.closed_terminated_current += o.closed_terminated_current;
    this.owed_closed += o.owed_closed;
    this.recovered_closed += o.recovered_closed;
    this.dishonest += o.dishonest;
    this.bans += o.bans;
    this.inquiries += o.inquiries;
  }

  /** Statement parameters: court, key, then FIELDS in order. */
  bind(into: (string | number)[]): (string | number)[] {
    into[0] = this.court;
    into[1] = this.key;
    into[2] = this.received;
    into[3] = this.closed;
    into[4] = this.closed_completed;
    into[5] = this.closed_terminated_current;
    into[6] = this.owed_closed;
    into[7] = this.recovered_closed;
    into[8] = this.dishonest;
    into[9] = this.bans;
    into[10] = this.inquiries;
    return into;
  }
}

/** Node states as stored (flow_nodes.state). */
export const NodeStateCode = { pending: 0, due_soon: 1, overdue: 2, done: 3 } as const;

export class StatsDelta {
  /**
   * Court → day number → figures. Nested maps rather than one keyed by `${court}|${day}`: a bulk
   * import adds every case here, and a joined key is a new string to build and hash each time.
   */
  private readonly days = new Map<string, Map<number, Figures>>();
  /** Court → [due_soon, overdue] node count changes. */
  private readonly nodes = new Map<string, [number, number]>();

  private day(court: string, day: number): Figures {
    let ofCourt = this.days.get(court);
    if (!ofCourt) this.days.set(court, (ofCourt = new Map()));
    let figures = ofCourt.get(day);
    if (!figures) ofCourt.set(day, (figures = new Figures(court, day)));
    return figures;
  }

  private *allDays(): Generator<Figures> {
    for (const ofCourt of this.days.values()) yield* ofCourt.values();
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

  private count(court: string, state: typeof NodeStateCode.due_soon | typeof NodeStateCode.overdue, sign: 1 | -1): void {
    let counts = this.nodes.get(court);
    if (!counts) this.nodes.set(court, (counts = [0, 0]));
    if (state === NodeStateCode.due_soon) counts[0] += sign;
    else counts[1] += sign;
  }

  /** Writes the collected deltas (call inside the writer's transaction). */
  apply(db: Db): void {
    this.applyTotals(db);
    this.applyDays(db);
  }

  /**
   * Writes the per-court totals and node counts only (a few dozen rows); the day figures stay
   * collected for `applyDays` or `moveDaysInto` (call inside the writer's transaction).
   */
  applyTotals(db: Db): void {
    const q = statementsOf(db);
    for (const [court, ofCourt] of this.days) {
      let received = 0;
      let closed = 0;
      for (const figures of ofCourt.values()) {
        received += figures.received;
        closed += figures.closed;
      }
      if (received !== 0 || closed !== 0) q.total.run(court, received, closed);
    }
    for (const [court, counts] of this.nodes)
      counts.forEach((n, k) => {
        if (n !== 0) q.node.run(court, NodeStateCode.due_soon + k, n);
      });
    this.nodes.clear();
  }

  /**
   * Writes the day and month figures (tens of thousands of rows after a bulk import), in key
   * order (day, then court: the tables' primary keys), so the upserts walk each table once from
   * its start instead of jumping to a random page for every row.
   */
  applyDays(db: Db, forget = true): void {
    const q = statementsOf(db);
    const byKey = (a: Figures, b: Figures): number => a.key - b.key || (a.court < b.court ? -1 : a.court > b.court ? 1 : 0);
    const days = [...this.allDays()].sort(byKey);
    const months = new Map<string, Map<number, Figures>>();
    const values: (string | number)[] = new Array(FIELDS.length + 2);
    for (const figures of days) {
      q.day.run(...figures.bind(values));
      const month = monthOfDay(figures.key);
      let ofCourt = months.get(figures.court);
      if (!ofCourt) months.set(figures.court, (ofCourt = new Map()));
      let sum = ofCourt.get(month);
      if (!sum) ofCourt.set(month, (sum = new Figures(figures.court, month)));
      sum.add(figures);
    }
    const sums = [...months.values()].flatMap((ofCourt) => [...ofCourt.values()]).sort(byKey);
    for (const sum of sums) q.month.run(...sum.bind(values));
    if (forget) this.days.clear();
  }

  /** Forgets the collected day figures (written by `applyDays(db, false)` in a committed transaction). */
  forgetDays(): void {
    this.days.clear();
  }

  /** Adds the collected day figures to `into` and forgets them here (DeferredDayStats). */
  moveDaysInto(into: StatsDelta): void {
    for (const [court, ofCourt] of this.days) {
      const target = into.days.get(court);
      if (!target) {
        into.days.set(court, ofCourt); // handed over whole: this delta forgets it below
        continue;
      }
      for (const [day, figures] of ofCourt) {
        const held = target.get(day);
        if (held) held.add(figures);
        else target.set(day, figures);
      }
    }
    this.days.clear();
  }
}

const statements = new WeakMap<Db, ReturnType<typeof prepareStatements>>();
function prepareStatements(db: Db) {
  const upsert = (table: string, key: string) =>
    db.prepare(
      `INSERT INTO ${table} (court_code, ${key}, ${FIELDS.join(', ')}) VALUES (?, ?, ${FIELDS.map(() => '?').join(', ')})
       ON CONFLICT(${key}, court_code) DO UPDATE SET ${FIELDS.map((f) => `${f} = ${f} + excluded.${f}`).join(', ')}`,
    );
  return {
    day: upsert('case_day_stats', 'day'),
    month: upsert('case_month_stats', 'month'),
    total: db.prepare(
      `INSERT INTO court_case_totals (court_code, received, closed) VALUES (?, ?, ?)
       ON CONFLICT(court_code) DO UPDATE SET received = received + excluded.received, closed = closed + excluded.closed`,
    ),
    node: db.prepare(
      `INSERT INTO node_state_counts (court_code, state, n) VALUES (?, ?, ?)
       ON CONFLICT(court_code, state) DO UPDATE SET n = n + excluded.n`,
    ),
  };
}
function statementsOf(db: Db) {
  let q = statements.get(db);
  if (!q) statements.set(db, (q = prepareStatements(db)));
  return q;
}

/**
 * The day and month figures of bulk imports, held here and written while the hub is otherwise
 * idle instead of with each slice or each request. A slice of 2,000 cases filed over three
 * years touches ~3,500 court-day rows and ~800 court-month rows, nearly every page of both
 * tables: their upserts were a fifth of a slice's write time (BENCHMARKS.md "Hub import"). Once
 * per request, a request of 20,000 cases filed over three years still upserted ~35,000 court-day
 * rows, while all the requests of a bulk import together touch at most courts × days rows; held
 * across requests, they are written once (BENCHMARKS.md "Hub import: day figures held until the
 * hub is idle"). The slices still write the per-court totals and node counts; the day figures of
 * their committed slices add up here.
 *
 * The held figures are written (one transaction) when no bulk import has run for IDLE_MS, before
 * any statistics query reads the tables (`flushDeferredDays`, so no reader ever sees them lag),
 * and when the hub closes. A row in `stats_deferred`, committed before the first slice adds
 * anything and removed with the figures, marks them: if the hub stops in between, the next
 * start recounts the day and month figures from the cases (cases/stats-recount.ts).
 */
export class DeferredDayStats {
  private readonly collected = new StatsDelta();
  /** The `stats_deferred` row while figures are (or may be) held. */
  private mark: number | null = null;
  private imports = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Transactions that wrote held figures (for tests and the bench). */
  writes = 0;

  constructor(
    private readonly db: Db,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A bulk import starts adding figures; call the returned function when it ends (also on failure). */
  begin(now: number): () => void {
    if (this.mark === null) this.mark = Number(this.db.prepare('INSERT INTO stats_deferred (since) VALUES (?)').run(now).lastInsertRowid);
    this.imports++;
    this.cancel();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.imports--;
      if (this.imports === 0 && !this.closed) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.tryFlush();
        }, IDLE_MS);
        this.timer.unref();
      }
    };
  }

  /** Takes a committed slice's day figures (after its transaction, not inside it). */
  add(delta: StatsDelta): void {
    delta.moveDaysInto(this.collected);
  }

  /**
   * Writes the held figures now, in one transaction; the mark goes with them unless an import is
   * still adding (its later slices are marked by it still).
   */
  flush(): void {
    this.cancel();
    const mark = this.mark;
    if (mark === null) return;
    const keep = this.imports > 0;
    this.db.transaction(() => {
      this.collected.applyDays(this.db, false);
      if (!keep) this.db.prepare('DELETE FROM stats_deferred WHERE id = ?').run(mark);
    })();
    // Only once committed: a failed write (at any point, its commit too) keeps them held.
    this.collected.forgetDays();
    this.writes++;
    if (!keep) this.mark = null;
  }

  /** `flush`, its failure reported to `onError` instead of thrown. */
  tryFlush(): void {
    try {
      this.flush();
    } catch (error) {
      this.onError(error);
    }
  }

  /** The hub is closing: writes what is held (if that fails, the mark stays and the next start recounts). */
  close(): void {
    this.closed = true;
    this.cancel();
    this.tryFlush();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** How long no bulk import must have run before held day figures are written. */
export const IDLE_MS = 1000;

const deferredDays = new WeakMap<Db, DeferredDayStats>();

/** The hub's held day figures (made on first use; written when the hub closes). */
export function deferredDayStatsOf(ctx: { db: Db; logger: Logger; disposables: DisposableStore }): DeferredDayStats {
  let deferred = deferredDays.get(ctx.db);
  if (!deferred) {
    const held = new DeferredDayStats(ctx.db, (error) =>
      ctx.logger.error(
        { err: error },
        'day and month figures of bulk imports not written yet; held, tried again by the next statistics query',
      ),
    );
    deferredDays.set(ctx.db, held);
    ctx.disposables.add('deferred day figures', () => held.close());
    deferred = held;
  }
  return deferred;
}

/**
 * Writes held day figures before the day and month tables are read. A failure to write them is
 * logged and the read goes on with the figures as stored; they stay held (and marked) for the
 * next try.
 */
export function flushDeferredDays(db: Db): void {
  deferredDays.get(db)?.tryFlush();
}
