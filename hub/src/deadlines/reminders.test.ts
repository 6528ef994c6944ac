import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hubEventSchemas, type DeadlineRule, type HubEventEnvelope, type NodeType } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { importCases } from '../cases/import.js';
import { nodeTiming } from '../cases/store.js';
import { startTestHub, type TestHub } from '../cases/test-support.js';
import { NodeStateCode } from '../stats/aggregates.js';
import { DAY_MS } from './calendar.js';
import { deadlineEngineOf } from './index.js';
import { retimedState } from './retime.js';

let hub: TestHub;
let events: HubEventEnvelope[];
beforeEach(async () => {
  hub = await startTestHub();
  events = [];
  hub.ctx.events.subscribe((batch) => events.push(...batch));
});
afterEach(async () => {
  await hub.close();
});

const CODE = 'graded_item';
const TYPE_URL = `/api/v1/catalog/node-types/${CODE}`;
const typeBody = (rule: Partial<DeadlineRule>): Omit<NodeType, 'code'> => ({
  name: '分级提醒测试',
  category: 'supervised',
  rule: { anchor: 'item_received', amount: 60, unit: 'day', warnDays: 30, repeat: null, ...rule },
  blocksClosure: [],
  source: 'test',
  confidence: 'unconfirmed',
  active: true,
});
const putType = (rule: Partial<DeadlineRule>) => hub.request('PUT', TYPE_URL, hub.tokens.admin, typeBody(rule));

const seed = (): void => {
  importCases(hub.ctx, SYSTEM_ACTOR, [
    {
      caseNo: '(2026)甲执300号',
      court: 'A1',
      kind: 'first',
      filedAt: '2026-05-25',
      amountOwed: 5000,
      nodes: [{ type: CODE, startedAt: '2026-05-25' }],
    },
  ]);
};
const node = () =>
  hub.ctx.db.prepare('SELECT due_at, state, next_at FROM flow_nodes').get() as { due_at: number; state: number; next_at: number };
const count = (state: number): number =>
  (
    hub.ctx.db.prepare("SELECT COALESCE(SUM(n), 0) AS n FROM node_state_counts WHERE court_code = 'A1' AND state = ?").get(state) as {
      n: number;
    }
  ).n;
const nodeEvents = () =>
  events
    .filter((e) => e.type.startsWith('node.'))
    .map((e) => {
      const data = e.data as { daysLeft?: number; reminder?: boolean };
      return `${e.type}${data.daysLeft === undefined ? '' : ` D-${data.daysLeft}`}${data.reminder ? ' reminder' : ''}`;
    });
const tickAt = (at: number): void => {
  hub.clock.now = at;
  deadlineEngineOf(hub.ctx.db).tick();
};

