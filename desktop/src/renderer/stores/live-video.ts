/**
 * The console's live video tile (store `liveVideo`, 调阅视频): asks the hub for a live view of
 * a device channel, joins the SFU room it names and exposes the device's video track, with
 * the tile's state (connecting → playing; reconnecting; error) and PTZ through the hub.
 * Recorder playback (回放): lists a channel's recordings in a time range, plays one as a
 * playback view with pause / resume / speed; a playback that reached its end is `ended`.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { SfuClientEvent } from '@cc/sfu-client';
import type { LivePlaybackControl, LiveView, PtzCommand, RecordSegment } from '@cc/protocol';
import { useLinkStore } from './link';
import { mediaDeps, mediaErrorOf, type MediaError, type MediaSession } from './media-session';
import { useSessionStore } from './session';

/** `ended`: a playback reached the end of the recording (回放结束), not an error. */
export type LiveStatus = 'idle' | 'connecting' | 'playing' | 'reconnecting' | 'ended' | 'error';
export interface OpenOptions {
  channelId?: string;
  incidentId?: string;
  transport?: 'udp' | 'tcp_passive' | 'tcp_active';
  mode?: 'live' | 'playback';
  startTime?: string;
  endTime?: string;
}

/** The hub closes a view whose lease (10 min) is not renewed: renew well before. */
export const RENEW_EVERY_MS = 4 * 60_000;
const JOIN_FAILED = { zh: '无法连接音视频服务', en: 'Cannot reach the media server' };
const STREAM_FAILED = { zh: '设备视频中断', en: 'The device stream stopped' };
const RECORDS_FAILED = { zh: '录像查询失败', en: 'Recording search failed' };
const CONTROL_FAILED = { zh: '回放控制失败', en: 'Playback control failed' };

