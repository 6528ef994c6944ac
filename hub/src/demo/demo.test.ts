/** The demo dataset on a real SQLite file: Beijing's courts, people for every role, units, cases; seeded and resumable. */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/test-hub.js';
import { DEMO_PASSWORD, loadDemoIfEmpty } from './load.js';
import { readDemoCourts } from './organisation.js';

const hubs: TestHub[] = [];
afterEach(async () => {
  const closing = hubs.splice(0);
  await Promise.all(closing.map((h) => h.close()));
  for (const h of closing) rmSync(h.dataDir, { recursive: true, force: true });
});

const NOW = Date.parse('2026-11-21T02:00:00Z'); // 10:00 in Beijing
async function demoHub(cases: number): Promise<TestHub> {
  const hub = await startTestHub({ now: () => NOW });
  hubs.push(hub);
  const summary = await loadDemoIfEmpty(hub.context, { cases, batchSize: 700 });
  expect(summary).toMatchObject({ loaded: true, cases, rejected: 0 });
  return hub;
}

/** A digest of the tables the generator fills (ids, names, times, amounts). */
function fingerprint(hub: TestHub): string {
  const hash = createHash('sha256');
  for (const sql of [
    'SELECT code, name, level, parent_code, lat, lon, phone FROM courts ORDER BY code',
    "SELECT id, username, name, role, court_code, phone FROM people WHERE id LIKE 'demo-%' ORDER BY id",
    'SELECT id, name, kind, members, devices, status, lat, lon, position_at FROM field_units ORDER BY id',
    'SELECT * FROM cases ORDER BY case_no',
    'SELECT c.case_no, n.type, n.cycle, n.started_at, n.due_at, n.done_at FROM flow_nodes n JOIN cases c ON c.id = n.case_id ORDER BY n.id',
    'SELECT post_id, person_id, starts_at, ends_at, note FROM duty_roster ORDER BY post_id, starts_at',
    'SELECT case_id, reason, start_at, end_at, note, recorded_by FROM case_deductions ORDER BY id',
  ]) {
    for (const row of hub.context.db.prepare(sql).iterate()) hash.update(JSON.stringify(row));
  }
  return hash.digest('hex');
}

