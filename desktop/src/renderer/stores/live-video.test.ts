import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeHub } from '../testing/fake-hub';
import { fakeMediaRooms } from '../testing/fake-media';
import type { Route } from '../testing/fakes';
import { RENEW_EVERY_MS, useLiveVideoStore } from './live-video';
import { mediaDeps } from './media-session';
import { sessionDeps } from './session';

const CAM = '11010500001320000001';
const VIEW = {
  viewId: 'view-1',
  deviceId: CAM,
  channelId: CAM,
  streamId: `${CAM}:${CAM}`,
  state: 'live',
  room: `live:${CAM}:${CAM}`,
  videoProducerId: 'pv',
  sfuUrl: 'ws://sfu.test/ws',
  token: 'join-1',
  expiresAt: '2026-11-22T10:00:00.000Z',
};

function setup(route: Route) {
  const hub = fakeHub(route);
  const sessions = fakeMediaRooms();
  const live = useLiveVideoStore();
  const stop = live.follow();
  hub.connect();
  return { ...hub, live, sessions, stop };
}

const hubRoute: Route = (r) => {
  if (r.path === '/api/v1/live-views' && r.method === 'POST') return { status: 201, body: VIEW };
  if (r.path === '/api/v1/live-views/view-1/token') return { status: 200, body: { token: 'join-2', expiresAt: VIEW.expiresAt } };
  if (r.path === '/api/v1/live-views/view-1' && r.method === 'DELETE') return { status: 200, body: { closed: true } };
  if (r.path === `/api/v1/devices/${CAM}/ptz`) return { status: 200, body: {} };
  return undefined;
};

const RANGE = { startTime: '2026-11-21T08:00:00', endTime: '2026-11-21T08:30:00' };
const PLAYBACK = { ...VIEW, viewId: 'view-2', streamId: `${CAM}:${CAM}:playback`, mode: 'playback', ...RANGE };
const playbackRoute: Route = (r) => {
  if (r.path === `/api/v1/devices/${CAM}/records`)
    return { status: 200, body: { records: [{ channelId: CAM, ...RANGE, type: 'time' }], complete: false } };
  if (r.path === '/api/v1/live-views' && r.method === 'POST')
    return { status: 201, body: (r.body as { mode?: string }).mode === 'playback' ? PLAYBACK : VIEW };
  if (r.path === '/api/v1/live-views/view-2/playback')
    return (r.body as { action: string }).action === 'seek'
      ? { status: 409, body: { error: { code: 'conflict', message: '与现有数据冲突', messageEn: 'Device bridge: refused' } } }
      : { status: 200, body: { viewId: 'view-2', state: 'live' } };
  if (r.path.startsWith('/api/v1/live-views/') && r.method === 'DELETE') return { status: 200, body: { closed: true } };
  return undefined;
};

