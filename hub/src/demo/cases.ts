/**
 * Demo cases with flow-node histories, drawn from plausible distributions: filings skewed to
 * the last months, heavy-tailed amounts, closure after an exponential duration (so older
 * cases are mostly closed), property disposal and fund payouts on some cases, 终本 re-checks
 * every six months. Open nodes past their due time become the 超期 list.
 */
import type { CaseImport, ClosureType, NodeImport } from '@cc/protocol';
import type { DemoCourt } from './organisation.js';
import type { SeededRandom } from './random.js';

const DAY = 86_400_000;

/** Relative case load of each court (larger districts file more). */
const COURT_WEIGHT: Record<string, number> = {
  110105: 12,
  110108: 10,
  110106: 7,
  110115: 6,
  110114: 6,
  110112: 6,
  110102: 5,
  110101: 4,
  110113: 4,
  110111: 4,
  110107: 2,
  110109: 1.5,
  110116: 1.5,
  110117: 1.5,
  110118: 1.5,
  110119: 1,
  110491: 3,
  117400: 2,
  117300: 1,
  110100: 1.5,
  110200: 1.5,
  110300: 1.5,
  110400: 1,
  117100: 0.3,
  117101: 0.5,
  110000: 0.5,
};
const KIND_CHAR = { first: '执', resumed: '执恢', preservation: '执保' } as const;

interface Draft {
  filed: number;
  closed: number | null;
  now: number;
  nodes: NodeImport[];
}

const dayPrefix = new Map<number, string>();
const pad = (n: number, width: number): string => (width === 3 && n < 100 ? (n < 10 ? '00' : '0') : n < 10 ? '0' : '') + n;
/** `toISOString` for a million timestamps is slow; the date part is cached per day, the time part assembled. */
export function iso(ms: number): string {
  const t = Math.floor(ms);
  const day = Math.floor(t / DAY);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    dayPrefix.set(day, prefix);
  }
  const rest = t - day * DAY;
  const [h, m, sec, milli] = [Math.floor(rest / 3_600_000), Math.floor(rest / 60_000) % 60, Math.floor(rest / 1000) % 60, rest % 1000];
  return `${prefix}${pad(h, 2)}:${pad(m, 2)}:${pad(sec, 2)}.${pad(milli, 3)}Z`;
}

/** Adds a node; a done time after the case closed is clamped to the closing, one in the future leaves it open. */
function node(d: Draft, type: string, started: number, done: number | null, cycle = 0): number | null {
  const end = d.closed ?? d.now - 60_000;
  if (started > end) return null;
  const doneAt = done === null ? null : d.closed !== null ? Math.min(done, d.closed) : done <= end ? done : null;
  d.nodes.push({ type, cycle, startedAt: iso(started), ...(doneAt === null ? {} : { doneAt: iso(doneAt) }) });
  return doneAt;
}

function propertyNodes(r: SeededRandom, d: Draft): void {
  const attached = d.filed + r.int(10, 60) * DAY;
  const valued = node(d, 'valuation_start', attached, attached + r.int(5, 40) * DAY);
  if (valued === null) return;
  const sold = node(d, 'sale_start', valued, valued + r.int(2, 14) * DAY);
  if (sold === null) return;
  let paid = sold + r.int(30, 45) * DAY;
  if (r.chance(0.3)) {
    const again = node(d, 'reauction', sold + 35 * DAY, sold + r.int(40, 70) * DAY);
    if (again === null) return;
    paid = again + r.int(30, 45) * DAY;
  }
  const served = node(d, 'sale_ruling_service', paid, paid + r.int(2, 12) * DAY);
  if (served !== null) node(d, 'property_handover', served, served + r.int(3, 20) * DAY);
}

function fundNodes(r: SeededRandom, d: Draft, span: number): void {
  const arrived = d.filed + r.int(15, Math.max(16, span)) * DAY;
  node(d, 'funds_claim', arrived, arrived + r.exponential(1.5) * DAY);
  // Most payouts take days; a few run past the 30-day limit.
  const payout = r.chance(0.06) ? r.int(31, 60) : r.exponential(10);
  node(d, 'funds_payout', arrived, arrived + payout * DAY);
}

function recheckNodes(r: SeededRandom, d: Draft, ruling: number): void {
  for (let cycle = 0; cycle < 10; cycle++) {
    const started = ruling + cycle * 182 * DAY;
    if (started > d.now - 60_000) return;
    const due = started + 182 * DAY;
    const done = due < d.now ? (r.chance(0.9) ? due - r.int(1, 40) * DAY : null) : null;
    d.nodes.push({ type: 'terminated_recheck', cycle, startedAt: iso(started), ...(done === null ? {} : { doneAt: iso(done) }) });
    if (done === null) return;
  }
}

function closureOf(r: SeededRandom, kind: CaseImport['kind']): ClosureType {
  if (kind === 'preservation')
    return r.weighted([
      ['completed', 8],
      ['withdrawn', 2],
    ] as const);
  return r.weighted([
    ['completed', 45],
    ['terminated_current', 35],
    ['withdrawn', 11],
    ['terminated', 5],
    ['not_enforced', 2],
    ['rejected', 2],
  ] as const);
}