describe('demo dataset', () => {
  it('reads the derived Beijing hierarchy: high court, 4 intermediate, specialised and 16 district courts', () => {
    const courts = readDemoCourts();
    const byCode = new Map(courts.map((c) => [c.code, c]));
    expect(byCode.get('110000')).toMatchObject({ name: '北京市高级人民法院', level: 'high', parentCode: null });
    expect(courts.filter((c) => c.level === 'intermediate').map((c) => c.name)).toEqual([
      '北京市第一中级人民法院',
      '北京市第二中级人民法院',
      '北京市第三中级人民法院',
      '北京市第四中级人民法院',
    ]);
    expect(courts.filter((c) => c.level === 'special').map((c) => c.name)).toEqual(
      expect.arrayContaining(['北京知识产权法院', '北京互联网法院', '北京金融法院', '北京铁路运输中级法院']),
    );
    const districts = courts.filter((c) => c.level === 'basic');
    expect(districts).toHaveLength(16);
    expect(byCode.get('110105')).toMatchObject({ name: '北京市朝阳区人民法院', designator: '京0105', parentCode: '110300' });
    expect(byCode.get('110119')).toMatchObject({ name: '北京市延庆区人民法院', parentCode: '110100' });
    // Every parent exists; every court lies in Beijing's bounding box.
    for (const c of courts) {
      if (c.parentCode) expect(byCode.has(c.parentCode)).toBe(true);
      expect(c.lat).toBeGreaterThan(39.4);
      expect(c.lat).toBeLessThan(41.1);
      expect(c.lon).toBeGreaterThan(115.4);
      expect(c.lon).toBeLessThan(117.6);
    }
  });

  it('loads people for every role with one password, units with GB28181 devices near their courts, duty and a wall', async () => {
    const hub = await demoHub(1500);
    const officer = await hub.login('duty01', DEMO_PASSWORD);
    const courts = (await hub.call('GET', '/api/v1/courts', undefined, officer)).body.courts;
    expect(courts).toHaveLength(26);
    const people = (await hub.call('GET', '/api/v1/people', undefined, officer)).body.people;
    expect(new Set(people.map((p: any) => p.role))).toEqual(
      new Set(['admin', 'duty_officer', 'leader', 'technician', 'viewer', 'court_user']),
    );
    const courtUser = await hub.login('c110105-duty', DEMO_PASSWORD);
    const seen = (await hub.call('GET', '/api/v1/units', undefined, courtUser)).body.units;
    expect(seen.map((u: any) => u.kind).sort()).toEqual(['individual', 'individual', 'individual', 'team', 'vehicle']);
    const chaoyang = courts.find((c: any) => c.code === '110105');
    for (const unit of seen) {
      expect(unit.court).toBe('110105');
      expect(unit.members.length).toBeGreaterThan(0);
      for (const device of unit.devices) expect(device).toMatch(/^11010500001(31|32)6\d{6}$/);
      expect(Math.abs(unit.position.lat - chaoyang.lat)).toBeLessThan(0.2);
      expect(Date.parse(unit.position.at)).toBeLessThanOrEqual(NOW);
    }
    const onDuty = (await hub.call('GET', '/api/v1/duty/on-duty', undefined, officer)).body.shifts;
    expect(onDuty.map((s: any) => s.postId).sort()).toEqual(['post-110000', 'post-centre-chief', 'post-centre-dispatch']);
    const [rollCall] = (await hub.call('GET', '/api/v1/duty/roll-calls', undefined, officer)).body.rollCalls;
    expect(rollCall.posts).toHaveLength(26);
    expect(rollCall.posts.filter((p: any) => p.status === 'pending')).toEqual([]);
    const state = (await hub.call('GET', '/api/v1/walls/wall-centre/state', undefined, officer)).body;
    expect(state.active).toMatchObject({ kind: 'scene', id: 'scene-daily' });
    expect(hub.context.audit.verify()).toMatchObject({ ok: true });
    // Bulk steps are one audit entry each (one per case batch), not one per row; 督办 are real API calls.
    const orders = (await hub.call('GET', '/api/v1/supervision?limit=500', undefined, officer)).body.orders;
    expect(orders).toHaveLength(30);
    expect(new Set(orders.map((o: any) => o.state)).size).toBeGreaterThanOrEqual(3);
    expect(orders.every((o: any) => o.nodeId !== null && Date.parse(o.dueAt) > NOW)).toBe(true);
    const delegations = (await hub.call('GET', '/api/v1/delegations?limit=500', undefined, officer)).body.delegations;
    expect(delegations).toHaveLength(12);
    expect(new Set(delegations.map((d: any) => d.state)).size).toBeGreaterThanOrEqual(3);
    const audit = hub.context.audit.list({ limit: 1000 });
    expect(audit.filter((e) => e.action === 'cases.import')).toHaveLength(3);
    expect(audit.length).toBeLessThan(150);

    const status = (await hub.call('GET', '/api/v1/demo/status', undefined, officer)).body.steps;
    expect(status.map((s: any) => s.step)).toEqual([
      'organisation',
      'workspace',
      'cases',
      'deductions',
      'supervision',
      'delegations',
      'complete',
    ]);
    const basemap = (await hub.call('GET', '/api/v1/demo/districts', undefined, officer)).body;
    expect(basemap.features.map((f: any) => f.properties.code)).toContain('110105');
    expect(basemap.features).toHaveLength(16);
  });

  it('draws cases with node histories: mostly closed when old, some overdue, amounts heavy-tailed', async () => {
    const hub = await demoHub(3000);
    const db = hub.context.db;
    const one = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    expect(one('SELECT COUNT(*) AS n FROM cases')).toBe(3000);
    const nodes = one('SELECT COUNT(*) AS n FROM flow_nodes');
    expect(nodes / 3000).toBeGreaterThan(5);
    const closedShare = one('SELECT COUNT(*) AS n FROM cases WHERE closed_at IS NOT NULL') / 3000;
    expect(closedShare).toBeGreaterThan(0.4);
    expect(closedShare).toBeLessThan(0.9);
    const open = one('SELECT COUNT(*) AS n FROM flow_nodes WHERE done_at IS NULL');
    const overdue = one(`SELECT COUNT(*) AS n FROM flow_nodes WHERE done_at IS NULL AND due_at < ${NOW}`);
    expect(overdue).toBeGreaterThan(0);
    expect(overdue).toBeLessThan(open);
    const caseNo = (db.prepare("SELECT case_no AS no FROM cases WHERE court_code = '110105' LIMIT 1").get() as { no: string }).no;
    expect(caseNo).toMatch(/^\(20\d\d\)京0105执(恢|保)?\d+号$/);
  });

  it('puts 中止执行/公告/评估 periods on about 1.5 % of open cases, some running, that stop or move their nodes', async () => {
    const hub = await demoHub(3000);
    const db = hub.context.db;
    const openCases = (db.prepare('SELECT COUNT(*) AS n FROM cases WHERE closed_at IS NULL').get() as { n: number }).n;
    const periods = db
      .prepare('SELECT d.*, c.case_no, c.filed_at, c.closed_at FROM case_deductions d JOIN cases c ON c.id = d.case_id ORDER BY d.id')
      .all() as { case_no: string; reason: string; start_at: number; end_at: number | null; filed_at: number; closed_at: number | null }[];
    expect(periods.length).toBeGreaterThan(openCases * 0.005);
    expect(periods.length).toBeLessThan(openCases * 0.03);
    expect(new Set(periods.map((p) => p.reason))).toEqual(new Set(['suspension', 'public_notice', 'audit_valuation']));
    const running = periods.filter((p) => p.end_at === null);
    expect(running.length).toBeGreaterThan(0);
    expect(running.length).toBeLessThan(periods.length);
    for (const p of periods) {
      expect(p.closed_at).toBeNull();
      expect(p.start_at + 8 * 3_600_000).toBeGreaterThanOrEqual(Math.floor((p.filed_at + 8 * 3_600_000) / 86_400_000) * 86_400_000);
      expect(p.start_at).toBeLessThanOrEqual(NOW);
      if (p.end_at !== null) expect(p.end_at).toBeGreaterThan(p.start_at);
      if (p.end_at !== null) expect(p.end_at).toBeLessThanOrEqual(NOW);
    }
    // Through the case API the console reads: the periods, and nodes paused or moved by them.
    const officer = await hub.login('duty01', DEMO_PASSWORD);
    let paused = 0;
    let moved = 0;
    for (const p of periods) {
      const detail = (await hub.call('GET', `/api/v1/cases/${encodeURIComponent(p.case_no)}`, undefined, officer)).body;
      expect(detail.deductions.map((d: any) => d.reason)).toEqual([p.reason]);
      paused += detail.nodes.filter((n: any) => n.paused === true).length;
      moved += detail.nodes.filter((n: any) => n.baseDueAt !== undefined && n.baseDueAt !== n.dueAt && !n.paused).length;
    }
    expect(paused).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(0);
    const status = (await hub.call('GET', '/api/v1/demo/status', undefined, officer)).body.steps;
    expect(status.find((s: any) => s.step === 'deductions').detail).toMatchObject({ cases: periods.length, open: running.length });
  });

  it('is the same every time (seeded), loads once, and leaves a store with its own courts alone', async () => {
    const a = await demoHub(800);
    const b = await demoHub(800);
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(await loadDemoIfEmpty(a.context)).toEqual({ loaded: false, reason: 'already loaded' });

    const own = await startTestHub({ now: () => NOW });
    hubs.push(own);
    own.context.db
      .prepare("INSERT INTO courts (code, name, level, lat, lon) VALUES ('340000', '安徽省高级人民法院', 'high', 31.8, 117.2)")
      .run();
    expect(await loadDemoIfEmpty(own.context)).toEqual({ loaded: false, reason: 'store not empty' });
  });
});
