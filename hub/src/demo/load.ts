/**
 * Loads the demo dataset into an empty store (`hub.demo` = 'auto'). Each step commits with its
 * audit entry and is recorded in `demo_steps`, so a start interrupted half-way finishes the
 * remaining steps next time (case import is idempotent by case number). Same seed → same data;
 * times are relative to the day the demo is loaded.
 */
import type { Logger } from '@cc/runtime';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext, Migration } from '../app/module.js';
import { hashPassword } from '../auth/password.js';
import { importCases } from '../cases/import.js';
import type { Db } from '../store/database.js';
import { activateOnWall } from '../walls/activation.js';
import { caseGenerator } from './cases.js';
import { recordDemoDeductions, type DemoDeductions } from './deductions.js';
import { DemoApi } from './api.js';
import { delegateDemoItems, issueDemoSupervision } from './supervision.js';
import { insertCourts, insertPeople, insertUnits, readDemoCourts, type DemoCourt, type DemoPerson, type DemoUnit } from './organisation.js';
import { SeededRandom } from './random.js';
import { DEMO_DAILY_SCENE, DEMO_WALL_ID, insertDuty, insertWall } from './workspace.js';

export const demoMigrations: Migration[] = [
  { id: 'demo-001', sql: 'CREATE TABLE demo_steps (step TEXT PRIMARY KEY, done_at TEXT NOT NULL, detail TEXT NOT NULL)' },
];

/** The one password of every demo account (documented in README → Demo data). */
export const DEMO_PASSWORD = 'demo-2026';
export const DEMO_SEED = 'cc-demo-beijing-v1';
export const DEMO_ACTOR: Actor = { id: 'demo', name: '演示数据', role: 'service', source: 'system' };

export interface DemoOptions {
  cases: number;
  seed: string;
  batchSize: number;
  supervisionOrders: number;
  delegations: number;
}
const DEFAULTS: DemoOptions = { cases: 50_000, seed: DEMO_SEED, batchSize: 5000, supervisionOrders: 30, delegations: 12 };

const done = (db: Db, step: string): boolean => db.prepare('SELECT 1 FROM demo_steps WHERE step = ?').get(step) !== undefined;
const markDone = (db: Db, step: string, detail: unknown): void => {
  db.prepare('INSERT OR REPLACE INTO demo_steps (step, done_at, detail) VALUES (?, ?, ?)').run(
    step,
    new Date().toISOString(),
    JSON.stringify(detail),
  );
};

export interface DemoSummary {
  loaded: boolean;
  reason?: string;
  courts?: number;
  people?: number;
  units?: number;
  cases?: number;
  nodes?: number;
  rejected?: number;
  ms?: number;
}

/** Loads (or finishes loading) the demo when the store holds no courts of its own. */
export async function loadDemoIfEmpty(ctx: HubContext, options: Partial<DemoOptions> = {}): Promise<DemoSummary> {
  const { db } = ctx;
  if (done(db, 'complete')) return { loaded: false, reason: 'already loaded' };
  const courts = (db.prepare('SELECT COUNT(*) AS n FROM courts').get() as { n: number }).n;
  if (courts > 0 && !done(db, 'organisation')) return { loaded: false, reason: 'store not empty' };
  return loadDemo(ctx, { ...DEFAULTS, ...options });
}

interface Run {
  ctx: HubContext;
  o: DemoOptions;
  logger: Logger;
  now: number;
  started: number;
  courts: DemoCourt[];
  random(part: string): SeededRandom;
}

/** Runs one bookkeeping-recorded step in a mutation (one audit entry summarising it). */
function step(run: Run, name: string, work: () => unknown): void {
  run.ctx.mutate(DEMO_ACTOR, `demo.${name}`, ({ db }) => {
    const after = work();
    markDone(db, name, after);
    return { value: null, target: `demo:${name}`, after };
  });
}

/** Courts, people, units: written once; on resume read back (same seed → same ids). */
function organisation(run: Run): { people: DemoPerson[]; units: DemoUnit[] } {
  const { db } = run.ctx;
  if (done(db, 'organisation')) {
    return {
      people: db.prepare("SELECT id, username, name, role, court_code AS court FROM people WHERE id LIKE 'demo-%'").all() as DemoPerson[],
      units: db.prepare("SELECT id, court_code AS court, kind FROM field_units WHERE id LIKE 'unit-%'").all() as DemoUnit[],
    };
  }
  const r = run.random('organisation');
  // One slow hash for every demo account.
  const hash = hashPassword(DEMO_PASSWORD);
  let result: { people: DemoPerson[]; units: DemoUnit[] } = { people: [], units: [] };
  step(run, 'organisation', () => {
    insertCourts(db, r, run.courts);
    const people = insertPeople(db, r, run.courts, hash);
    result = { people, units: insertUnits(db, r, run.courts, people, run.now) };
    return { courts: run.courts.length, people: people.length, units: result.units.length };
  });
  return result;
}

