/** Duty through the API on a real SQLite file: posts, roster, shifts, roll call, handover, duty log. */
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub.js';
import { sweepRollCalls } from './roll-calls.js';

let hub: TestHub;
afterEach(async () => hub?.close());

let clock = Date.parse('2026-11-21T08:00:00Z');
const now = (): number => clock;

const COURTS = [
  { code: '110000', name: '北京市高级人民法院', level: 'high', parentCode: null, lat: 39.87, lon: 116.3 },
  { code: '110101', name: '北京市东城区人民法院', level: 'basic', parentCode: '110000', lat: 39.92, lon: 116.42 },
  { code: '110102', name: '北京市西城区人民法院', level: 'basic', parentCode: '110000', lat: 39.92, lon: 116.37 },
];

interface World {
  admin: Record<string, string>;
  officerA: Record<string, string>;
  officerB: Record<string, string>;
  dcUser: Record<string, string>;
  ids: Record<string, string>;
  centrePost: string;
  dcPost: string;
  xcPost: string;
}

async function world(): Promise<World> {
  clock = Date.parse('2026-11-21T08:00:00Z');
  hub = await startTestHub({ now });
  const admin = await hub.login('admin', ADMIN_PASSWORD);
  for (const court of COURTS) expect((await hub.call('POST', '/api/v1/courts', court, admin)).status).toBe(201);
  const ids: Record<string, string> = {};
  const people = [
    { username: 'officer-a', name: '值班员甲', role: 'duty_officer', court: '110000' },
    { username: 'officer-b', name: '值班员乙', role: 'duty_officer', court: '110000' },
    { username: 'dc-user', name: '东城值班', role: 'court_user', court: '110101' },
    { username: 'xc-user', name: '西城值班', role: 'court_user', court: '110102' },
  ];
  for (const p of people) {
    const created = await hub.call('POST', '/api/v1/people', { ...p, password: 'duty-pass-1' }, admin);
    expect(created.status).toBe(201);
    ids[p.username] = created.body.id;
  }
  const post = async (name: string, court: string): Promise<string> => {
    const created = await hub.call('POST', '/api/v1/duty/posts', { name, court }, admin);
    expect(created.status).toBe(201);
    return created.body.id;
  };
  return {
    admin,
    officerA: await hub.login('officer-a', 'duty-pass-1'),
    officerB: await hub.login('officer-b', 'duty-pass-1'),
    dcUser: await hub.login('dc-user', 'duty-pass-1'),
    ids,
    centrePost: await post('指挥中心调度席', '110000'),
    dcPost: await post('东城法院值班室', '110101'),
    xcPost: await post('西城法院值班室', '110102'),
  };
}

