/** Wall definitions through the API on a real SQLite file, and activation followed over a real WebSocket. */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tourStepAt, wallCanvas, type ScheduleBody, type WallDoc } from '@cc/protocol';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub.js';
import { scheduleInForce, sweepSchedules, windowOpenedAt } from './activation.js';

let hub: TestHub;
afterEach(async () => hub?.close());

// 3 × 4 grid of 1920×1080 monitors, 698.4×392.9 mm visible, 1.75 mm frames (3.5 mm seams).
const GRID = {
  name: '指挥中心主屏',
  layout: {
    kind: 'grid',
    rows: 3,
    cols: 4,
    monitor: { widthPx: 1920, heightPx: 1080, activeWidthMm: 698.4, activeHeightMm: 392.9, bezelMm: 1.75 },
  },
  displays: [
    { displayId: 'HDMI-1', label: '左半屏', rect: { x: 0, y: 0, w: 3850, h: 3250 } },
    { displayId: 'HDMI-2', label: '右半屏', rect: { x: 3850, y: 0, w: 3850, h: 3250 } },
  ],
};
const win = (id: string, x: number, y: number, w: number, h: number, source = { kind: 'device', ref: '34020000001320000001' }) => ({
  id,
  source,
  rect: { x, y, w, h },
});

let clock = Date.parse('2026-11-23T00:30:00Z'); // Monday 08:30 in Beijing
const now = (): number => clock;

async function setUp(): Promise<{ tech: Record<string, string>; officer: Record<string, string>; wallId: string }> {
  clock = Date.parse('2026-11-23T00:30:00Z');
  hub = await startTestHub({ now });
  const admin = await hub.login('admin', ADMIN_PASSWORD);
  await hub.call(
    'POST',
    '/api/v1/courts',
    { code: '110000', name: '北京市高级人民法院', level: 'high', parentCode: null, lat: 39.87, lon: 116.3 },
    admin,
  );
  for (const [username, role] of [
    ['tech', 'technician'],
    ['officer', 'duty_officer'],
    ['viewer', 'viewer'],
  ]) {
    const created = await hub.call(
      'POST',
      '/api/v1/people',
      { username, name: username, role, court: '110000', password: 'wall-pass-1' },
      admin,
    );
    expect(created.status).toBe(201);
  }
  const tech = await hub.login('tech', 'wall-pass-1');
  const wall = await hub.call('POST', '/api/v1/walls', GRID, tech);
  expect(wall.status).toBe(201);
  return { tech, officer: await hub.login('officer', 'wall-pass-1'), wallId: wall.body.id };
}

