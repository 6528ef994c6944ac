/**
 * Live video of a GB/T 28181 device end to end: a simulated body camera (real SIP/UDP)
 * is INVITEd by the bridge (SDP with y= SSRC), sends MPEG-PS over RTP made from an
 * ffmpeg-encoded H.264 file; the bridge unpacks it, repacketises it per RFC 6184 into a
 * real SFU ingest producer, and a Chromium viewer decodes it. Two viewers share one
 * stream; after the last leaves the bridge sends BYE and closes the ingest source.
 * A second simulated device (SimGbDevice, a recorder-capable body camera) sends its
 * media over TCP (RFC 4571): TCP-passive after a garbage connection the bridge must cut
 * off (decoded in Chromium), TCP-active from its provisioned transport; and it plays back
 * under MANSRTSP control (pause, resume, speed, seek) until its MediaStatus 121 ends it.
 * The hub is a stub that checks auth and schemas ("stub hub"). The first device also sends
 * a 1 kHz G.711 A-law tone in its PS: Chromium receives it on the source's audio track.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { INGEST_PREFIX } from '@cc/protocol';
import { loadJoinTokenKey, serviceAuthorization, signJoinToken } from '../../runtime/src/join-token.js';
import { GbFleet } from '../../device-bridge/src/sim/gb-fleet.js';
import { startHubStub, type HubStub } from '../../device-bridge/src/sim/hub-stub.js';
import { PsVideoSource } from '../../device-bridge/src/sim/ps-video-source.js';
import { SimGbDevice } from '../../device-bridge/src/sim/gb-device.js';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { freePort } from './support/ports.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { rtcPeerBundle } from './support/rtc-bundle.js';

const CAM = '34020000001320000011';
const REC = '34020000001320000012';

interface StreamStats {
  state: string;
  framesOut: number;
  audioFramesOut: number;
  audioPacketsOut: number;
  connections?: number;
  badFraming?: number;
}

describe('GB/T 28181 live video into the SFU (real SFU, real Chromium, stub hub)', () => {
  let t: TestEnv;
  let hub: HubStub;
  let sfu: Running;
  let bridge: Running;
  let fleet: GbFleet;
  let rec: SimGbDevice;
  let browser: Browser;
  let sipPort: number;
  const auth = (): string => serviceAuthorization(loadJoinTokenKey(t.dataDir), 'hub');
  /** A Chromium viewer joins the stream's SFU room; resolves once it has decoded more than 25 frames. */
  async function watchInChromium(room: string, viewer: string, what: string): Promise<{ page: Page; decoded: number }> {
    const page = await browser.newPage();
    await page.goto(`${t.sfuUrl}/healthz`);
    await page.addScriptTag({ content: await rtcPeerBundle() });
    const token = signJoinToken(loadJoinTokenKey(t.dataDir), {
      room,
      sub: viewer,
      name: viewer,
      role: 'viewer',
      exp: Math.floor(Date.now() / 1000) + 300,
    });
    await page.evaluate(
      ([url, tk]) => (window as any).ccPeer.join(url, tk, { autoSubscribe: true }),
      [`${t.sfuUrl.replace('http', 'ws')}/ws`, token],
    );
    const decoded = await waitFor(
      what,
      async () => {
        const stats: { kind: string; framesDecoded: number }[] = await page.evaluate(() => (window as any).ccPeer.receiveStats());
        const frames = stats.find((s) => s.kind === 'video')?.framesDecoded ?? 0;
        return frames > 25 ? frames : undefined;
      },
      45_000,
    );
    return { page, decoded };
  }
  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${t.bridgeUrl}${path}`, {
      method,
      headers: { authorization: auth(), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  const streamStats = async (streamId: string): Promise<StreamStats | undefined> =>
    ((await health(t.bridgeUrl))?.details.streams as Record<string, StreamStats> | undefined)?.[streamId];
  const leave = async (streamId: string, viewerId: string): Promise<void> => {
    expect((await call('DELETE', `/api/v1/streams/${encodeURIComponent(streamId)}/viewers/${viewerId}`)).status).toBe(200);
  };
  const control = (streamId: string, body: unknown): Promise<Response> =>
    call('POST', `/api/v1/streams/${encodeURIComponent(streamId)}/playback`, body);

  beforeAll(async () => {
    sipPort = await freePort();
    const hubPort = await freePort();
    t = await testEnv({
      CC_BRIDGE_SIP_PORT: String(sipPort),
      CC_BRIDGE_HUB_URL: `http://127.0.0.1:${hubPort}`,
      CC_BRIDGE_STREAM_IDLE_S: '1',
      CC_BRIDGE_STREAM_MEDIA_TIMEOUT_S: '3',
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
      video: () => new PsVideoSource(video, 25, 'PCMA'),
    });
    rec = await SimGbDevice.create({
      bridgeHost: '127.0.0.1',
      bridgePort: sipPort,
      bindHost: '127.0.0.3',
      serverId: '34020000002000000001',
      domain: '3402000000',
      deviceId: REC,
      password: 'shared-pw',
      tcpGarbageFirst: true,
      // As Hikvision recorders do: MediaStatus comes from another ID; the bridge matches it by Call-ID.
      mediaStatusFrom: '34020000001110000001',
      video: () => new PsVideoSource(video, 25),
    });
    browser = await launchChromium(WEBRTC_FLAGS);
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
    await rec?.close();
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

    const { page, decoded } = await watchInChromium(info.room, 'wall-1', 'frames decoded in Chromium');
    expect(decoded).toBeGreaterThan(25);
    await waitFor('live state', () => (hub.of('stream.state').some((e) => e.state === 'live') ? true : undefined));

    // The PS's G.711 tone: Chromium plays the audio track; packets and samples grow, the level is above silence.
    const audioStats = (): Promise<{ packetsReceived: number; totalSamplesReceived: number; audioLevel: number } | undefined> =>
      page.evaluate(async () => {
        const client = (window as any).ccPeer.client;
        for (const track of client.remoteTracks()) {
          if (track.kind !== 'audio') continue;
          if (!document.querySelector('audio')) {
            const element = document.createElement('audio');
            element.autoplay = true;
            element.srcObject = new MediaStream([track.track]);
            document.body.append(element);
          }
          let out = { packetsReceived: 0, totalSamplesReceived: 0, audioLevel: 0 };
          (await client.remote.get(track.consumerId).consumer.getStats()).forEach((r: any) => {
            if (r.type === 'inbound-rtp')
              out = {
                packetsReceived: r.packetsReceived ?? 0,
                totalSamplesReceived: r.totalSamplesReceived ?? 0,
                audioLevel: r.audioLevel ?? 0,
              };
          });
          return out;
        }
        return undefined;
      });
    const heard = await waitFor(
      'G.711 audio played in Chromium',
      async () => {
        const a = await audioStats();
        return a && a.packetsReceived > 25 && a.totalSamplesReceived > 8000 && a.audioLevel > 0 ? a : undefined;
      },
      30_000,
    );
    const later = await waitFor('audio keeps coming', async () => {
      const a = await audioStats();
      return a && a.packetsReceived > heard.packetsReceived && a.totalSamplesReceived > heard.totalSamplesReceived ? a : undefined;
    });
    expect(later.audioLevel).toBeGreaterThan(0);
    const bridgeAudio = await streamStats(info.streamId);
    expect(bridgeAudio?.audioFramesOut).toBeGreaterThan(25);
    expect(bridgeAudio?.audioPacketsOut).toBe(bridgeAudio?.audioFramesOut); // 40 ms frames: one packet each

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

  it('refuses streams of unknown devices, and a TCP offer the device answers with UDP, with clear errors', async () => {
    const unknown = await call('POST', '/api/v1/streams', {
      deviceId: '34020000001320000099',
      channelId: '34020000001320000099',
      viewerId: 'x',
    });
    expect(unknown.status).toBe(404);
    // The fleet's devices answer every offer with RTP/AVP (UDP): no silent fallback, the stream fails.
    const tcp = await call('POST', '/api/v1/streams', { deviceId: CAM, channelId: CAM, viewerId: 'x', transport: 'tcp_active' });
    expect(tcp.status).toBe(503);
    expect(((await tcp.json()) as { error: { message: string } }).error.message).toBeTruthy();
    await waitFor('BYE after the failed TCP offer', () => (fleet.sessions.size === 0 ? true : undefined));
    expect((await call('DELETE', '/api/v1/streams/nope/viewers/x')).status).toBe(404);
  });

  it('takes live video over TCP-passive (RFC 4571): cuts off a garbage connection, then Chromium decodes the device stream', async () => {
    expect(await rec.register()).toBe(200);
    const started = await call('POST', '/api/v1/streams', {
      deviceId: REC,
      channelId: REC,
      viewerId: 'wall-tcp',
      transport: 'tcp_passive',
    });
    expect(started.status).toBe(200);
    const info = (await started.json()) as { streamId: string; room: string };
    const session = [...rec.sessions.values()][0]!;
    expect(session.transport).toBe('tcp_passive');
    expect(session.sdp).toMatch(/m=video \d+ TCP\/RTP\/AVP 96/);
    expect(session.sdp).toContain('a=setup:passive');
    expect(session.sdp).toContain('a=connection:new');

    const { page, decoded } = await watchInChromium(info.room, 'wall-tcp', 'frames decoded in Chromium over TCP media');
    expect(decoded).toBeGreaterThan(25);
    await page.close();
    expect(session.garbageCutOff).toBe(true);
    const stats = await streamStats(info.streamId);
    expect(stats).toMatchObject({ state: 'live', connections: 2, badFraming: 1 });
    await leave(info.streamId, 'wall-tcp');
    await waitFor('BYE at the device', () => (rec.sessions.size === 0 ? true : undefined));
  });

  it('takes live video over TCP-active when the device is provisioned so: the bridge connects to the port in its answer', async () => {
    const provisioned = await call('PUT', `/api/v1/devices/${REC}`, { kind: 'gb28181', mediaTransport: 'tcp_active' });
    expect(provisioned.status).toBe(200);
    const started = await call('POST', '/api/v1/streams', { deviceId: REC, channelId: REC, viewerId: 'console-tcp' });
    expect(started.status).toBe(200);
    const info = (await started.json()) as { streamId: string };
    const session = [...rec.sessions.values()][0]!;
    expect(session.transport).toBe('tcp_active');
    expect(session.sdp).toContain('a=setup:active');
    const flowing = await waitFor('frames into the SFU over TCP-active', async () => {
      const stats = await streamStats(info.streamId);
      return stats && stats.framesOut > 25 ? stats : undefined;
    });
    expect(flowing).toMatchObject({ state: 'live', connections: 1, badFraming: 0, audioFramesOut: 0 }); // a video-only device
    await leave(info.streamId, 'console-tcp');
    await waitFor('BYE at the device', () => (rec.sessions.size === 0 ? true : undefined));
  });

  it('controls a playback with MANSRTSP in INFO (pause, resume, speed, seek) until MediaStatus 121 ends it', async () => {
    const body = {
      deviceId: REC,
      channelId: REC,
      viewerId: 'console-pb',
      mode: 'playback',
      transport: 'udp',
      startTime: '2026-11-21T08:00:00',
      endTime: '2026-11-21T08:30:00',
    };
    const started = await call('POST', '/api/v1/streams', body);
    expect(started.status).toBe(200);
    const { streamId } = (await started.json()) as { streamId: string };
    const session = [...rec.sessions.values()][0]!;
    expect(session.mode).toBe('Playback');
    await waitFor('playback live', () =>
      hub.of('stream.state').some((e) => e.streamId === streamId && e.state === 'live') ? true : undefined,
    );

    expect((await control(streamId, { action: 'pause' })).status).toBe(200);
    expect(session.source.state.paused).toBe(true);
    expect((await control(streamId, { action: 'resume' })).status).toBe(200);
    expect(session.source.state.paused).toBe(false);
    expect((await control(streamId, { action: 'speed', scale: 2 })).status).toBe(200);
    expect(session.source.state.scale).toBe(2);
    expect(session.controls.map((c) => [c.method, c.rangeStart, c.scale])).toEqual([
      ['PAUSE', undefined, undefined],
      ['PLAY', 'now', undefined],
      ['PLAY', undefined, 2],
    ]);
    expect(session.controls.map((c) => c.cseq)).toEqual([1, 2, 3]);
    expect((await control(streamId, { action: 'speed', scale: 8 })).status).toBe(400);
    expect((await control('nope', { action: 'pause' })).status).toBe(404);
    expect((await control(`${CAM}:${CAM}`, { action: 'pause' })).status).toBe(404);

    // Bad input from the device side: INFO outside any dialog, malformed MANSRTSP in the dialog, a bad in-dialog MESSAGE.
    const eventsBefore = hub.events.length;
    expect(await rec.info('no-such-call', 'PLAY RTSP/1.0\r\nCSeq: 1\r\n\r\n')).toBe(481);
    expect(await rec.info(session.callId, 'JUMP RTSP/1.0\r\nCSeq: x\r\n\r\n')).toBe(400);
    expect(await rec.message('<Notify><CmdType>MediaStatus</CmdType><SN>1</SN>', [], session.callId)).toBe(400);
    expect(hub.events.slice(eventsBefore).filter((e) => e.event.type === 'stream.state')).toEqual([]);
    expect(rec.sessions.has(session.callId)).toBe(true);

    // Seek to 5 s before the end: at double speed the recording ends, the device says 121, the bridge hangs up.
    expect((await control(streamId, { action: 'seek', offsetS: 1795 })).status).toBe(200);
    expect(session.controls.at(-1)).toMatchObject({ method: 'PLAY', rangeStart: 1795 });
    const ended = await waitFor('stream ended', () => hub.of('stream.state').find((e) => e.streamId === streamId && e.state === 'ended'));
    expect(ended.reason).toContain('end of the recording');
    await waitFor('BYE at the device', () => (rec.sessions.size === 0 ? true : undefined));
    expect((await control(streamId, { action: 'pause' })).status).toBe(404);
  });

  it('keeps a paused playback through the media watchdog, and fails a stream whose device goes quiet', async () => {
    const started = await call('POST', '/api/v1/streams', {
      deviceId: REC,
      channelId: REC,
      viewerId: 'watch',
      mode: 'playback',
      transport: 'udp',
      startTime: '2026-11-21T10:00:00',
      endTime: '2026-11-21T10:30:00',
    });
    const { streamId } = (await started.json()) as { streamId: string };
    const session = [...rec.sessions.values()][0]!;
    await waitFor('playback live', () =>
      hub.of('stream.state').some((e) => e.streamId === streamId && e.state === 'live') ? true : undefined,
    );
    expect((await control(streamId, { action: 'pause' })).status).toBe(200);
    // Three watchdog periods (3 s each) pass while paused: the device sends nothing, the stream stays.
    const packets = session.source.packetsSent;
    await new Promise((resolve) => setTimeout(resolve, 9_500));
    expect(session.source.packetsSent).toBe(packets);
    expect((await streamStats(streamId))?.state).toBe('live');
    expect((await control(streamId, { action: 'resume' })).status).toBe(200);
    await waitFor('media again', () => (session.source.packetsSent > packets ? true : undefined));
    // Now the device stops sending without a word: the watchdog fails the stream and hangs up.
    session.source.pause();
    const failed = await waitFor(
      'stream failed',
      () => hub.of('stream.state').find((e) => e.streamId === streamId && e.state === 'failed'),
      30_000,
    );
    expect(failed.reason).toContain('no media');
    await waitFor('BYE at the device', () => (rec.sessions.size === 0 ? true : undefined));
  });

  it('downloads a recording (s=Download with a=downloadspeed) and refuses playback control of a live stream', async () => {
    const started = await call('POST', '/api/v1/streams', {
      deviceId: REC,
      channelId: REC,
      viewerId: 'dl',
      mode: 'download',
      downloadSpeed: 4,
      transport: 'udp',
      startTime: '2026-11-21T09:00:00',
      endTime: '2026-11-21T09:45:00',
    });
    expect(started.status).toBe(200);
    const { streamId } = (await started.json()) as { streamId: string };
    expect(streamId).toContain(':download:');
    const session = [...rec.sessions.values()][0]!;
    expect(session.mode).toBe('Download');
    expect(session.sdp).toContain('a=downloadspeed:4');
    expect(String(session.ssrc)).toMatch(/^120000\d{4}$/);
    await leave(streamId, 'dl');
    await waitFor('BYE at the device', () => (rec.sessions.size === 0 ? true : undefined));

    const live = await call('POST', '/api/v1/streams', { deviceId: REC, channelId: REC, viewerId: 'v', transport: 'udp' });
    const liveId = ((await live.json()) as { streamId: string }).streamId;
    const refused = await control(liveId, { action: 'pause' });
    expect(refused.status).toBe(409);
    await leave(liveId, 'v');
    await waitFor('BYE at the device', () => (rec.sessions.size === 0 ? true : undefined));
  });
});