describe('duty', () => {
  it('keeps a roster, refuses overlaps and bad times, and scopes it to the court', async () => {
    const w = await world();
    const entry = {
      postId: w.centrePost,
      personId: w.ids['officer-a'],
      startsAt: '2026-11-21T08:00:00+08:00',
      endsAt: '2026-11-21T20:00:00+08:00',
    };
    const created = await hub.call('POST', '/api/v1/duty/roster', entry, w.officerA);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      personName: '值班员甲',
      startsAt: '2026-11-21T00:00:00.000Z',
      endsAt: '2026-11-21T12:00:00.000Z',
    });

    const overlap = await hub.call(
      'POST',
      '/api/v1/duty/roster',
      { ...entry, postId: w.dcPost, startsAt: '2026-11-21T19:00:00+08:00', endsAt: '2026-11-22T08:00:00+08:00' },
      w.admin,
    );
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.details.overlaps).toEqual([created.body.id]);
    const backwards = await hub.call('POST', '/api/v1/duty/roster', { ...entry, endsAt: '2026-11-21T07:00:00+08:00' }, w.admin);
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details.issues[0].path).toBe('endsAt');
    const unknown = await hub.call(
      'POST',
      '/api/v1/duty/roster',
      { ...entry, personId: 'nobody', startsAt: '2026-11-23T08:00:00Z', endsAt: '2026-11-23T09:00:00Z' },
      w.admin,
    );
    expect(unknown.body.error).toMatchObject({ code: 'validation_failed', details: { unknownPerson: 'nobody' } });
    expect((await hub.call('POST', '/api/v1/duty/roster', { ...entry, extra: 1 }, w.admin)).status).toBe(400);
    // A court user may not plan the centre's roster, and sees only its court's posts and roster.
    expect((await hub.call('POST', '/api/v1/duty/roster', entry, w.dcUser)).status).toBe(403);
    expect((await hub.call('GET', '/api/v1/duty/roster', undefined, w.dcUser)).body.entries).toEqual([]);
    expect((await hub.call('GET', '/api/v1/duty/posts', undefined, w.dcUser)).body.posts.map((p: any) => p.id)).toEqual([w.dcPost]);

    const day = await hub.call('GET', '/api/v1/duty/roster?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z', undefined, w.officerB);
    expect(day.body.entries).toHaveLength(1);
    expect((await hub.call('DELETE', `/api/v1/duty/roster/${created.body.id}`, undefined, w.officerB)).status).toBe(204);
    expect((await hub.call('GET', '/api/v1/duty/roster', undefined, w.officerB)).body.entries).toEqual([]);
    const actions = hub.context.audit.list({ limit: 1000 }).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['duty.roster.create', 'duty.roster.delete']));
  });

  it('signs in and out at a post, once at a time, only at the own court; shows who is rostered but missing', async () => {
    const w = await world();
    const shift = { postId: w.centrePost, personId: w.ids['officer-a'], startsAt: '2026-11-21T07:00:00Z', endsAt: '2026-11-21T19:00:00Z' };
    expect((await hub.call('POST', '/api/v1/duty/roster', shift, w.officerB)).status).toBe(201);
    const before = (await hub.call('GET', '/api/v1/duty/on-duty', undefined, w.officerB)).body;
    expect(before.missing.map((e: any) => e.personName)).toEqual(['值班员甲']);
    expect((await hub.call('GET', '/api/v1/duty/on-duty', undefined, w.dcUser)).body.missing).toEqual([]);
    const signIn = await hub.call('POST', '/api/v1/duty/sign-in', { postId: w.centrePost }, w.officerA);
    expect(signIn.status).toBe(201);
    expect(signIn.body).toMatchObject({
      postId: w.centrePost,
      personName: '值班员甲',
      signedInAt: '2026-11-21T08:00:00.000Z',
      signedOutAt: null,
    });
    expect((await hub.call('POST', '/api/v1/duty/sign-in', { postId: w.centrePost }, w.officerA)).body.error.code).toBe('conflict');
    expect((await hub.call('POST', '/api/v1/duty/sign-in', { postId: w.xcPost }, w.dcUser)).status).toBe(403);
    expect((await hub.call('POST', '/api/v1/duty/sign-in', { postId: 'nope' }, w.dcUser)).status).toBe(404);
    const during = (await hub.call('GET', '/api/v1/duty/on-duty', undefined, w.officerB)).body;
    expect(during.shifts).toHaveLength(1);
    expect(during.missing).toEqual([]);

    clock += 3600_000;
    const out = await hub.call('POST', '/api/v1/duty/sign-out', { postId: w.centrePost }, w.officerA);
    expect(out.body.signedOutAt).toBe('2026-11-21T09:00:00.000Z');
    expect((await hub.call('POST', '/api/v1/duty/sign-out', { postId: w.centrePost }, w.officerA)).body.error.code).toBe('out_of_order');
    expect((await hub.call('GET', '/api/v1/duty/on-duty', undefined, w.officerB)).body.shifts).toEqual([]);
  });

  it('runs a roll call of posts: on time, late and absent are recorded; answering needs someone on duty', async () => {
    const w = await world();
    const xcUser = await hub.login('xc-user', 'duty-pass-1');
    await hub.call('POST', '/api/v1/duty/sign-in', { postId: w.dcPost }, w.dcUser);
    await hub.call('POST', '/api/v1/duty/sign-in', { postId: w.xcPost }, xcUser);
    const started = await hub.call(
      'POST',
      '/api/v1/duty/roll-calls',
      { postIds: [w.dcPost, w.xcPost, w.centrePost], answerWithinS: 60 },
      w.officerA,
    );
    expect(started.status).toBe(201);
    const id = started.body.id;
    expect(started.body.posts.map((p: any) => p.status)).toEqual(['pending', 'pending', 'pending']);
    expect((await hub.call('POST', '/api/v1/duty/roll-calls', { postIds: [w.dcPost, w.dcPost] }, w.officerA)).status).toBe(400);
    expect((await hub.call('POST', '/api/v1/duty/roll-calls', { postIds: [w.dcPost], answerWithinS: 1 }, w.officerA)).status).toBe(400);

    clock += 30_000;
    expect((await hub.call('POST', `/api/v1/duty/roll-calls/${id}/answer`, { postId: w.dcPost }, w.dcUser)).body.posts[0].status).toBe(
      'answered',
    );
    expect((await hub.call('POST', `/api/v1/duty/roll-calls/${id}/answer`, { postId: w.dcPost }, w.dcUser)).body.error.code).toBe(
      'conflict',
    );
    // Nobody is signed in at the centre's post: the admin cannot answer for it.
    const notOnDuty = await hub.call('POST', `/api/v1/duty/roll-calls/${id}/answer`, { postId: w.centrePost }, w.admin);
    expect(notOnDuty.body.error).toMatchObject({ code: 'forbidden', details: { reason: 'not on duty at this post' } });

    clock += 60_000; // past the deadline: late
    expect(sweepRollCalls(hub.context)).toBe(0);
    const late = await hub.call('POST', `/api/v1/duty/roll-calls/${id}/answer`, { postId: w.xcPost }, xcUser);
    expect(late.body.posts[1]).toMatchObject({ status: 'late', answeredAt: '2026-11-21T08:01:30.000Z' });

    clock += 60_000; // one more window: the sweeper closes it, the silent post is absent
    expect(sweepRollCalls(hub.context)).toBe(1);
    const closed = await hub.call('GET', `/api/v1/duty/roll-calls/${id}`, undefined, w.officerB);
    expect(closed.body.closedAt).toBe('2026-11-21T08:02:30.000Z');
    expect(closed.body.posts.map((p: any) => p.status)).toEqual(['answered', 'late', 'absent']);
    expect((await hub.call('POST', `/api/v1/duty/roll-calls/${id}/close`, undefined, w.officerB)).body.error.code).toBe('out_of_order');
    expect((await hub.call('GET', '/api/v1/duty/roll-calls/nope', undefined, w.officerB)).status).toBe(404);
    // A court user sees only its own post of the roll call.
    const seen = (await hub.call('GET', '/api/v1/duty/roll-calls', undefined, w.dcUser)).body.rollCalls;
    expect(seen.map((c: any) => [c.id, c.posts.map((p: any) => p.postId)])).toEqual([[id, [w.dcPost]]]);
    expect((await hub.call('GET', `/api/v1/duty/roll-calls/${id}`, undefined, w.dcUser)).body.posts).toHaveLength(1);
    const closeEntry = hub.context.audit.list({ target: `duty_roll_call:${id}`, limit: 10 }).at(-1);
    expect(closeEntry).toMatchObject({ action: 'duty.roll_call.close', actor: { id: 'system' } });
  });

  it('hands a post over with open items: accepting swaps the shifts; only the incoming officer decides', async () => {
    const w = await world();
    await hub.call('POST', '/api/v1/duty/sign-in', { postId: w.centrePost }, w.officerA);
    const items = [{ text: '东城法院SOS告警待回访', ref: 'incident:42' }, { text: '西城督办单明日到期' }];
    const offer = { postId: w.centrePost, toPersonId: w.ids['officer-b'], items, notes: '夜间平稳' };
    expect((await hub.call('POST', '/api/v1/duty/handovers', offer, w.officerB)).body.error.details.reason).toBe(
      'not on duty at this post',
    );
    expect((await hub.call('POST', '/api/v1/duty/handovers', { ...offer, toPersonId: w.ids['officer-a'] }, w.officerA)).status).toBe(400);
    const offered = await hub.call('POST', '/api/v1/duty/handovers', offer, w.officerA);
    expect(offered.status).toBe(201);
    expect(offered.body).toMatchObject({ status: 'offered', items });
    expect((await hub.call('POST', '/api/v1/duty/handovers', offer, w.officerA)).status).toBe(409);
    expect((await hub.call('POST', `/api/v1/duty/handovers/${offered.body.id}/decide`, { accept: true }, w.officerA)).status).toBe(403);

    clock += 60_000;
    const accepted = await hub.call('POST', `/api/v1/duty/handovers/${offered.body.id}/decide`, { accept: true }, w.officerB);
    expect(accepted.body).toMatchObject({ status: 'accepted', decidedAt: '2026-11-21T08:01:00.000Z' });
    const shifts = (await hub.call('GET', '/api/v1/duty/on-duty', undefined, w.admin)).body.shifts;
    expect(shifts.map((s: any) => s.personName)).toEqual(['值班员乙']);
    expect(
      (await hub.call('POST', `/api/v1/duty/handovers/${offered.body.id}/decide`, { accept: false }, w.officerB)).body.error.code,
    ).toBe('out_of_order');
    expect((await hub.call('GET', '/api/v1/duty/handovers?status=accepted', undefined, w.admin)).body.handovers).toHaveLength(1);

    // Declining leaves the shifts as they are.
    const back = await hub.call('POST', '/api/v1/duty/handovers', { postId: w.centrePost, toPersonId: w.ids['officer-a'] }, w.officerB);
    const declined = await hub.call(
      'POST',
      `/api/v1/duty/handovers/${back.body.id}/decide`,
      { accept: false, reason: '身体不适' },
      w.officerA,
    );
    expect(declined.body.status).toBe('declined');
    expect((await hub.call('GET', '/api/v1/duty/on-duty', undefined, w.admin)).body.shifts.map((s: any) => s.personName)).toEqual([
      '值班员乙',
    ]);
    expect(hub.context.audit.list({ target: `duty_handover:${back.body.id}`, limit: 10 }).at(-1)).toMatchObject({
      action: 'duty.handover.decline',
      after: { reason: '身体不适' },
    });
  });

  it('keeps the duty log with who/when, refuses future times and other courts, and streams it as events', async () => {
    const w = await world();
    const entry = await hub.call(
      'POST',
      '/api/v1/duty/log',
      { postId: w.centrePost, kind: 'call', text: '接东城法院电话：执行现场需支援' },
      w.officerA,
    );
    expect(entry.status).toBe(201);
    expect(entry.body).toMatchObject({ court: '110000', authorName: '值班员甲', at: '2026-11-21T08:00:00.000Z', kind: 'call' });
    const backdated = await hub.call(
      'POST',
      '/api/v1/duty/log',
      { text: '补记：交班前巡查设备正常', at: '2026-11-21T07:30:00+08:00', kind: 'equipment' },
      w.dcUser,
    );
    expect(backdated.body).toMatchObject({ court: '110101', at: '2026-11-20T23:30:00.000Z', recordedAt: '2026-11-21T08:00:00.000Z' });

    const before = hub.context.audit.verify().entries;
    expect((await hub.call('POST', '/api/v1/duty/log', { text: 'x', at: '2026-11-22T08:00:00Z' }, w.officerA)).body.error.details).toEqual({
      at: 'in the future',
    });
    expect((await hub.call('POST', '/api/v1/duty/log', { text: '' }, w.officerA)).status).toBe(400);
    expect((await hub.call('POST', '/api/v1/duty/log', { text: 'x', kind: 'gossip' }, w.officerA)).status).toBe(400);
    expect((await hub.call('POST', '/api/v1/duty/log', { text: 'x', court: '110102' }, w.dcUser)).status).toBe(403);
    expect((await hub.call('POST', '/api/v1/duty/log', { text: 'x', court: '999999' }, w.officerA)).body.error.details).toEqual({
      unknownCourt: '999999',
    });
    expect(hub.context.audit.verify().entries).toBe(before);

    expect((await hub.call('GET', '/api/v1/duty/log', undefined, w.dcUser)).body.entries.map((e: any) => e.id)).toEqual([
      backdated.body.id,
    ]);
    expect((await hub.call('GET', '/api/v1/duty/log?court=110000', undefined, w.dcUser)).status).toBe(403);
    const all = (await hub.call('GET', `/api/v1/duty/log?after=${entry.body.id}`, undefined, w.officerB)).body.entries;
    expect(all.map((e: any) => e.id)).toEqual([backdated.body.id]);
    const events = hub.context.events.since(0)!.filter((e) => e.type === 'duty.log');
    expect(events.map((e) => [e.court, (e.data as any).entryId])).toEqual([
      ['110000', entry.body.id],
      ['110101', backdated.body.id],
    ]);
  });
});
