/**
 * Loads the demo dataset into an empty store (`hub.demo` = 'auto'). Each step commits with its
 * audit entry and is recorded in `demo_steps`, so a start interrupted half-way finishes the
 * remaining steps next time (case import is idempotent by case number). Same seed → same data;
 * times are relative to the day the demo is loaded.
 */
import type { Actor } from '../audit/audit-log.js';
import type { HubContext, Migration } from '../app/module.js';
import { hashPassword } from '../auth/password.js';
import { importCases } from '../cases/import.js';
import type { Db } from '../store/database.js';
import { activateOnWall } from '../walls/activation.js';
import { caseGenerator } from './cases.js';
import { issueDemoSupervision } from './supervision.js';
import { insertCourts, insertPeople, insertUnits, readDemoCourts, type DemoPerson, type DemoUnit } from './organisation.js';
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
}
const DEFAULTS: DemoOptions = { cases: 50_000, seed: DEMO_SEED, batchSize: 5000, supervisionOrders: 30 };

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

async function loadDemo(ctx: HubContext, o: DemoOptions): Promise<DemoSummary> {
  const { db } = ctx;
  const logger = ctx.logger.child({ module: 'demo' });
  const started = performance.now();
  const now = ctx.now();
  // Separate streams per part, so changing one part's volume leaves the others identical.
  const random = (part: string): SeededRandom => new SeededRandom(`${o.seed}/${part}`);
  const demoCourts = readDemoCourts();
  logger.info({ courts: demoCourts.length, cases: o.cases }, 'demo data: loading into the empty store');

  // Organisation is regenerated in memory on resume (same seed → same ids) but written once.
  const orgRandom = random('organisation');
  const hash = done(db, 'organisation') ? '' : hashPassword(DEMO_PASSWORD);
  let people: DemoPerson[] = [];
  let units: DemoUnit[] = [];
  const organisation = (): { value: null; target: string; after: unknown } => {
    insertCourts(db, orgRandom, demoCourts);
    people = insertPeople(db, orgRandom, demoCourts, hash);
    units = insertUnits(db, orgRandom, demoCourts, people, now);
    const after = { courts: demoCourts.length, people: people.length, units: units.length };
    markDone(db, 'organisation', after);
    return { value: null, target: 'demo:organisation', after };
  };
  if (!done(db, 'organisation')) ctx.mutate(DEMO_ACTOR, 'demo.organisation', organisation);
  else {
    people = db.prepare("SELECT id, username, name, role, court_code AS court FROM people WHERE id LIKE 'demo-%'").all() as DemoPerson[];
    units = db.prepare("SELECT id, court_code AS court, kind FROM field_units WHERE id LIKE 'unit-%'").all() as DemoUnit[];
  }
  logger.info({ courts: demoCourts.length, people: people.length, units: units.length }, 'demo data: organisation');

  if (!done(db, 'workspace')) {
    ctx.mutate(DEMO_ACTOR, 'demo.workspace', () => {
      const devices = new Map(
        (db.prepare("SELECT id, devices FROM field_units WHERE id LIKE 'unit-%'").all() as { id: string; devices: string }[]).map((u) => [
          u.id,
          JSON.parse(u.devices) as string[],
        ]),
      );
      const after = {
        ...insertDuty(db, random('duty'), demoCourts, people, now),
        ...insertWall(db, units, (id) => devices.get(id) ?? [], now),
      };
      markDone(db, 'workspace', after);
      return { value: null, target: 'demo:workspace', after };
    });
    activateOnWall(ctx, DEMO_ACTOR, DEMO_WALL_ID, { kind: 'scene', id: DEMO_DAILY_SCENE });
  }

  const totals = { cases: 0, nodes: 0, rejected: 0 };
  if (!done(db, 'cases')) {
    const handlers = new Map<string, string[]>();
    for (const p of people) if (/-f\d+$/.test(p.username)) handlers.set(p.court, [...(handlers.get(p.court) ?? []), p.name]);
    const generator = caseGenerator(random('cases'), demoCourts, handlers, o.cases, now);
    for (let batch = generator.next(o.batchSize); batch.length > 0; batch = generator.next(o.batchSize)) {
      const report = importCases(ctx, DEMO_ACTOR, batch);
      totals.cases += report.accepted;
      totals.nodes += report.nodes;
      totals.rejected += report.rejected.length;
      if (report.rejected.length > 0) logger.warn({ first: report.rejected[0] }, 'demo data: rejected case records');
      logger.info(
        { cases: totals.cases, of: o.cases, nodes: totals.nodes, ms: Math.round(performance.now() - started) },
        'demo data: cases',
      );
      // Let the event loop breathe between batches (signals, health probes).
      await new Promise((resolve) => setImmediate(resolve));
    }
    ctx.mutate(DEMO_ACTOR, 'demo.cases', () => {
      markDone(db, 'cases', totals);
      return { value: null, target: 'demo:cases', after: totals };
    });
  }
  if (!done(db, 'supervision')) {
    const orders = await issueDemoSupervision(ctx, random('supervision'), DEMO_PASSWORD, o.supervisionOrders);
    ctx.mutate(DEMO_ACTOR, 'demo.supervision', () => {
      markDone(db, 'supervision', orders);
      return { value: null, target: 'demo:supervision', after: orders };
    });
    logger.info(orders, 'demo data: 督办 orders in flight');
  }
  ctx.mutate(DEMO_ACTOR, 'demo.complete', () => {
    markDone(db, 'complete', { seed: o.seed });
    return { value: null, target: 'demo:complete', after: { seed: o.seed } };
  });
  const ms = Math.round(performance.now() - started);
  logger.info(
    { ms, ...totals },
    `demo data: loaded in ${(ms / 1000).toFixed(1)} s (password of every demo account: see README → Demo data)`,
  );
  return { loaded: true, courts: demoCourts.length, people: people.length, units: units.length, ...totals, ms };
}
