import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HubEventEnvelope } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { importCases } from '../cases/import.js';
import { startTestHub, type TestHub } from '../cases/test-support.js';
import { DAY_MS } from './calendar.js';
import { deadlineEngineOf } from './index.js';

let hub: TestHub;
let events: HubEventEnvelope[];
beforeEach(async () => {
  hub = await startTestHub();
  events = [];
  hub.ctx.events.subscribe((batch) => events.push(...batch));
});
afterEach(async () => {
  vi.useRealTimers();
  await hub.close();
});

// Started 2026-05-25 (China day), 10 days → due at the end of 2026-06-04 (China) = 2026-06-04T16:00Z; 临期 from 3 days before.
const seed = (): void => {
  importCases(hub.ctx, SYSTEM_ACTOR, [
    {
      caseNo: '(2026)甲执100号',
      court: 'A1',
      kind: 'first',
      filedAt: '2026-05-25',
      amountOwed: 5000,
      nodes: [{ type: 'enforcement_notice', startedAt: '2026-05-25' }],
    },
  ]);
};
const DUE = Date.parse('2026-06-04T16:00:00Z');
const nodeEvents = (): string[] => events.filter((e) => e.type.startsWith('node.')).map((e) => `${e.type}@${e.court}`);
const overdueCount = (): number =>
  (
    hub.ctx.db.prepare("SELECT COALESCE(SUM(n), 0) AS n FROM node_state_counts WHERE court_code = 'A1' AND state = 2").get() as {
      n: number;
    }
  ).n;

describe('deadline engine (injected clock)', () => {
  it('raises 临期 then 超期 exactly when each moment passes, once', () => {
    seed();
    const engine = deadlineEngineOf(hub.ctx.db);
    expect(engine.nextAt()).toBe(DUE - 3 * DAY_MS);
    hub.clock.now = DUE - 3 * DAY_MS - 1;
    engine.tick();
    expect(nodeEvents()).toEqual([]);
    hub.clock.now = DUE - 3 * DAY_MS;
    engine.tick();
    expect(nodeEvents()).toEqual(['node.due_soon@A1']);
    expect(engine.nextAt()).toBe(DUE);
    hub.clock.now = DUE - 1;
    engine.tick();
    expect(nodeEvents()).toHaveLength(1);
    hub.clock.now = DUE;
    engine.tick();
    expect(nodeEvents()).toEqual(['node.due_soon@A1', 'node.overdue@A1']);
    expect(engine.nextAt()).toBeNull();
    expect(overdueCount()).toBe(1);
    hub.clock.now = DUE + 10 * DAY_MS;
    engine.tick();
    expect(nodeEvents()).toHaveLength(2);
  });

  it('fires on its own timer, without being asked', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    seed(); // the import's event re-arms the timer for the 临期 time
    hub.clock.now = DUE - 3 * DAY_MS - 40_000;
    deadlineEngineOf(hub.ctx.db).schedule();
    hub.clock.now += 40_000;
    await vi.advanceTimersByTimeAsync(40_000);
    expect(nodeEvents()).toEqual(['node.due_soon@A1']);
  });

  it('a node imported already past due is counted overdue without a flood of events; completing it clears the count', async () => {
    hub.clock.now = DUE + DAY_MS;
    await hub.relogin();
    seed();
    expect(overdueCount()).toBe(1);
    deadlineEngineOf(hub.ctx.db).tick();
    expect(nodeEvents()).toEqual([]);
    const { body } = await hub.request<{ nodes: { id: number }[] }>(
      'GET',
      `/api/v1/cases/${encodeURIComponent('(2026)甲执100号')}`,
      hub.tokens.courtA,
    );
    const id = body.nodes[0]?.id;
    const done = await hub.request(
      'POST',
      `/api/v1/cases/${encodeURIComponent('(2026)甲执100号')}/nodes/${id}/complete`,
      hub.tokens.courtA,
      {},
    );
    expect(done.status).toBe(200);
    expect(overdueCount()).toBe(0);
  });

  it('answers its status and runs a tick on an admin request', async () => {
    seed();
    const status = await hub.request<{ nextAt: string }>('GET', '/api/v1/deadlines/status', hub.tokens.courtA);
    expect(status.body.nextAt).toBe(new Date(DUE - 3 * DAY_MS).toISOString());
    expect((await hub.request('POST', '/api/v1/deadlines/tick', hub.tokens.officer)).status).toBe(403);
    hub.clock.now = DUE - 3 * DAY_MS;
    await hub.relogin();
    const tick = await hub.request<{ handled: Record<string, number> }>('POST', '/api/v1/deadlines/tick', hub.tokens.admin);
    expect(tick.body.handled).toEqual({ nodes: 1 });
    expect(nodeEvents()).toEqual(['node.due_soon@A1']);
  });

  it('works off a backlog in slices', () => {
    const records = Array.from({ length: 30 }, (_, i) => ({
      caseNo: `(2026)甲执${200 + i}号`,
      court: 'A1',
      kind: 'first',
      filedAt: '2026-05-25',
      amountOwed: 1,
      nodes: [{ type: 'enforcement_notice', startedAt: '2026-05-25' }],
    }));
    importCases(hub.ctx, SYSTEM_ACTOR, records);
    const engine = deadlineEngineOf(hub.ctx.db) as unknown as { batch: number; tick: () => { handled: Record<string, number> } };
    engine.batch = 20;
    hub.clock.now = DUE;
    expect(engine.tick().handled.nodes).toBe(20);
    expect(engine.tick().handled.nodes).toBe(10);
    expect(nodeEvents().filter((e) => e.startsWith('node.overdue'))).toHaveLength(30);
  });
});