function workspace(run: Run, people: DemoPerson[], units: DemoUnit[]): void {
  const { db } = run.ctx;
  if (done(db, 'workspace')) return;
  step(run, 'workspace', () => {
    const rows = db.prepare("SELECT id, devices FROM field_units WHERE id LIKE 'unit-%'").all() as { id: string; devices: string }[];
    const devices = new Map(rows.map((u) => [u.id, JSON.parse(u.devices) as string[]]));
    return {
      ...insertDuty(db, run.random('duty'), run.courts, people, run.now),
      ...insertWall(db, units, (id) => devices.get(id) ?? [], run.now),
    };
  });
  activateOnWall(run.ctx, DEMO_ACTOR, DEMO_WALL_ID, { kind: 'scene', id: DEMO_DAILY_SCENE });
}

/** Cases in batches through importCases (idempotent by case number, so a resumed load re-imports safely). */
async function cases(run: Run, people: DemoPerson[]): Promise<{ cases: number; nodes: number; rejected: number }> {
  const totals = { cases: 0, nodes: 0, rejected: 0 };
  if (done(run.ctx.db, 'cases')) return totals;
  const handlers = new Map<string, string[]>();
  for (const p of people) if (/-f\d+$/.test(p.username)) handlers.set(p.court, [...(handlers.get(p.court) ?? []), p.name]);
  // Cases are drawn relative to the start of today (China time): the same on every start of the same day.
  const today = Math.floor((run.now + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000;
  const generator = caseGenerator(run.random('cases'), run.courts, handlers, run.o.cases, today);
  for (let batch = generator.next(run.o.batchSize); batch.length > 0; batch = generator.next(run.o.batchSize)) {
    const report = importCases(run.ctx, DEMO_ACTOR, batch);
    totals.cases += report.accepted;
    totals.nodes += report.nodes;
    totals.rejected += report.rejected.length;
    if (report.rejected.length > 0) run.logger.warn({ first: report.rejected[0] }, 'demo data: rejected case records');
    const ms = Math.round(performance.now() - run.started);
    run.logger.info({ cases: totals.cases, of: run.o.cases, nodes: totals.nodes, ms }, 'demo data: cases');
    // Let the event loop breathe between batches (signals, health probes).
    await new Promise((resolve) => setImmediate(resolve));
  }
  step(run, 'cases', () => totals);
  return totals;
}

/** Deduction periods on ~1.5 % of open cases, in one step (before the 督办 orders pick overdue nodes). */
function deductions(run: Run): void {
  if (done(run.ctx.db, 'deductions')) return;
  let recorded: DemoDeductions | undefined;
  step(run, 'deductions', () => (recorded = recordDemoDeductions(run.ctx.db, run.random('deductions'), run.now)));
  run.logger.info({ ...recorded, ms: Math.round(performance.now() - run.started) }, 'demo data: deduction periods');
}

/** 督办 and 事项委托 through their APIs, as the demo's leader and court users. */
async function inFlight(run: Run): Promise<void> {
  const api = new DemoApi(run.ctx, DEMO_PASSWORD);
  try {
    if (!done(run.ctx.db, 'supervision')) {
      const orders = await issueDemoSupervision(run.ctx, api, run.random('supervision'), run.o.supervisionOrders);
      step(run, 'supervision', () => orders);
      run.logger.info(orders, 'demo data: 督办 orders in flight');
    }
    if (!done(run.ctx.db, 'delegations')) {
      const delegations = await delegateDemoItems(api, run.random('delegations'), run.courts, run.o.delegations);
      step(run, 'delegations', () => delegations);
      run.logger.info(delegations, 'demo data: 事项委托 in flight');
    }
  } finally {
    api.close();
  }
}

async function loadDemo(ctx: HubContext, o: DemoOptions): Promise<DemoSummary> {
  const run: Run = {
    ctx,
    o,
    logger: ctx.logger.child({ module: 'demo' }),
    now: ctx.now(),
    started: performance.now(),
    courts: readDemoCourts(),
    // Separate streams per part, so changing one part's volume leaves the others identical.
    random: (part) => new SeededRandom(`${o.seed}/${part}`),
  };
  run.logger.info({ courts: run.courts.length, cases: o.cases }, 'demo data: loading into the empty store');
  const { people, units } = organisation(run);
  run.logger.info({ courts: run.courts.length, people: people.length, units: units.length }, 'demo data: organisation');
  workspace(run, people, units);
  const totals = await cases(run, people);
  deductions(run);
  await inFlight(run);
  step(run, 'complete', () => ({ seed: o.seed }));
  const ms = Math.round(performance.now() - run.started);
  run.logger.info(
    { ms, ...totals },
    `demo data: loaded in ${(ms / 1000).toFixed(1)} s (password of every demo account: see README → Demo data)`,
  );
  return { loaded: true, courts: run.courts.length, people: people.length, units: units.length, ...totals, ms };
}