describe('live video store', () => {
  beforeEach(() => {
    sessionDeps.fetchImpl = undefined;
  });

  it('opens a view for the incident, joins its room with the hub’s token, shows the device’s video and says playing once frames show', async () => {
    const { live, requests, sessions } = setup(hubRoute);
    await live.open(CAM, { incidentId: 'i1' });
    expect(requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/live-views', body: { deviceId: CAM, incidentId: 'i1' } });
    expect(sessions[0]!.options).toMatchObject({ url: 'ws://sfu.test/ws', token: 'join-1' });
    expect(await sessions[0]!.options.refreshToken!()).toBe('join-2');
    expect(live.status).toBe('connecting');
    const sound = sessions[0]!.addTrack('audio', 'pa');
    expect(live.track).toBeNull();
    // The device's G.711 is kept apart from the picture: the tile plays it when the officer asks.
    expect(live.audio).toBe(sound.track);
    const video = sessions[0]!.addTrack('video', 'pv');
    expect(live.track).toBe(video.track);
    live.markPlaying();
    expect(live.status).toBe('playing');

    sessions[0]!.emit('state', 'reconnecting');
    expect(live.status).toBe('reconnecting');
    sessions[0]!.emit('state', 'connected');
    expect(live.status).toBe('connecting');

    await live.close();
    expect(sessions[0]!.closed).toBe(true);
    expect(requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/live-views/view-1' });
    expect(live.status).toBe('idle');
    expect(live.track).toBeNull();
  });

  it('renews the view’s lease while it is open and stops renewing once closed', async () => {
    vi.useFakeTimers();
    try {
      const { live, requests } = setup(hubRoute);
      await live.open(CAM);
      const renewals = () => requests.filter((r) => r.path === '/api/v1/live-views/view-1/token').length;
      await vi.advanceTimersByTimeAsync(RENEW_EVERY_MS * 2 + 1000);
      expect(renewals()).toBe(2);
      await live.close();
      await vi.advanceTimersByTimeAsync(RENEW_EVERY_MS * 2);
      expect(renewals()).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends PTZ moves and stops for the viewed channel', async () => {
    const { live, requests } = setup(hubRoute);
    await live.ptz({ action: 'stop' }); // no view: nothing sent
    expect(requests).toHaveLength(0);
    await live.open(CAM);
    await live.ptz({ action: 'move', pan: -0.5, tilt: 0, zoom: 0 });
    await live.ptz({ action: 'stop' });
    const ptz = requests.filter((r) => r.path.endsWith('/ptz'));
    expect(ptz.map((r) => r.body)).toEqual([
      { channelId: CAM, command: { action: 'move', pan: -0.5, tilt: 0, zoom: 0 } },
      { channelId: CAM, command: { action: 'stop' } },
    ]);
  });

  it('shows the hub’s error when the bridge is down, and the SFU’s when joining fails', async () => {
    const down = setup((r) =>
      r.path === '/api/v1/live-views'
        ? {
            status: 503,
            body: { error: { code: 'unavailable', message: '服务暂不可用', messageEn: 'The device bridge cannot be reached (timeout)' } },
          }
        : undefined,
    );
    await down.live.open(CAM);
    expect(down.live.status).toBe('error');
    expect(down.live.error).toMatchObject({ code: 'unavailable', messageZh: '服务暂不可用' });
    expect(down.sessions).toHaveLength(0);

    const { live } = setup(hubRoute);
    mediaDeps.join = () => Promise.reject(new Error('socket closed'));
    await live.open(CAM);
    expect(live.status).toBe('error');
    expect(live.error?.messageEn).toContain('socket closed');
  });

  it('turns to error when the bridge reports the stream failed', async () => {
    const { live, hello, event } = setup(hubRoute);
    hello();
    await live.open(CAM);
    event(
      'stream.state',
      { streamId: VIEW.streamId, deviceId: CAM, channelId: CAM, state: 'failed', reason: 'no RTP' },
      { at: '2026-11-22T00:00:00.000Z' },
    );
    await vi.waitFor(() => expect(live.status).toBe('error'));
    expect(live.error?.messageEn).toContain('no RTP');
  });

  it('lists recordings, plays one in place of the live view, pauses, resumes and changes speed; a failed control says so', async () => {
    const { live, requests, sessions } = setup(playbackRoute);
    await live.open(CAM);
    await live.searchRecords(CAM, CAM, RANGE.startTime, RANGE.endTime);
    expect(requests.at(-1)).toMatchObject({ path: `/api/v1/devices/${CAM}/records`, body: { channelId: CAM, ...RANGE } });
    expect(live.records).toEqual([{ channelId: CAM, ...RANGE, type: 'time' }]);
    expect(live.recordsComplete).toBe(false);
    await live.playRecording(CAM, live.records[0]!);
    expect(requests.find((r) => r.method === 'DELETE')?.path).toBe('/api/v1/live-views/view-1');
    expect(requests.filter((r) => r.path === '/api/v1/live-views' && r.method === 'POST').at(-1)?.body).toEqual({
      deviceId: CAM,
      channelId: CAM,
      mode: 'playback',
      ...RANGE,
    });
    expect(live.view?.mode).toBe('playback');
    expect(sessions).toHaveLength(2);
    expect(sessions[0]!.closed).toBe(true);
    await live.controlPlayback({ action: 'pause' });
    expect(live.paused).toBe(true);
    await live.controlPlayback({ action: 'resume' });
    await live.controlPlayback({ action: 'speed', scale: 2 });
    expect([live.paused, live.speed]).toEqual([false, 2]);
    await live.controlPlayback({ action: 'seek', offsetS: 60 });
    expect(live.playbackError).toMatchObject({ code: 'conflict', messageZh: '与现有数据冲突' });
    expect(requests.filter((r) => r.path.endsWith('/playback')).map((r) => r.body)).toEqual([
      { action: 'pause' },
      { action: 'resume' },
      { action: 'speed', scale: 2 },
      { action: 'seek', offsetS: 60 },
    ]);
  });

  it('says 回放结束 when the playback reached the end of the recording, not an error', async () => {
    const { live, hello, event, sessions } = setup(playbackRoute);
    hello();
    await live.open(CAM, { mode: 'playback', ...RANGE });
    sessions[0]!.addTrack('video', 'pv');
    live.markPlaying();
    event(
      'stream.state',
      { streamId: PLAYBACK.streamId, deviceId: CAM, channelId: CAM, state: 'ended', reason: 'end of the recording' },
      { at: '2026-11-22T00:00:00.000Z' },
    );
    await vi.waitFor(() => expect(live.status).toBe('ended'));
    expect(live.error).toBeNull();
    live.markPlaying(); // a last frame shows: still ended
    sessions[0]!.emit('state', 'reconnecting');
    expect(live.status).toBe('ended');
  });

  it('lists the recordings of the range searched last when an earlier search answers after it', async () => {
    let answerFirst = (): void => undefined;
    const held = new Promise<void>((r) => (answerFirst = r));
    const LATER = { startTime: '2026-11-21T10:00:00', endTime: '2026-11-21T10:30:00' };
    const { live } = setup((r) => {
      if (!r.path.endsWith('/records')) return undefined;
      const { startTime, endTime } = r.body as typeof RANGE;
      const answer = { status: 200, body: { records: [{ channelId: CAM, startTime, endTime, type: 'time' }], complete: true } };
      return startTime === RANGE.startTime ? held.then(() => answer) : answer;
    });
    const first = live.searchRecords(CAM, CAM, RANGE.startTime, RANGE.endTime);
    await live.searchRecords(CAM, CAM, LATER.startTime, LATER.endTime);
    expect(live.records).toEqual([{ channelId: CAM, ...LATER, type: 'time' }]);
    answerFirst();
    await first;
    expect(live.records).toEqual([{ channelId: CAM, ...LATER, type: 'time' }]);
    expect(live.searching).toBe(false);
  });

  it('shows the hub’s error when the recording search fails, and no recordings', async () => {
    const { live } = setup((r) =>
      r.path.endsWith('/records')
        ? {
            status: 503,
            body: { error: { code: 'unavailable', message: '服务暂不可用', messageEn: 'The device bridge cannot be reached' } },
          }
        : undefined,
    );
    await live.searchRecords(CAM, CAM, RANGE.startTime, RANGE.endTime);
    expect(live.records).toEqual([]);
    expect(live.recordsError).toMatchObject({ code: 'unavailable', messageZh: '服务暂不可用' });
    expect(live.searching).toBe(false);
  });
});
