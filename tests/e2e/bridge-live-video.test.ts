/**
 * Live video of a GB/T 28181 device end to end: a simulated body camera (real SIP/UDP)
 * is INVITEd by the bridge (SDP with y= SSRC), sends MPEG-PS over RTP made from an
 * ffmpeg-encoded H.264 file; the bridge unpacks it, repacketises it per RFC 6184 into a
 * real SFU ingest producer, and a Chromium viewer decodes it. Two viewers share one
 * stream; after the last leaves the bridge sends BYE and closes the ingest source.
 * The hub is a stub that checks auth and schemas ("stub hub").
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { INGEST_PREFIX } from '@cc/protocol';
import { loadJoinTokenKey, serviceAuthorization, signJoinToken } from '../../runtime/src/join-token.js';
import { GbFleet } from '../../device-bridge/src/sim/gb-fleet.js';
import { startHubStub, type HubStub } from '../../device-bridge/src/sim/hub-stub.js';
import { PsVideoSource } from '../../device-bridge/src/sim/ps-video-source.js';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { freePort } from './support/ports.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { rtcPeerBundle } from './support/rtc-bundle.js';

const CAM = '34020000001320000011';

describe('GB/T 28181 live video into the SFU (real SFU, real Chromium, stub hub)', () => {
  let t: TestEnv;
  let hub: HubStub;
  let sfu: Running;
  let bridge: Running;
  let fleet: GbFleet;
  let browser: Browser;
  let sipPort: number;
  const auth = (): string => serviceAuthorization(loadJoinTokenKey(t.dataDir), 'hub');
  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${t.bridgeUrl}${path}`, {
      method,
      headers: { authorization: auth(), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    sipPort = await freePort();
    const hubPort = await freePort();
    t = await testEnv({
      CC_BRIDGE_SIP_PORT: String(sipPort),
      CC_BRIDGE_HUB_URL: `http://127.0.0.1:${hubPort}`,
      CC_BRIDGE_STREAM_IDLE_S: '1',
      CC_BRIDGE_SHARED_PASSWORD: 'shared-pw',
    });
    const video = join(t.dataDir, 'cam.h264');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'h264', video],
    ]);
    hub = await startHubStub(t.dataDir, hubPort);
    sfu = startNode('sfu/dist/main.js', [], t.env);
    bridge = startNode('device-bridge/dist/main.js', [], t.env);
    await waitFor('sfu healthy', () => health(t.sfuUrl), 60_000);
    await waitFor('bridge healthy', () => health(t.bridgeUrl), 30_000);
    fleet = await GbFleet.create({
      bridgeHost: '127.0.0.1',
      bridgePort: sipPort,
      bindHost: '127.0.0.2',
      serverId: '34020000002000000001',
      domain: '3402000000',
      devices: [{ deviceId: CAM, password: 'shared-pw' }],
      video: () => new PsVideoSource(video, 25),
    });
    browser = await launchChromium(WEBRTC_FLAGS);
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
    for (const r of [bridge, sfu]) {
      r?.child.kill('SIGTERM');
      await r?.exited;
    }
    await hub?.close();
  });

  it('INVITEs the device, unpacks PS to H.264 into the SFU, and a Chromium viewer decodes it; viewers share the stream', async () => {
    expect(await fleet.register(0)).toBe(true);
    const started = await call('POST', '/api/v1/streams', { deviceId: CAM, channelId: CAM, viewerId: 'wall-1' });
    expect(started.status).toBe(200);
    const info = (await started.json()) as { streamId: string; room: string; viewers: number; videoProducerId: string };
    expect(info.room).toMatch(/^live:/);
    const session = [...fleet.sessions.values()][0];
    expect(session?.ssrc).toBeGreaterThan(0);
    expect(String(session?.ssrc).padStart(10, '0')).toMatch(/^020000\d{4}$/);

    const page = await browser.newPage();
    await page.goto(`${t.sfuUrl}/healthz`);
    await page.addScriptTag({ content: await rtcPeerBundle() });
    const token = signJoinToken(loadJoinTokenKey(t.dataDir), {
      room: info.room,
      sub: 'wall-1',
      name: 'wall-1',
      role: 'viewer',
      exp: Math.floor(Date.now() / 1000) + 300,
    });
    await page.evaluate(
      ([url, tk]) => (window as any).ccPeer.join(url, tk, { autoSubscribe: true }),
      [`${t.sfuUrl.replace('http', 'ws')}/ws`, token],
    );
    const decoded = await waitFor(
      'frames decoded in Chromium',
      async () => {
        const stats: { kind: string; framesDecoded: number }[] = await page.evaluate(() => (window as any).ccPeer.receiveStats());
        const frames = stats.find((s) => s.kind === 'video')?.framesDecoded ?? 0;
        return frames > 25 ? frames : undefined;
      },
      45_000,
    );
    expect(decoded).toBeGreaterThan(25);
    await waitFor('live state', () => (hub.of('stream.state').some((e) => e.state === 'live') ? true : undefined));

    const second = (await (await call('POST', '/api/v1/streams', { deviceId: CAM, channelId: CAM, viewerId: 'console-1' })).json()) as {
      streamId: string;
      viewers: number;
    };
    expect(second.streamId).toBe(info.streamId);
    expect(second.viewers).toBe(2);
    expect(fleet.sessions.size).toBe(1);
    await page.close();

    expect((await call('DELETE', `/api/v1/streams/${encodeURIComponent(info.streamId)}/viewers/wall-1`)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/streams/${encodeURIComponent(info.streamId)}/viewers/console-1`)).status).toBe(200);
    await waitFor('BYE at the device', () => (fleet.sessions.size === 0 ? true : undefined));
    await waitFor('stopped state', () => (hub.of('stream.state').some((e) => e.state === 'stopped') ? true : undefined));
    const sources = (await (
      await fetch(`${t.sfuUrl}${INGEST_PREFIX}/sources`, {
        headers: { authorization: serviceAuthorization(loadJoinTokenKey(t.dataDir), 'device-bridge') },
      })
    ).json()) as { sources: unknown[] };
    expect(sources.sources).toEqual([]);
  });

  it('plays back a recording: INVITE s=Playback with the range in t= and a history SSRC, into the SFU', async () => {
    const body = {
      deviceId: CAM,
      channelId: CAM,
      viewerId: 'console-2',
      mode: 'playback',
      startTime: '2026-11-21T08:00:00',
      endTime: '2026-11-21T08:30:00',
    };
    const started = await call('POST', '/api/v1/streams', body);
    expect(started.status).toBe(200);
    const info = (await started.json()) as { streamId: string; room: string };
    expect(info.streamId).toContain(':playback:');
    const session = [...fleet.sessions.values()].at(-1)!;
    expect(session.sdp).toMatch(/s=Playback/);
    expect(session.sdp).toContain(`u=${CAM}:0`);
    const start = Math.floor(new Date('2026-11-21T08:00:00').getTime() / 1000);
    expect(session.sdp).toContain(`t=${start} ${start + 1800}`);
    expect(String(session.ssrc)).toMatch(/^120000\d{4}$/);
    await waitFor('playback live', () =>
      hub.of('stream.state').some((e) => e.streamId === info.streamId && e.state === 'live') ? true : undefined,
    );
    const bad = await call('POST', '/api/v1/streams', { ...body, endTime: '2026-11-21T07:00:00' });
    expect(bad.status).toBe(400);
    expect((await call('DELETE', `/api/v1/streams/${encodeURIComponent(info.streamId)}/viewers/console-2`)).status).toBe(200);
    await waitFor('BYE at the device', () => (fleet.sessions.size === 0 ? true : undefined));
  });

  it('refuses streams of unknown devices and unsupported transports with clear errors', async () => {
    const unknown = await call('POST', '/api/v1/streams', {
      deviceId: '34020000001320000099',
      channelId: '34020000001320000099',
      viewerId: 'x',
    });
    expect(unknown.status).toBe(404);
    const tcp = await call('POST', '/api/v1/streams', { deviceId: CAM, channelId: CAM, viewerId: 'x', transport: 'tcp_active' });
    expect(tcp.status).toBe(503);
    expect((await call('DELETE', '/api/v1/streams/nope/viewers/x')).status).toBe(404);
  });
});
