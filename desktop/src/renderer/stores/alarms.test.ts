import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Incident } from '@cc/protocol';
import { fakeHub } from '../testing/fake-hub';
import type { Route } from '../testing/fakes';
import { sampleAlarm, sampleIncident } from '../testing/samples';
import { useAlarmsStore } from './alarms';
import { applyIncidentUpdated, activeIncidents, mergeSummaries } from './alarms-model';
import { sessionDeps } from './session';

const flush = () => new Promise((r) => setTimeout(r, 0));

/** A 结案 entry on an incident's timeline. */
const closeEntry = (id: number, at: string) =>
  ({ id, at, kind: 'closed', actorId: 'p', actorName: 'n', note: '已处置', data: {} }) as const;

/** `listHeld`: the active list is read when requested but answered only when the promise settles. */
function setup(incidents: Record<string, Incident>, listHeld?: Promise<void>) {
  const route: Route = (r) => {
    if (r.path.startsWith('/api/v1/incidents?')) {
      // As the hub lists them: the latest alarm and the count, no timeline.
      const list = Object.values(incidents).map(({ alarms, timeline: _t, ...summary }) => ({
        ...summary,
        alarmCount: alarms.length,
        latestAlarm: alarms.at(-1) ?? null,
      }));
      const answer = { status: 200, body: { incidents: list } };
      return listHeld ? listHeld.then(() => answer) : answer;
    }
    const action = /^\/api\/v1\/incidents\/([^/]+)\/actions$/.exec(r.path);
    if (action && r.method === 'POST') {
      const id = action[1]!;
      const known = incidents[id];
      if (!known) return undefined;
      const kind = (r.body as { kind: string }).kind;
      const entry = {
        id: known.timeline.length + 1,
        at: '2026-11-21T10:01:00.000Z',
        kind: kind === 'acknowledge' ? 'acknowledged' : 'note',
        actorId: 'p1',
        actorName: '王值班',
        note: '',
        data: {},
      } as const;
      incidents[id] = { ...known, status: kind === 'acknowledge' ? 'acknowledged' : known.status, timeline: [...known.timeline, entry] };
      return { status: 200, body: incidents[id] };
    }
    const one = /^\/api\/v1\/incidents\/([^/?]+)$/.exec(r.path);
    if (one) return incidents[one[1]!] ? { status: 200, body: incidents[one[1]!] } : undefined;
    return undefined;
  };
  const hub = fakeHub(route);
  const alarms = useAlarmsStore();
  const stop = alarms.follow();
  hub.connect();
  return { ...hub, alarms, stop };
}

