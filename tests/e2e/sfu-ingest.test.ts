/**
 * Ingest API with real senders and receivers: ffmpeg sends H.264 RTP to a PlainTransport
 * producer and a Chromium viewer of the live room decodes it; the intercom listen leg sends
 * a browser's Opus microphone as RTP to a UDP socket (the bridge's side); bad calls get errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { INGEST_PREFIX, ingestListenerSchema, ingestSourceSchema, type IngestSource } from '@cc/protocol';
import { loadJoinTokenKey, serviceAuthorization, signJoinToken } from '@cc/runtime';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { rtcPeerBundle } from './support/rtc-bundle.js';

let t: TestEnv;
let sfu: Running;
let browser: Browser;
let ffmpeg: ChildProcess | undefined;
let udp: Socket | undefined;

function api(path: string, init: RequestInit & { auth?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = init.body === undefined ? {} : { 'content-type': 'application/json' };
  if (init.auth !== false) headers.authorization = serviceAuthorization(loadJoinTokenKey(t.dataDir), 'device-bridge');
  return fetch(`${t.sfuUrl}${INGEST_PREFIX}${path}`, { ...init, headers });
}

function token(room: string, sub: string, role: 'viewer' | 'court_user'): string {
  return signJoinToken(loadJoinTokenKey(t.dataDir), { room, sub, name: sub, role, exp: Math.floor(Date.now() / 1000) + 300 });
}

async function peerPage(room: string, sub: string, role: 'viewer' | 'court_user'): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${t.sfuUrl}/healthz`);
  await page.addScriptTag({ content: await rtcPeerBundle() });
  await page.evaluate(
    ([url, tk]) => (window as any).ccPeer.join(url, tk, { autoSubscribe: true }),
    [`${t.sfuUrl.replace('http', 'ws')}/ws`, token(room, sub, role)],
  );
  return page;
}

beforeAll(async () => {
  t = await testEnv();
  sfu = startNode('sfu/dist/main.js', [], t.env);
  await waitFor('sfu healthy', () => health(t.sfuUrl), 60_000);
  browser = await launchChromium(WEBRTC_FLAGS);
});

afterAll(async () => {
  ffmpeg?.kill('SIGKILL');
  udp?.close();
  await browser?.close();
  sfu?.child.kill('SIGTERM');
  await sfu?.exited;
});

describe('SFU ingest API (real ffmpeg, real Chromium)', () => {
  let source: IngestSource;

  it('refuses calls without service authorization and bodies that do not fit the schema', async () => {
    const noAuth = await api('/sources', {
      method: 'POST',
      body: JSON.stringify({ name: 'x', video: { codec: 'H264', ssrc: 1 } }),
      auth: false,
    });
    expect(noAuth.status).toBe(401);
    const empty = await api('/sources', { method: 'POST', body: JSON.stringify({ name: 'no tracks' }) });
    expect(empty.status).toBe(400);
    expect((await empty.json()).error.code).toBe('validation_failed');
    const h265 = await api('/sources', { method: 'POST', body: JSON.stringify({ name: 'x', video: { codec: 'H265', ssrc: 1 } }) });
    expect(h265.status).toBe(400);
    expect((await api('/sources/nope', { method: 'DELETE' })).status).toBe(404);
    expect(((await (await api('/sources')).json()) as { sources: unknown[] }).sources).toEqual([]);
  });

  it('ffmpeg sends H.264 RTP to an ingest producer and a Chromium viewer decodes it', async () => {
    const created = await api('/sources', {
      method: 'POST',
      body: JSON.stringify({
        name: '执法记录仪 01',
        deviceId: '34020000001320000001',
        video: { codec: 'H264', payloadType: 102, ssrc: 22222222 },
      }),
    });
    expect(created.status).toBe(201);
    source = ingestSourceSchema.parse(await created.json());
    const video = source.tracks[0]!;
    expect(source.room).toBe(`live:${source.sourceId}`);
    // High profile without B-frames, declared 42e01f: what cameras send and Chromium decodes.
    ffmpeg = spawn('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0', '-g', '25', '-pix_fmt', 'yuv420p'],
      ...[
        '-f',
        'rtp',
        '-payload_type',
        '102',
        '-ssrc',
        '22222222',
        `rtp://${video.ip}:${video.port}?rtcpport=${video.rtcpPort}&pkt_size=1200`,
      ],
    ]);
    const viewer = await peerPage(source.room, 'wall-1', 'viewer');
    const frames = await waitFor(
      'viewer decodes the ingest stream',
      async () => {
        const stats: { kind: string; framesDecoded: number }[] = await viewer.evaluate(() => (window as any).ccPeer.receiveStats());
        const decoded = stats.find((s) => s.kind === 'video')?.framesDecoded ?? 0;
        return decoded > 25 ? decoded : undefined;
      },
      45_000,
    );
    expect(frames).toBeGreaterThan(25);

    // The worker dies: the source comes back on the same ports (ffmpeg keeps sending, unaware),
    // the viewer rejoins by itself and decodes again.
    const [pid] = (await health(t.sfuUrl))?.details.workerPids as number[];
    process.kill(pid!, 'SIGKILL');
    await waitFor('worker replaced', async () => ((await health(t.sfuUrl))?.details.workerRestarts === 1 ? true : undefined));
    await waitFor('viewer rejoined', async () =>
      (await viewer.evaluate(() => (window as any).ccPeer.rejoinMs.length)) > 0 ? true : undefined,
    );
    await waitFor(
      'viewer decodes the ingest stream again',
      async () => {
        const stats: { kind: string; framesDecoded: number }[] = await viewer.evaluate(() => (window as any).ccPeer.receiveStats());
        return (stats.find((s) => s.kind === 'video')?.framesDecoded ?? 0) > 25 ? true : undefined;
      },
      45_000,
    );
    const listed = ((await (await api('/sources')).json()) as { sources: IngestSource[] }).sources;
    expect(listed.map((s) => [s.sourceId, s.tracks[0]?.port])).toEqual([[source.sourceId, video.port]]);
    source = listed[0]!;
    // A viewer may watch but not publish.
    expect(await viewer.evaluate(() => (window as any).ccPeer.call('publishCamera'))).toEqual({ error: 'forbidden' });
    await viewer.close();
  });

  it('intercom listen leg: a browser microphone in the room arrives as Opus RTP at the bridge’s UDP port', async () => {
    const socket = createSocket('udp4');
    udp = socket;
    let packets = 0;
    let payloadType = -1;
    socket.on('message', (message) => {
      packets++;
      payloadType = message[1]! & 0x7f;
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const console = await peerPage(source.room, 'duty-console', 'court_user');
    await console.evaluate(() => (window as any).ccPeer.publishCamera(320, 180));
    const producers = (await (await api(`/rooms/${encodeURIComponent(source.room)}/producers`)).json()) as {
      producers: { source: string }[];
    };
    expect(producers.producers.map((p) => p.source).sort()).toEqual(['camera', 'device', 'microphone']);

    const response = await api('/listeners', {
      method: 'POST',
      body: JSON.stringify({ room: source.room, ip: '127.0.0.1', port: socket.address().port }),
    });
    expect(response.status).toBe(201);
    const listener = ingestListenerSchema.parse(await response.json());
    expect(listener.mimeType.toLowerCase()).toBe('audio/opus');
    await waitFor('RTP at the bridge', () => (packets > 25 ? true : undefined), 20_000);
    expect(payloadType).toBe(listener.payloadType);
    // PCMA from a browser's Opus microphone would need transcoding: refused, not silently broken.
    const pcma = await api('/listeners', {
      method: 'POST',
      body: JSON.stringify({ room: source.room, ip: '127.0.0.1', port: 9, codec: 'PCMA' }),
    });
    expect(pcma.status).toBe(400);
    expect((await api(`/listeners/${listener.listenerId}`, { method: 'DELETE' })).status).toBe(200);
    await console.close();
  });

  it('closing a source removes it', async () => {
    expect((await api(`/sources/${source.sourceId}`, { method: 'DELETE' })).status).toBe(200);
    expect(((await (await api('/sources')).json()) as { sources: unknown[] }).sources).toEqual([]);
    expect((await health(t.sfuUrl))?.status).toBe('ok');
  });
});
