/**
 * The SOS flow end to end, through the console: a technician provisions a GB/T 28181 body
 * camera in the hub (pushed to the bridge), the simulated camera (real SIP over UDP)
 * registers with that password and presses SOS; the duty officer's console (real Chromium)
 * rings, opens the incident and clicks 调阅视频: the hub asks the real bridge to INVITE the
 * camera, the PS-over-RTP video goes through the real SFU, and the console's video element
 * decodes frames. A held PTZ arrow reaches the camera as a PTZCmd (move, then stop on
 * release); 回放 lists the camera's recordings (RecordInfo) and plays one, paused and sped up
 * (MANSRTSP in INFO); closing the tile makes the bridge hang up (BYE) after its idle grace.
 * Then, through the API: a live view survives a hub restart, and a bridge viewer the
 * restarted hub does not know is dropped (its stream stops).
 */
import { execFileSync } from 'node:child_process';
import type { Socket } from 'node:dgram';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMansrtsp } from '../../device-bridge/src/gb28181/mansrtsp.js';
import { GbFleet } from '../../device-bridge/src/sim/gb-fleet.js';
import { PsVideoSource } from '../../device-bridge/src/sim/ps-video-source.js';
import { loadJoinTokenKey, serviceAuthorization } from '../../runtime/src/join-token.js';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { hubApi } from './support/hub-api.js';

const CAM = '34020000001320000021';
const CAM_PASSWORD = 'cam-pass-21';
const ADMIN_PASSWORD = 'admin-pass-123';
const OFFICER = { username: 'duty1', password: 'duty-pass-123', name: '王值班' };
const TECH = { username: 'tech1', password: 'tech-pass-123', name: '李技术' };
const COURT = { code: '110108', name: '北京市海淀区人民法院', level: 'basic', parentCode: null, lat: 39.9599, lon: 116.2981 };

let t: TestEnv;
let hub: Running | undefined;
let sfu: Running | undefined;
let bridge: Running | undefined;
let fleet: GbFleet | undefined;
let browser: Browser | undefined;
/** PTZCmd values the simulated camera received in DeviceControl MESSAGEs, in order. */
const ptzCmds: string[] = [];
/** MANSRTSP requests (PLAY, PAUSE) the simulated camera received in INFO, with their Scale. */
const rtspCmds: string[] = [];

const { call, login } = hubApi(() => t.hubUrl);