describe('graded 临期 reminders', () => {
  it('warns at D-30, reminds at D-15 and D-7 without changing counts, then goes overdue at D', async () => {
    expect((await putType({ remindDays: [15, 7] })).status).toBe(200);
    seed();
    const due = node().due_at;
    const engine = deadlineEngineOf(hub.ctx.db);
    expect(engine.nextAt()).toBe(due - 30 * DAY_MS);
    tickAt(due - 30 * DAY_MS);
    expect(nodeEvents()).toEqual(['node.due_soon D-30']);
    expect(node()).toMatchObject({ state: NodeStateCode.due_soon, next_at: due - 15 * DAY_MS });
    expect(count(NodeStateCode.due_soon)).toBe(1);
    tickAt(due - 15 * DAY_MS - 1);
    expect(nodeEvents()).toHaveLength(1);
    tickAt(due - 15 * DAY_MS);
    expect(node()).toMatchObject({ state: NodeStateCode.due_soon, next_at: due - 7 * DAY_MS });
    tickAt(due - 7 * DAY_MS);
    expect(node()).toMatchObject({ state: NodeStateCode.due_soon, next_at: due });
    expect(count(NodeStateCode.due_soon)).toBe(1);
    tickAt(due);
    expect(nodeEvents()).toEqual(['node.due_soon D-30', 'node.due_soon D-15 reminder', 'node.due_soon D-7 reminder', 'node.overdue']);
    expect(count(NodeStateCode.due_soon)).toBe(0);
    expect(count(NodeStateCode.overdue)).toBe(1);
    expect(engine.nextAt()).toBeNull();
    // The event schema accepts the new fields (and old payloads without them).
    const reminder = events.find((e) => (e.data as { reminder?: boolean }).reminder)!;
    expect(hubEventSchemas['node.due_soon'].parse(reminder.data)).toMatchObject({ daysLeft: 15, reminder: true });
    const { daysLeft: _d, reminder: _r, ...old } = hubEventSchemas['node.due_soon'].parse(reminder.data);
    expect(hubEventSchemas['node.due_soon'].safeParse(old).success).toBe(true);
  });

  it('gives a node imported inside its window only the next reminder', async () => {
    await putType({ remindDays: [15, 7] });
    hub.clock.now = Date.parse('2026-07-14T02:00:00Z'); // about D-10 for a node due 2026-07-24
    seed();
    const due = node().due_at;
    expect(hub.clock.now).toBeGreaterThan(due - 15 * DAY_MS);
    expect(node()).toMatchObject({ state: NodeStateCode.due_soon, next_at: due - 7 * DAY_MS });
    deadlineEngineOf(hub.ctx.db).tick();
    expect(nodeEvents()).toEqual([]);
    tickAt(due - 7 * DAY_MS);
    expect(nodeEvents()).toEqual(['node.due_soon D-7 reminder']);
    expect(count(NodeStateCode.due_soon)).toBe(1);
  });

  it('re-times a 临期 node when the rule changes', async () => {
    await putType({});
    seed();
    const due = node().due_at;
    tickAt(due - 30 * DAY_MS);
    expect(node().next_at).toBe(due);
    hub.clock.now = due - 20 * DAY_MS;
    await hub.relogin();
    const added = await putType({ remindDays: [15, 7] });
    expect(added.body).toMatchObject({ rule: { remindDays: [15, 7] }, recomputed: { nodes: 1, moved: 0 } });
    expect(node()).toMatchObject({ state: NodeStateCode.due_soon, next_at: due - 15 * DAY_MS });
    const got = await hub.request<NodeType>('GET', TYPE_URL, hub.tokens.courtA);
    expect(got.body.rule.remindDays).toEqual([15, 7]);
    await putType({ remindDays: [7] });
    expect(node().next_at).toBe(due - 7 * DAY_MS);
    await putType({ remindDays: [] });
    expect(node().next_at).toBe(due);
    expect(count(NodeStateCode.due_soon)).toBe(1);
  });

  it('keeps the reminders when a deduction period re-times the node', async () => {
    await putType({ remindDays: [15, 7], deductedBy: ['suspension'] });
    seed();
    const due = node().due_at;
    hub.clock.now = due - 12 * DAY_MS;
    await hub.relogin();
    deadlineEngineOf(hub.ctx.db).tick();
    expect(node()).toMatchObject({ state: NodeStateCode.due_soon, next_at: due - 7 * DAY_MS });
    const url = `/api/v1/cases/${encodeURIComponent('(2026)甲执300号')}/deductions`;
    const res = await hub.request('POST', url, hub.tokens.officer, {
      reason: 'suspension',
      startedOn: '2026-06-01',
      endedOn: '2026-06-10',
    });
    expect(res.status).toBe(201);
    const moved = node();
    expect(moved.due_at).toBeGreaterThan(due);
    expect(moved).toMatchObject({ state: NodeStateCode.due_soon, next_at: moved.due_at - 15 * DAY_MS });
  });

  it('refuses bad reminder days with a 400 and changes nothing', async () => {
    await putType({ remindDays: [15, 7] });
    const before = (await hub.request<NodeType>('GET', TYPE_URL, hub.tokens.admin)).body;
    const bad: [unknown, string][] = [
      [[30], 'less than warnDays'],
      [[45], 'less than warnDays'],
      [[-1], 'at least 1'],
      [[0], 'at least 1'],
      [[7, 7], 'duplicate'],
      [[2.5], 'whole days'],
      [[1, 2, 3, 4, 5, 6], 'at most 5'],
    ];
    for (const [remindDays, problem] of bad) {
      const res = await hub.request('PUT', TYPE_URL, hub.tokens.admin, typeBody({ remindDays: remindDays as number[] }));
      expect(res.status, JSON.stringify(remindDays)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(problem);
      expect(JSON.stringify(res.body)).toContain('rule.remindDays');
    }
    expect((await hub.request<NodeType>('GET', TYPE_URL, hub.tokens.admin)).body).toEqual(before);
  });

  it('import and re-timing agree on next_at', () => {
    const rule = { warnDays: 30, remindDays: [7, 15] };
    const due = 100 * DAY_MS;
    for (let day = 60; day <= 101; day++) {
      const now = day * DAY_MS - 1;
      const imported = nodeTiming(due, null, rule, now);
      const retimed = retimedState({ state: imported.state }, { due, base: due, paused: false, active: true, ...rule }, now);
      expect(retimed, `day ${day}`).toEqual(imported);
    }
  });
});