export const useLiveVideoStore = defineStore('liveVideo', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  const view = ref<LiveView | null>(null);
  const status = ref<LiveStatus>('idle');
  const error = ref<MediaError | null>(null);
  const ptzError = ref<MediaError | null>(null);
  const track = shallowRef<MediaStreamTrack | null>(null);
  /** The device's sound (G.711 from its PS stream), when it sends any. */
  const audio = shallowRef<MediaStreamTrack | null>(null);
  /** Recordings found by the last search (回放), and its error. */
  const records = ref<RecordSegment[]>([]);
  const recordsComplete = ref(true);
  const recordsError = ref<MediaError | null>(null);
  const searching = ref(false);
  const paused = ref(false);
  const speed = ref(1);
  const playbackError = ref<MediaError | null>(null);
  let media: MediaSession | undefined;
  let offs: (() => void)[] = [];
  let renewal: ReturnType<typeof setInterval> | undefined;
  /** Bumped by every open/close: an answer for an older request is dropped. */
  let generation = 0;

  function fail(e: MediaError): void {
    status.value = 'error';
    error.value = e;
  }

  function attach(m: MediaSession, v: LiveView): void {
    const pick = (): void => {
      const videos = m.remoteTracks().filter((t) => t.kind === 'video');
      const chosen = videos.find((t) => t.producerId === v.videoProducerId) ?? videos[0];
      if (chosen && chosen.track !== track.value) track.value = chosen.track;
      const sound = m.remoteTracks().find((t) => t.kind === 'audio');
      if (sound && sound.track !== audio.value) audio.value = sound.track;
    };
    offs.push(
      m.on(SfuClientEvent.TrackAdded, pick),
      m.on(SfuClientEvent.TrackRemoved, (t) => {
        if (t.track === track.value) track.value = null;
        if (t.track === audio.value) audio.value = null;
      }),
      m.on(SfuClientEvent.State, (state) => {
        if (status.value === 'error' || status.value === 'ended') return;
        if (state === 'reconnecting') status.value = 'reconnecting';
        // Back in the room: frames must flow again before the tile says playing.
        if (state === 'connected' && status.value === 'reconnecting') status.value = 'connecting';
      }),
    );
    pick();
  }

  async function open(deviceId: string, options: OpenOptions = {}): Promise<void> {
    // Straight from one view to the next: the tile stays up (no idle in between).
    const previous = teardown();
    const gen = ++generation;
    status.value = 'connecting';
    if (previous) void session.api.closeLiveView(previous.viewId).catch(() => undefined);
    error.value = null;
    let v: LiveView;
    try {
      v = await session.api.openLiveView({ deviceId, ...options });
    } catch (e) {
      if (gen === generation) fail(mediaErrorOf(e, JOIN_FAILED));
      return;
    }
    if (gen !== generation) return void session.api.closeLiveView(v.viewId).catch(() => undefined);
    view.value = v;
    renewal = setInterval(() => {
      session.api.liveViewToken(v.viewId).catch((e: unknown) => {
        if (gen === generation) fail(mediaErrorOf(e, STREAM_FAILED));
      });
    }, RENEW_EVERY_MS);
    const refreshToken = async (): Promise<string> => (await session.api.liveViewToken(v.viewId)).token;
    try {
      const m = await mediaDeps.join({ url: v.sfuUrl, token: v.token, refreshToken });
      if (gen !== generation) return m.close();
      media = m;
      attach(m, v);
    } catch (e) {
      if (gen === generation) fail(mediaErrorOf(e, JOIN_FAILED));
    }
  }

  /** The tile's video element shows frames. */
  function markPlaying(): void {
    if (view.value && status.value !== 'error' && status.value !== 'ended') status.value = 'playing';
  }

  /** Leaves the SFU and forgets the view; returns the view the hub must close. */
  function teardown(): LiveView | null {
    generation += 1;
    clearInterval(renewal);
    renewal = undefined;
    offs.forEach((off) => off());
    offs = [];
    media?.close();
    media = undefined;
    const v = view.value;
    view.value = null;
    track.value = null;
    audio.value = null;
    error.value = null;
    ptzError.value = null;
    playbackError.value = null;
    paused.value = false;
    speed.value = 1;
    return v;
  }

  async function close(): Promise<void> {
    const v = teardown();
    status.value = 'idle';
    if (v) await session.api.closeLiveView(v.viewId).catch(() => undefined);
  }

  /** Counts record searches: the answer of a search overtaken by a newer one is for a range no longer asked. */
  let searches = 0;

  /** Recordings of a channel in a local-time range (yyyy-MM-ddTHH:mm:ss). */
  async function searchRecords(deviceId: string, channelId: string, startTime: string, endTime: string): Promise<void> {
    const mine = ++searches;
    searching.value = true;
    recordsError.value = null;
    try {
      const found = await session.api.deviceRecords(deviceId, { channelId, startTime, endTime });
      if (mine !== searches) return;
      records.value = found.records;
      recordsComplete.value = found.complete;
    } catch (e) {
      if (mine !== searches) return;
      records.value = [];
      recordsError.value = mediaErrorOf(e, RECORDS_FAILED);
    } finally {
      if (mine === searches) searching.value = false;
    }
  }

  /** Plays one recording of the viewed device (a playback view replaces the live one). */
  function playRecording(deviceId: string, segment: RecordSegment): Promise<void> {
    return open(deviceId, { channelId: segment.channelId, mode: 'playback', startTime: segment.startTime, endTime: segment.endTime });
  }

  /** Pause, resume or speed of the playback view. */
  async function controlPlayback(control: LivePlaybackControl): Promise<void> {
    const v = view.value;
    if (!v || v.mode !== 'playback') return;
    try {
      await session.api.playbackControl(v.viewId, control);
      playbackError.value = null;
      if (control.action === 'pause') paused.value = true;
      if (control.action === 'resume') paused.value = false;
      if (control.action === 'speed') speed.value = control.scale;
    } catch (e) {
      playbackError.value = mediaErrorOf(e, CONTROL_FAILED);
    }
  }

  /** PTZ on the viewed channel: `move` while a button is held, `stop` on release. */
  async function ptz(command: PtzCommand): Promise<void> {
    const v = view.value;
    if (!v) return;
    try {
      await session.api.ptz(v.deviceId, { channelId: v.channelId, command });
      ptzError.value = null;
    } catch (e) {
      ptzError.value = mediaErrorOf(e, { zh: '云台控制失败', en: 'PTZ failed' });
    }
  }

  /** The bridge reports the viewed stream failed or stopped: the tile says so. The returned stop also closes the view (sign-out). */
  function follow(): () => void {
    const off = link.on('stream.state', (data) => {
      if (!view.value || data.streamId !== view.value.streamId) return;
      if (data.state === 'ended') status.value = 'ended';
      if (data.state === 'failed' || data.state === 'stopped') fail(mediaErrorOf(new Error(data.reason ?? data.state), STREAM_FAILED));
    });
    return () => {
      off();
      void close();
    };
  }

  return {
    view,
    status,
    error,
    ptzError,
    track,
    audio,
    open,
    close,
    markPlaying,
    ptz,
    follow,
    records,
    recordsComplete,
    recordsError,
    searching,
    paused,
    speed,
    playbackError,
    searchRecords,
    playRecording,
    controlPlayback,
  };
});