function recovered(r: SeededRandom, owed: number, closure: ClosureType | null): number {
  const share =
    closure === 'completed'
      ? r.chance(0.85)
        ? 1
        : 0.9 + r.next() * 0.1
      : closure === 'terminated_current'
        ? r.chance(0.6)
          ? 0
          : r.next() * 0.3
        : closure === 'withdrawn'
          ? r.next() * 0.6
          : closure === null
            ? r.chance(0.5)
              ? 0
              : r.next() * 0.8
            : 0;
  return Math.round(owed * share * 100) / 100;
}

export interface CaseGenerator {
  /** The next `n` records (fewer at the end). */
  next(n: number): CaseImport[];
}

/** `now` is the generator's present: nothing is dated after it (the loader passes the start of today). */
export function caseGenerator(
  r: SeededRandom,
  courts: readonly DemoCourt[],
  handlers: ReadonlyMap<string, string[]>,
  total: number,
  now: number,
): CaseGenerator {
  const weights = courts.map((c) => [c, COURT_WEIGHT[c.code] ?? 1] as const);
  const serials = new Map<string, number>();
  let made = 0;

  const one = (): CaseImport => {
    const court = r.weighted(weights);
    const kind = r.weighted([
      ['first', 82],
      ['resumed', 8],
      ['preservation', 10],
    ] as const);
    const ageDays = Math.pow(r.next(), 1.3) * 730;
    const filed = Math.floor((now - ageDays * DAY) / 60_000) * 60_000;
    const year = new Date(filed + 8 * 3600_000).getUTCFullYear();
    const key = `${court.code}|${year}|${kind}`;
    const serial = (serials.get(key) ?? 0) + 1;
    serials.set(key, serial);
    const simple = kind === 'first' && r.chance(0.3);
    const duration = kind === 'preservation' ? 2 + r.exponential(15) : simple ? 3 + r.exponential(20) : 5 + r.exponential(110);
    const closed = duration < ageDays - 1 ? filed + Math.floor(duration * DAY) : null;
    const closure = closed === null ? null : closureOf(r, kind);
    const owed = Math.max(500, Math.round(r.logNormal(60_000, 1.4) * 100) / 100);
    const got = recovered(r, owed, closure);
    const d: Draft = { filed, closed, now, nodes: [] };
    const applied = filed - r.int(1, 6) * DAY;

    node(d, 'filing_review', applied, filed);
    node(d, 'handler_assignment', filed, filed + r.exponential(1.2) * DAY);
    node(d, 'network_inquiry', filed, filed + (r.chance(0.05) ? r.int(4, 10) : r.exponential(0.8)) * DAY);
    if (kind === 'preservation') {
      if (r.chance(0.3)) node(d, 'preservation_supplement', filed + r.int(0, 2) * DAY, filed + (3 + r.exponential(1.5)) * DAY);
    } else {
      const notice = filed + r.exponential(3) * DAY;
      node(d, 'enforcement_notice', applied, notice);
      node(d, 'asset_report_order', applied, notice);
      node(d, 'asset_investigation', filed, filed + (r.chance(0.2) ? r.exponential(25) : r.int(5, 28)) * DAY);
      if (simple) node(d, 'simple_case_completion', filed, closed);
      node(d, 'case_disposition', filed, closed);
      if (r.chance(0.35)) propertyNodes(r, d);
      if (r.chance(0.4))
        node(d, 'deposit_freeze_expiry', filed + r.int(1, 10) * DAY, closed ?? (r.chance(0.8) ? now - r.int(1, 300) * DAY : null));
    }
    if (got > 0) fundNodes(r, d, Math.min(ageDays, duration));
    if (closed !== null) {
      const check = closed + (r.chance(0.04) ? r.int(3, 8) : r.exponential(0.7)) * DAY;
      d.nodes.push({
        type: 'closing_info_check',
        cycle: 0,
        startedAt: iso(closed),
        ...(check <= now - 60_000 ? { doneAt: iso(check) } : {}),
      });
      if (closure === 'terminated_current') recheckNodes(r, d, closed);
    }
    const terminated = closure === 'terminated_current';
    const dishonest = terminated
      ? r.weighted([
          [0, 3],
          [1, 5],
          [2, 2],
        ] as const)
      : closed === null && r.chance(0.2)
        ? 1
        : 0;
    return {
      caseNo: `(${year})${court.designator}${KIND_CHAR[kind]}${serial}号`,
      court: court.code,
      kind,
      filedAt: iso(filed),
      amountOwed: owed,
      amountRecovered: got,
      ...(closed === null ? {} : { closedAt: iso(closed), closureType: closure! }),
      handler: r.pick(handlers.get(court.code) ?? ['']),
      dishonestCount: dishonest,
      consumptionBanCount: dishonest + (r.chance(0.3) ? 1 : 0),
      inquiryCount: 1 + r.int(0, 4) + d.nodes.filter((n) => n.type === 'terminated_recheck').length,
      nodes: d.nodes,
    };
  };

  return {
    next(n) {
      const batch: CaseImport[] = [];
      while (batch.length < n && made < total) {
        batch.push(one());
        made++;
      }
      return batch;
    },
  };
}