async function healthy(name: string, url: string, running: Running): Promise<void> {
  try {
    await waitFor(`${name} healthy`, () => health(url), 60_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${name} output:\n${running.output().slice(-2000)}`, { cause: error });
  }
}

/** Test glue: records the PTZCmd of every MESSAGE the bridge sends to the simulated camera (the simulator keeps none). */
function recordPtz(target: GbFleet): void {
  const glue = target as unknown as { receive: (socket: Socket, data: Buffer) => void };
  const receive = glue.receive.bind(target);
  glue.receive = (socket, data) => {
    const ptz = /<PTZCmd>([0-9A-F]{16})<\/PTZCmd>/i.exec(data.toString('latin1'))?.[1];
    if (ptz) ptzCmds.push(ptz.toUpperCase());
    const text = data.toString('latin1');
    if (text.startsWith('INFO ')) {
      const rtsp = parseMansrtsp(text.slice(text.indexOf('\r\n\r\n') + 4));
      rtspCmds.push(`${rtsp.method}${rtsp.scale !== undefined ? ` ${rtsp.scale}` : ''}`);
    }
    receive(socket, data);
  };
}

beforeAll(async () => {
  t = await testEnv({ CC_HUB_ADMIN_PASSWORD: ADMIN_PASSWORD, CC_BRIDGE_STREAM_IDLE_S: '1' });
  const video = join(t.dataDir, 'cam.h264');
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'h264', video],
  ]);
  hub = startNode('hub/dist/main.js', [], t.env);
  sfu = startNode('sfu/dist/main.js', [], t.env);
  bridge = startNode('device-bridge/dist/main.js', [], t.env);
  await healthy('hub', t.hubUrl, hub);
  await healthy('sfu', t.sfuUrl, sfu);
  await healthy('bridge', t.bridgeUrl, bridge);
  fleet = await GbFleet.create({
    bridgeHost: '127.0.0.1',
    bridgePort: Number(t.env.CC_BRIDGE_SIP_PORT),
    bindHost: '127.0.0.2',
    serverId: '34020000002000000001',
    domain: '3402000000',
    devices: [{ deviceId: CAM, password: CAM_PASSWORD }],
    answerQueries: true,
    video: () => new PsVideoSource(video, 25, 'PCMA'),
  });
  recordPtz(fleet);
  browser = await launchChromium(WEBRTC_FLAGS);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fleet?.close();
  for (const r of [bridge, sfu, hub]) {
    if (!r || r.child.exitCode !== null) continue;
    r.child.kill('SIGTERM');
    await r.exited;
  }
});

async function signIn(): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(`${t.hubUrl}/#/console`);
  await page.locator('input[name="username"]').fill(OFFICER.username);
  await page.locator('input[name="password"]').fill(OFFICER.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('[data-view="console"]').waitFor();
  // An alarm raised before the event link is up would only land in the list, not ring: wait for it.
  await page.locator('[data-view="console"] [data-link-state="online"]').waitFor({ timeout: 30_000 });
  return page;
}

describe('console live video of an SOS camera (real hub, SFU, bridge, simulated GB28181 camera, Chromium)', () => {
  it('provisions the camera through the hub, rings on its SOS, plays its live video in the console, moves PTZ and hangs up on close', async () => {
    const admin = await login('admin', ADMIN_PASSWORD);
    expect((await call('POST', '/api/v1/courts', COURT, admin)).status).toBe(201);
    for (const [p, role] of [
      [OFFICER, 'duty_officer'],
      [TECH, 'technician'],
    ] as const)
      expect((await call('POST', '/api/v1/people', { ...p, role, court: null }, admin)).status).toBe(201);
    const tech = await login(TECH.username, TECH.password);

    // The bridge has no shared password here: only the password the hub pushes lets the camera in.
    const provisioned = await call(
      'PUT',
      `/api/v1/provisioned-devices/${CAM}`,
      { kind: 'gb28181', name: '海淀执法记录仪21', court: COURT.code, password: CAM_PASSWORD },
      tech,
    );
    expect(provisioned.status).toBe(200);
    expect(provisioned.body.pushed).toBe(true);
    expect(await fleet!.register(0)).toBe(true);

    const page = await signIn();
    fleet!.alarm(0, 'SOS 一键报警', { longitude: 116.31, latitude: 39.96 });
    const popup = page.locator('[data-popup]');
    await popup.waitFor({ timeout: 20_000 });
    const incidentId = await popup.getAttribute('data-incident');
    expect(incidentId).toBeTruthy();
    await page.locator('[data-popup-view]').click();
    const detail = page.locator('[data-panel="incident"]');
    await detail.locator(`header[data-incident="${incidentId}"]`).waitFor();

    const clickedAt = performance.now();
    await detail.locator('[data-action="video_opened"]').click();
    const tile = detail.locator('[data-video-tile]');
    await tile.waitFor();
    const decodedFrames = (): Promise<number> =>
      page.evaluate(
        () => document.querySelector<HTMLVideoElement>('video[data-live-video]')?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
      );
    await waitFor('a first frame in the console', async () => ((await decodedFrames()) > 0 ? true : undefined), 60_000);
    // A figure for the report, not an assertion (the machine is shared): click → INVITE → PS → SFU → first decoded frame.
    const api = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => e.name.endsWith('/api/v1/live-views'))
        .map((e) => Math.round(e.duration)),
    );
    console.log(
      `console live video: 调阅视频 click → first decoded frame ${Math.round(performance.now() - clickedAt)} ms (hub live-view API ${api.join(', ')} ms)`,
    );
    const frames = await waitFor(
      'frames decoded in the console',
      async () => {
        const n = await decodedFrames();
        return n > 10 ? n : undefined;
      },
      60_000,
    );
    expect(frames).toBeGreaterThan(10);
    await detail.locator('[data-video-tile][data-state="playing"]').waitFor();
    expect(await tile.locator('[data-video-state]').innerText()).toBe('播放中');
    // The camera's G.711 comes along, muted until the officer turns the sound on.
    const sound = tile.locator('[data-video-sound]');
    await waitFor('the camera sound in the tile', async () => ((await sound.isEnabled()) ? true : undefined), 30_000);
    const audible = (): Promise<{ tracks: number; muted: boolean }> =>
      page.evaluate(() => {
        const el = document.querySelector<HTMLVideoElement>('video[data-live-video]')!;
        return { tracks: (el.srcObject as MediaStream | null)?.getAudioTracks().length ?? 0, muted: el.muted };
      });
    expect(await audible()).toEqual({ tracks: 1, muted: true });
    await sound.click();
    expect(await audible()).toEqual({ tracks: 1, muted: false });
    expect(await sound.innerText()).toBe('静音');
    await detail.locator('[data-timeline] li[data-kind="video_opened"]').waitFor();
    const shot = join(t.dataDir, 'console-live-video.png');
    await page.screenshot({ path: shot });
    console.log(`console live video screenshot: ${shot}`);
    expect(fleet!.sessions.size).toBe(1);

    // Hold ◀ (left), then release: a move PTZCmd (instruction 0x02), then a stop (0x00).
    const left = tile.locator('[data-ptz="left"]');
    await left.dispatchEvent('pointerdown');
    await waitFor('PTZ move at the camera', () => (ptzCmds.length >= 1 ? true : undefined), 15_000);
    await left.dispatchEvent('pointerup');
    await waitFor('PTZ stop at the camera', () => (ptzCmds.length >= 2 ? true : undefined), 15_000);
    expect(ptzCmds[0]!.slice(0, 8)).toBe('A50F0102');
    expect(ptzCmds.at(-1)!.slice(0, 8)).toBe('A50F0100');

    // 回放: the camera's recordings in the default range (the last hour), play the first, pause, double speed.
    await tile.locator('[data-video-playback]').click();
    await tile.locator('[data-playback-search]').click();
    await tile
      .locator('[data-playback-record]')
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(async (error: unknown) => {
        const log = [hub!, bridge!].flatMap((r) =>
          r
            .output()
            .split('\n')
            .filter((l) => /record|bridge unreachable|request failed/i.test(l)),
        );
        throw new Error(`no recordings listed; the tile says: ${await tile.innerText()}; logs: ${log.slice(-6).join('\n')}`, {
          cause: error,
        });
      });
    expect(await tile.locator('[data-playback-record]').count()).toBe(2);
    await tile.locator('[data-playback-play]').first().click();
    await tile.locator('[data-playback-controls]').waitFor();
    await detail.locator('[data-video-tile][data-state="playing"]').waitFor({ timeout: 60_000 });
    await tile.locator('[data-playback-pause]').click();
    await tile.locator('[data-playback-resume]').waitFor();
    await tile.locator('[data-playback-speed="2"]').click();
    await waitFor('PAUSE and Scale 2 at the camera', () => (rtspCmds.length >= 2 ? true : undefined), 15_000);
    expect(rtspCmds[0]).toBe('PAUSE');
    expect(rtspCmds[1]).toBe('PLAY 2');
    expect(await tile.locator('[role="alert"]').count()).toBe(0);

    await tile.locator('[data-video-close]').click();
    await detail.locator('[data-video-tile]').waitFor({ state: 'detached' });
    await waitFor('BYE at the camera', () => (fleet!.sessions.size === 0 ? true : undefined), 20_000);

    const officer = await login(OFFICER.username, OFFICER.password);
    const incident = await call('GET', `/api/v1/incidents/${incidentId}`, undefined, officer);
    expect(incident.body.alarms[0]).toMatchObject({ deviceId: CAM, court: COURT.code, kind: 'sos' });
    expect(incident.body.timeline.find((e: { kind: string }) => e.kind === 'video_opened')).toMatchObject({
      actorName: OFFICER.name,
      data: { deviceId: CAM },
    });
    await page.close();
  });

  it('keeps a live view over a hub restart and drops the bridge viewer the restarted hub does not know (API)', async () => {
    const officer = await login(OFFICER.username, OFFICER.password);
    const kept = await call('POST', '/api/v1/live-views', { deviceId: CAM }, officer);
    const lost = await call('POST', '/api/v1/live-views', { deviceId: CAM }, officer);
    expect([kept.status, lost.status]).toEqual([201, 201]);
    expect(lost.body.streamId).toBe(kept.body.streamId);
    const bridgeViewers = async (): Promise<string[]> => {
      const response = await fetch(`${t.bridgeUrl}/api/v1/streams`, {
        headers: { authorization: serviceAuthorization(loadJoinTokenKey(t.dataDir), 'hub') },
      });
      const { streams } = (await response.json()) as { streams: { streamId: string; viewerIds: string[] }[] };
      return streams.find((x) => x.streamId === kept.body.streamId)?.viewerIds.sort() ?? [];
    };
    expect(await bridgeViewers()).toEqual(expect.arrayContaining([kept.body.viewId, lost.body.viewId]));

    hub!.child.kill('SIGTERM');
    await hub!.exited;
    // The hub loses one view while it is down (as a view closed while the bridge was unreachable would be).
    const db = new Database(join(t.dataDir, 'hub.sqlite'));
    expect(db.prepare('DELETE FROM live_views WHERE view_id = ?').run(lost.body.viewId).changes).toBe(1);
    db.close();
    hub = startNode('hub/dist/main.js', [], t.env);
    await healthy('hub', t.hubUrl, hub);

    await waitFor('the unknown viewer dropped at the bridge', async () =>
      (await bridgeViewers()).includes(lost.body.viewId) ? undefined : true,
    );
    expect(await bridgeViewers()).toContain(kept.body.viewId);
    const again = await login(OFFICER.username, OFFICER.password);
    expect((await call('POST', `/api/v1/live-views/${kept.body.viewId}/token`, {}, again)).status).toBe(200);
    expect((await call('POST', `/api/v1/live-views/${lost.body.viewId}/token`, {}, again)).status).toBe(404);
    expect(fleet!.sessions.size).toBe(1);
    expect((await call('DELETE', `/api/v1/live-views/${kept.body.viewId}`, undefined, again)).status).toBe(200);
    await waitFor('BYE at the camera', () => (fleet!.sessions.size === 0 ? true : undefined), 20_000);
  });
});