describe('wall definitions', () => {
  it('computes the canvas of a bezel-compensated grid and an LED wall', () => {
    // Seam: 3.5 mm at 1920 px / 698.4 mm ≈ 10 px horizontally, 3.5 mm at 1080 px / 392.9 mm ≈ 10 px vertically.
    expect(wallCanvas(GRID.layout as never)).toEqual({ width: 4 * 1920 + 3 * 10, height: 3 * 1080 + 2 * 10, gapX: 10, gapY: 10 });
    expect(wallCanvas({ kind: 'led', widthPx: 7680, heightPx: 2160 })).toEqual({ width: 7680, height: 2160, gapX: 0, gapY: 0 });
  });

  it('stores walls and scenes as versioned documents: overlaps allowed, off-canvas rejected, stale versions refused', async () => {
    const { tech, officer, wallId } = await setUp();
    expect((await hub.call('GET', `/api/v1/walls/${wallId}`, undefined, officer)).body.canvas).toMatchObject({ width: 7710, height: 3260 });
    const offCanvasDisplay = { ...GRID, displays: [{ displayId: 'DP-1', rect: { x: 7000, y: 0, w: 1920, h: 1080 } }] };
    expect((await hub.call('POST', '/api/v1/walls', offCanvasDisplay, tech)).body.error.details.issues[0].path).toBe('displays.0.rect');
    expect(
      (await hub.call('POST', '/api/v1/walls', { ...GRID, layout: { kind: 'grid', rows: 0, cols: 4, monitor: GRID.layout.monitor } }, tech))
        .status,
    ).toBe(400);
    expect((await hub.call('POST', '/api/v1/walls', GRID, officer)).status).toBe(403);

    const scene = {
      name: '日常值守',
      windows: [win('map', 0, 0, 5140, 3260, { kind: 'map', ref: '' }), win('cam', 3000, 1000, 1920, 1080)],
    };
    const created = await hub.call('POST', `/api/v1/walls/${wallId}/scenes`, scene, tech);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ wallId, version: 1, updatedBy: 'tech', body: { name: '日常值守' } });
    const sceneId = created.body.id;

    const off = await hub.call(
      'POST',
      `/api/v1/walls/${wallId}/scenes`,
      { name: '越界', windows: [win('a', 0, 0, 10, 10), win('b', 7000, 3000, 1920, 1080)] },
      tech,
    );
    expect(off.status).toBe(400);
    expect(off.body.error.details.issues).toEqual([
      { path: 'windows.1.rect', problem: 'rectangle 7000,3000 1920×1080 leaves the 7710×3260 canvas' },
    ]);
    expect(
      (
        await hub.call(
          'POST',
          `/api/v1/walls/${wallId}/scenes`,
          { name: '重复', windows: [win('a', 0, 0, 10, 10), win('a', 5, 5, 10, 10)] },
          tech,
        )
      ).status,
    ).toBe(400);

    const updated = await hub.call(
      'PUT',
      `/api/v1/walls/${wallId}/scenes/${sceneId}`,
      { version: 1, body: { ...scene, name: '日常值守（新）' } },
      tech,
    );
    expect(updated.body.version).toBe(2);
    const stale = await hub.call('PUT', `/api/v1/walls/${wallId}/scenes/${sceneId}`, { version: 1, body: scene }, tech);
    expect(stale.body.error).toMatchObject({ code: 'conflict', details: { version: 1, current: 2 } });
    const versions = (await hub.call('GET', `/api/v1/walls/${wallId}/scenes/${sceneId}/versions`, undefined, officer)).body.versions;
    expect(versions.map((v: any) => [v.version, v.body.name])).toEqual([
      [1, '日常值守'],
      [2, '日常值守（新）'],
    ]);

    // Shrinking the wall would push the scene off the canvas.
    const small = { ...GRID, layout: { ...GRID.layout, cols: 2 }, displays: [] };
    const shrink = await hub.call('PUT', `/api/v1/walls/${wallId}`, { version: 1, body: small }, tech);
    expect(shrink.body.error.details.issues[0]).toMatchObject({ path: 'layout' });
    expect((await hub.call('GET', `/api/v1/walls/${wallId}`, undefined, tech)).body.version).toBe(1);
    expect((await hub.call('DELETE', `/api/v1/walls/${wallId}`, undefined, tech)).body.error.details.children).toEqual([sceneId]);

    // An empty wall can go; its history keeps a tombstone.
    const spare = (await hub.call('POST', '/api/v1/walls', { ...GRID, name: '备用屏', displays: [] }, tech)).body;
    expect((await hub.call('DELETE', `/api/v1/walls/${spare.id}?version=2`, undefined, tech)).body.error.code).toBe('conflict');
    expect((await hub.call('DELETE', `/api/v1/walls/${spare.id}?version=1`, undefined, tech)).status).toBe(204);
    expect((await hub.call('GET', `/api/v1/walls/${spare.id}`, undefined, tech)).status).toBe(404);
    expect((await hub.call('PUT', `/api/v1/walls/${wallId}`, 'not json', { ...tech, 'content-type': 'application/json' })).status).toBe(
      400,
    );
    expect((await hub.call('PUT', `/api/v1/walls/${wallId}`, { version: 1, body: { name: 'x' } }, tech)).body.error.code).toBe(
      'validation_failed',
    );
  });

  it('checks tours and schedules against the scenes of the same wall, and keeps referenced scenes', async () => {
    const { tech, wallId } = await setUp();
    const scene = (
      await hub.call('POST', `/api/v1/walls/${wallId}/scenes`, { name: '会商', windows: [win('main', 0, 0, 3840, 2160)] }, tech)
    ).body;
    const other = (await hub.call('POST', '/api/v1/walls', { ...GRID, name: '副屏' }, tech)).body;
    const foreign = (await hub.call('POST', `/api/v1/walls/${other.id}/scenes`, { name: '副屏场景', windows: [] }, tech)).body;

    const badTour = { name: '轮巡', steps: [{ kind: 'scene', sceneId: foreign.id, dwellS: 30 }] };
    expect((await hub.call('POST', `/api/v1/walls/${wallId}/tours`, badTour, tech)).body.error.details.issues[0].path).toBe(
      'steps.0.sceneId',
    );
    const noTarget = { name: '轮巡', steps: [{ kind: 'source', source: { kind: 'device', ref: 'x' }, dwellS: 10 }] };
    expect((await hub.call('POST', `/api/v1/walls/${wallId}/tours`, noTarget, tech)).body.error.details.issues[0].path).toBe('target');
    const badWindow = { ...noTarget, target: { sceneId: scene.id, windowId: 'nope' } };
    expect((await hub.call('POST', `/api/v1/walls/${wallId}/tours`, badWindow, tech)).body.error.details.issues[0].path).toBe(
      'target.windowId',
    );
    const tour = await hub.call(
      'POST',
      `/api/v1/walls/${wallId}/tours`,
      { ...noTarget, target: { sceneId: scene.id, windowId: 'main' } },
      tech,
    );
    expect(tour.status).toBe(201);

    const schedule = {
      name: '工作日会商',
      activate: { kind: 'scene', id: foreign.id },
      days: [1, 2, 3, 4, 5],
      start: '09:00',
      end: '10:00',
    };
    expect((await hub.call('POST', `/api/v1/walls/${wallId}/schedules`, schedule, tech)).body.error.details.issues[0].path).toBe(
      'activate.id',
    );
    expect((await hub.call('POST', `/api/v1/walls/${wallId}/schedules`, { ...schedule, start: '25:00' }, tech)).status).toBe(400);
    expect(
      (await hub.call('POST', `/api/v1/walls/${wallId}/schedules`, { ...schedule, activate: { kind: 'scene', id: scene.id } }, tech))
        .status,
    ).toBe(201);

    const used = await hub.call('DELETE', `/api/v1/walls/${wallId}/scenes/${scene.id}`, undefined, tech);
    expect(used.body.error.details.usedBy).toHaveLength(2);
    expect((await hub.call('DELETE', `/api/v1/walls/${other.id}/scenes/${foreign.id}?version=1`, undefined, tech)).status).toBe(204);
    expect((await hub.call('GET', `/api/v1/walls/${other.id}/scenes/${foreign.id}`, undefined, tech)).status).toBe(404);
  });

  it('activates a scene and the wall follows over the event stream', async () => {
    const { tech, officer, wallId } = await setUp();
    const scene = (
      await hub.call('POST', `/api/v1/walls/${wallId}/scenes`, { name: '应急', windows: [win('sos', 0, 0, 1920, 1080)] }, tech)
    ).body;
    const token = officer.authorization!.slice('Bearer '.length);
    const socket = new WebSocket(`${hub.url.replace('http', 'ws')}/api/v1/events?token=${token}`);
    const activated = new Promise<any>((resolve, reject) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type === 'hello') void hub.call('POST', `/api/v1/walls/${wallId}/activate`, { kind: 'scene', id: scene.id }, officer);
        if (frame.type === 'event' && frame.event.type === 'wall.activated') resolve(frame.event);
      });
      socket.on('error', reject);
    });
    const event = await activated;
    socket.close();
    expect(event).toMatchObject({
      court: null,
      data: { wallId, kind: 'scene', id: scene.id, version: 1, by: 'officer', scheduleId: null },
    });
    const state = (await hub.call('GET', `/api/v1/walls/${wallId}/state`, undefined, officer)).body;
    expect(state).toMatchObject({ active: { kind: 'scene', id: scene.id }, activatedBy: 'officer' });
    expect((await hub.call('POST', `/api/v1/walls/${wallId}/activate`, { kind: 'tour', id: scene.id }, officer)).status).toBe(404);
    const viewer = await hub.login('viewer', 'wall-pass-1');
    expect((await hub.call('POST', `/api/v1/walls/${wallId}/activate`, { kind: 'scene', id: scene.id }, viewer)).status).toBe(403);
    expect((await hub.call('DELETE', `/api/v1/walls/${wallId}/scenes/${scene.id}`, undefined, tech)).body.error.details.reason).toBe(
      'active on the wall now',
    );
  });

  it('fires a schedule once when its window opens; a manual change inside the window sticks', async () => {
    const { tech, officer, wallId } = await setUp();
    const day = (await hub.call('POST', `/api/v1/walls/${wallId}/scenes`, { name: '白班', windows: [] }, tech)).body;
    const night = (await hub.call('POST', `/api/v1/walls/${wallId}/scenes`, { name: '夜班', windows: [] }, tech)).body;
    const manual = (await hub.call('POST', `/api/v1/walls/${wallId}/scenes`, { name: '手动', windows: [] }, tech)).body;
    await hub.call(
      'POST',
      `/api/v1/walls/${wallId}/schedules`,
      { name: '白班', activate: { kind: 'scene', id: day.id }, start: '08:00', end: '18:00' },
      tech,
    );
    await hub.call(
      'POST',
      `/api/v1/walls/${wallId}/schedules`,
      { name: '夜班', activate: { kind: 'scene', id: night.id }, start: '18:00', end: '08:00' },
      tech,
    );
    const active = async (): Promise<string> => (await hub.call('GET', `/api/v1/walls/${wallId}/state`, undefined, tech)).body.active?.id;

    expect(sweepSchedules(hub.context)).toBe(1); // Monday 08:30 Beijing: the day scene
    expect(await active()).toBe(day.id);
    await hub.call('POST', `/api/v1/walls/${wallId}/activate`, { kind: 'scene', id: manual.id }, officer);
    clock += 3600_000;
    expect(sweepSchedules(hub.context)).toBe(0);
    expect(await active()).toBe(manual.id);
    clock = Date.parse('2026-11-23T10:00:00Z'); // 18:00 Beijing: the night window opens
    expect(sweepSchedules(hub.context)).toBe(1);
    expect(await active()).toBe(night.id);
    const state = (await hub.call('GET', `/api/v1/walls/${wallId}/state`, undefined, tech)).body;
    expect(state.activatedBy).toBe('系统');
  });

  it('computes schedule windows across midnight, weekdays and priorities', () => {
    const s = (body: Partial<ScheduleBody>, id = 's', priority = 0): WallDoc<ScheduleBody> => ({
      id,
      wallId: 'w',
      version: 1,
      updatedAt: '',
      updatedBy: '',
      body: {
        name: id,
        activate: { kind: 'scene', id: 'x' },
        days: [1, 2, 3, 4, 5],
        start: '22:00',
        end: '06:00',
        utcOffsetMin: 480,
        priority,
        enabled: true,
        ...body,
      },
    });
    const friday23 = Date.parse('2026-11-27T15:00:00Z'); // Friday 23:00 Beijing
    const saturday05 = Date.parse('2026-11-27T21:00:00Z'); // Saturday 05:00 Beijing: still Friday's night window
    const saturday23 = Date.parse('2026-11-28T15:00:00Z');
    expect(windowOpenedAt(s({}).body, friday23)).toBe(Date.parse('2026-11-27T14:00:00Z'));
    expect(windowOpenedAt(s({}).body, saturday05)).toBe(Date.parse('2026-11-27T14:00:00Z'));
    expect(windowOpenedAt(s({}).body, saturday23)).toBeUndefined();
    expect(windowOpenedAt(s({ enabled: false }).body, friday23)).toBeUndefined();
    const chosen = scheduleInForce([s({}, 'low'), s({ start: '00:00', end: '23:59', days: [5] }, 'high', 5)], friday23);
    expect(chosen?.schedule.id).toBe('high');
  });
  it('tells every wall window the same tour step from the activation time', () => {
    const steps = [10, 20, 30].map((dwellS, i) => ({ kind: 'scene' as const, sceneId: `s${i}`, dwellS }));
    const t0 = Date.parse('2026-11-21T08:00:00Z');
    expect(tourStepAt({ steps, loop: true }, t0, t0)).toEqual({ index: 0, endsAt: t0 + 10_000 });
    expect(tourStepAt({ steps, loop: true }, t0, t0 + 29_999)).toEqual({ index: 1, endsAt: t0 + 30_000 });
    expect(tourStepAt({ steps, loop: true }, t0, t0 + 65_000)).toEqual({ index: 0, endsAt: t0 + 70_000 });
    expect(tourStepAt({ steps, loop: false }, t0, t0 + 59_999)?.index).toBe(2);
    expect(tourStepAt({ steps, loop: false }, t0, t0 + 60_000)).toBeNull();
  });
});