describe('alarms store', () => {
  beforeEach(() => {
    sessionDeps.fetchImpl = undefined;
  });

  it('loads the active list on the first hello in one request (latest alarm and count per incident); the timeline comes on select', async () => {
    const { alarms, hello, requests } = setup({
      i1: sampleIncident(),
      i2: sampleIncident({
        id: 'i2',
        priority: 1,
        alarms: [sampleAlarm({ id: 'a2', incidentId: 'i2' }), sampleAlarm({ id: 'a3', incidentId: 'i2', kind: 'geofence' })],
      }),
    });
    hello();
    await vi.waitFor(() => expect(alarms.active.map((i) => i.id)).toEqual(['i2', 'i1']));
    expect(alarms.active[0]).toMatchObject({ alarmCount: 2, alarms: [{ id: 'a3', kind: 'geofence' }], timeline: [] });
    expect(requests.filter((r) => r.path.startsWith('/api/v1/incidents')).map((r) => r.path)).toEqual([
      expect.stringMatching(/^\/api\/v1\/incidents\?/),
    ]);
    alarms.select('i1');
    await vi.waitFor(() => expect(alarms.selected?.timeline.map((e) => e.kind)).toEqual(['raised']));
    expect(alarms.selected?.alarmCount).toBe(1);
  });

  it('shows a raised alarm at once, rings it, and applies the incident’s updates live', async () => {
    const incidents: Record<string, Incident> = {};
    const { alarms, hello, event } = setup(incidents);
    hello();
    await flush();
    const alarm = sampleAlarm({ incidentId: 'i9', id: 'a9', description: '单兵紧急求助' });
    incidents.i9 = sampleIncident({ id: 'i9', title: '单兵紧急求助', alarms: [alarm] });
    event('alarm.raised', { alarm, newIncident: true }, { at: alarm.receivedAt });
    expect(alarms.active.map((i) => i.title)).toEqual(['单兵紧急求助']);
    expect(alarms.popup?.id).toBe('i9');
    expect(alarms.raisedCount).toBe(1);
    const entry = {
      id: 2,
      at: '2026-11-21T10:02:00.000Z',
      kind: 'acknowledged',
      actorId: 'p2',
      actorName: '李值班',
      note: '',
      data: {},
    } as const;
    event('incident.updated', { incidentId: 'i9', status: 'acknowledged', entry }, { at: entry.at });
    await vi.waitFor(() => expect(alarms.incidents.i9!.timeline.map((e) => e.kind)).toEqual(['raised', 'acknowledged']));
    expect(alarms.incidents.i9!.status).toBe('acknowledged');
    // Acknowledged elsewhere: the pop-up stops ringing here too.
    expect(alarms.popup).toBeUndefined();
  });

  it('keeps ringing an SOS raised while the active list was on its way, and keeps a close heard meanwhile', async () => {
    let answerList = (): void => undefined;
    const held = new Promise<void>((r) => (answerList = r));
    const incidents: Record<string, Incident> = { i1: sampleIncident({ id: 'i1', priority: 1 }) };
    const { alarms, hello, event, requests } = setup(incidents, held);
    hello();
    await vi.waitFor(() => expect(requests.some((r) => r.path.startsWith('/api/v1/incidents?'))).toBe(true));
    // The list was read with i1 open and without i9; then the SOS is raised and i1 closed elsewhere.
    const alarm = sampleAlarm({ incidentId: 'i9', id: 'a9', description: '单兵紧急求助' });
    incidents.i9 = sampleIncident({ id: 'i9', priority: 1, alarms: [alarm] });
    event('alarm.raised', { alarm, newIncident: true }, { at: alarm.receivedAt });
    const close = closeEntry(7, '2026-11-21T10:06:00.000Z');
    incidents.i1 = {
      ...incidents.i1!,
      status: 'closed',
      closedAt: close.at,
      result: close.note,
      timeline: [...incidents.i1!.timeline, close],
    };
    event('incident.updated', { incidentId: 'i1', status: 'closed', entry: close }, { at: close.at });
    expect(alarms.popup?.id).toBe('i9');
    answerList();
    await vi.waitFor(() => expect(alarms.loading).toBe(false));
    await flush();
    expect(alarms.popup?.id).toBe('i9');
    expect(alarms.ringing).toEqual(['i9']);
    expect(alarms.active.map((i) => i.id)).toEqual(['i9']);
  });

  it('rings an SOS nobody acknowledged before this console connected, but not one this officer dismissed, after a resync', async () => {
    const { alarms, hello, socket } = setup({
      i1: sampleIncident(),
      i2: sampleIncident({ id: 'i2', priority: 1, openedAt: '2026-11-21T10:05:00.000Z' }),
      i3: sampleIncident({ id: 'i3', priority: 1, openedAt: '2026-11-21T10:03:00.000Z' }),
      i4: sampleIncident({ id: 'i4', priority: 1, status: 'acknowledged' }),
    });
    hello();
    // Priority-1 and still open: oldest first; the priority-2 and the acknowledged ones stay quiet.
    await vi.waitFor(() => expect(alarms.ringing).toEqual(['i3', 'i2']));
    expect(alarms.raisedCount).toBe(0);
    alarms.dismiss('i3');
    socket().frame({ type: 'resync', seq: 5 });
    await vi.waitFor(() => expect(alarms.loading).toBe(false));
    await flush();
    expect(alarms.ringing).toEqual(['i2']);
  });

  it('sends the officer’s action with the token and shows the hub’s answer', async () => {
    const { alarms, hello, requests } = setup({ i1: sampleIncident() });
    hello();
    await vi.waitFor(() => expect(alarms.incidents.i1).toBeDefined());
    alarms.select('i1');
    await vi.waitFor(() => expect(alarms.incidents.i1?.timeline).toHaveLength(1));
    await alarms.act('i1', { kind: 'acknowledge', note: '' });
    const post = requests.find((r) => r.method === 'POST');
    expect(post).toMatchObject({
      path: '/api/v1/incidents/i1/actions',
      authorization: 'Bearer tok',
      body: { kind: 'acknowledge', note: '' },
    });
    expect(alarms.selected?.status).toBe('acknowledged');
    expect(alarms.actionError).toBeNull();
  });

  it('forgets every incident when it stops following (sign-out), so the next user starts clean', async () => {
    const { alarms, hello, stop } = setup({ i1: sampleIncident() });
    hello();
    await vi.waitFor(() => expect(alarms.active).toHaveLength(1));
    alarms.select('i1');
    stop();
    expect([alarms.active, alarms.selected, alarms.ringing]).toEqual([[], undefined, []]);
  });

  it('keeps state unchanged and shows the error when an action is refused', async () => {
    const { alarms, hello } = setup({ i1: sampleIncident() });
    hello();
    await vi.waitFor(() => expect(alarms.incidents.i1).toBeDefined());
    const before = JSON.stringify(alarms.incidents);
    expect(await alarms.act('missing', { kind: 'note', note: 'x' })).toBeUndefined();
    expect(alarms.actionError?.code).toBe('not_found');
    expect(JSON.stringify(alarms.incidents)).toBe(before);
  });
});

