import { describe, expect, it, vi } from 'vitest';
import { fakeHub } from '../testing/fake-hub';
import type { Route } from '../testing/fakes';
import { useWallStore } from './wall';

const doc = (id: string, name: string, wallId: string | null = 'w1') => ({
  id,
  wallId,
  version: 1,
  updatedAt: 'x',
  updatedBy: 'y',
  body: { name },
});

/** The hub: walls w1 and w2, scene s1 active on w1; `held` answers a path only when its promise settles. */
function followingWall(held: Record<string, Promise<void>> = {}) {
  const route: Route = (r) => {
    if (r.path === '/api/v1/walls') return { status: 200, body: { walls: [doc('w1', '指挥大厅', null), doc('w2', '会商室', null)] } };
    if (r.path === '/api/v1/walls/w1/state')
      return {
        status: 200,
        body: { wallId: 'w1', active: { kind: 'scene', id: 's1', version: 1 }, activatedAt: 'x', activatedBy: 'y', scheduleId: null },
      };
    if (r.path === '/api/v1/walls/w1/scenes/s1') return { status: 200, body: doc('s1', '日常值守') };
    if (r.path === '/api/v1/walls/w1/scenes/s2') return { status: 200, body: doc('s2', '应急处置') };
    if (r.path === '/api/v1/walls/w1/scenes/s3') return { status: 200, body: doc('s3', '会商') };
    if (r.path === '/api/v1/walls/w1/tours/t1') return { status: 200, body: doc('t1', '摄像机轮巡') };
    return undefined;
  };
  const hub = fakeHub((r) => {
    const hold = held[r.path];
    return hold ? hold.then(() => route(r)) : route(r);
  });
  const wall = useWallStore();
  wall.follow();
  hub.connect();
  hub.hello();
  const activated = (wallId: string, kind: 'scene' | 'tour', id: string) =>
    hub.event('wall.activated', { wallId, kind, id, version: 1, by: 'y', scheduleId: null });
  return { wall, activated, requests: hub.requests };
}

/** A promise to hold a request with, and the function that releases it. */
function holdUntilReleased(): { until: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  const until = new Promise<void>((r) => (release = r));
  return { until, release };
}

describe('wall store', () => {
  it('shows the active scene on load and follows wall.activated for its own wall only', async () => {
    const { wall, activated } = followingWall();
    await vi.waitFor(() => expect(wall.active).toEqual({ kind: 'scene', id: 's1', name: '日常值守' }));
    expect(wall.wallName).toBe('指挥大厅');

    activated('w2', 'scene', 's9');
    activated('w1', 'scene', 's2');
    await vi.waitFor(() => expect(wall.active?.name).toBe('应急处置'));
    activated('w1', 'tour', 't1');
    await vi.waitFor(() => expect(wall.active).toEqual({ kind: 'tour', id: 't1', name: '摄像机轮巡' }));
  });

  it('keeps a scene activated while the wall’s state was on its way', async () => {
    const state = holdUntilReleased();
    const { wall, activated, requests } = followingWall({ '/api/v1/walls/w1/state': state.until });
    await vi.waitFor(() => expect(requests.some((r) => r.path === '/api/v1/walls/w1/state')).toBe(true));
    // The state on its way was read with s1 active; then s2 is activated.
    activated('w1', 'scene', 's2');
    await vi.waitFor(() => expect(wall.active?.name).toBe('应急处置'));
    state.release();
    await new Promise((r) => setTimeout(r, 10));
    expect(wall.active).toEqual({ kind: 'scene', id: 's2', name: '应急处置' });
  });

  it('shows the scene activated last when an earlier activation’s scene answers after it', async () => {
    const s2 = holdUntilReleased();
    const { wall, activated } = followingWall({ '/api/v1/walls/w1/scenes/s2': s2.until });
    await vi.waitFor(() => expect(wall.active?.id).toBe('s1'));
    activated('w1', 'scene', 's2');
    activated('w1', 'scene', 's3');
    await vi.waitFor(() => expect(wall.active?.name).toBe('会商'));
    s2.release();
    await new Promise((r) => setTimeout(r, 10));
    expect(wall.active).toEqual({ kind: 'scene', id: 's3', name: '会商' });
  });

  it('picks the wall named in the URL, and shows nothing active on a hub without walls', async () => {
    fakeHub((r) =>
      r.path === '/api/v1/walls'
        ? { status: 200, body: { walls: [doc('w1', '指挥大厅', null), doc('w2', '会商室', null)] } }
        : r.path === '/api/v1/walls/w2/state'
          ? { status: 200, body: { wallId: 'w2', active: null, activatedAt: null, activatedBy: null, scheduleId: null } }
          : undefined,
    );
    const wall = useWallStore();
    await wall.load('w2');
    expect([wall.wallId, wall.wallName, wall.active]).toEqual(['w2', '会商室', null]);

    fakeHub(() => undefined);
    const none = useWallStore();
    await none.load();
    expect([none.wallId, none.active]).toEqual([null, null]);
  });
});