describe('alarms model', () => {
  it('ignores an update already applied and closes with the result', () => {
    const map = { i1: sampleIncident() };
    const entry = { id: 1, at: 'x', kind: 'raised', actorId: 'p', actorName: 'n', note: '', data: {} } as const;
    expect(applyIncidentUpdated(map, { incidentId: 'i1', status: 'open', entry })!.i1!.timeline).toHaveLength(1);
    const close = closeEntry(5, '2026-11-21T11:00:00.000Z');
    const closed = applyIncidentUpdated(map, { incidentId: 'i1', status: 'closed', entry: close })!;
    expect(closed.i1).toMatchObject({ status: 'closed', closedAt: close.at, result: '已处置' });
    expect(activeIncidents(closed)).toEqual([]);
    expect(applyIncidentUpdated(map, { incidentId: 'nope', status: 'open', entry })).toBeUndefined();
  });

  it('merges summaries: details kept with the latest alarm added, new ones shown from their latest alarm, the selected one kept after it left the list', () => {
    const held = sampleIncident();
    const newer = sampleAlarm({ id: 'a7', kind: 'geofence' });
    const { alarms: _a, timeline: _t, ...heldSummary } = held;
    const next = mergeSummaries(
      { i1: held, gone: sampleIncident({ id: 'gone' }) },
      [
        { ...heldSummary, status: 'acknowledged', alarmCount: 2, latestAlarm: newer },
        {
          id: 'i3',
          status: 'open',
          title: 't',
          court: null,
          priority: 3,
          openedAt: 'x',
          closedAt: null,
          result: null,
          alarmCount: 1,
          latestAlarm: sampleAlarm({ id: 'a3', incidentId: 'i3' }),
        },
      ],
      'gone',
    );
    expect(next.i1).toMatchObject({ status: 'acknowledged', alarmCount: 2, timeline: held.timeline });
    expect(next.i1!.alarms.map((a) => a.id)).toEqual(['a1', 'a7']);
    expect(next.i3).toMatchObject({ alarmCount: 1, timeline: [] });
    expect(next.i3!.alarms.map((a) => a.id)).toEqual(['a3']);
    expect(Object.keys(next).sort()).toEqual(['gone', 'i1', 'i3']);
  });
});
