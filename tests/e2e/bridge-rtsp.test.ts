/**
 * An RTSP camera (a GStreamer RTSP server: H.264 + G.711) pulled by the bridge's
 * supervised ffmpeg into a real SFU, watched in Chromium; when the camera goes away the
 * pull fails and is restarted with backoff until the camera is back. Stub hub.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { loadJoinTokenKey, serviceAuthorization, signJoinToken } from '../../runtime/src/join-token.js';
import { startHubStub, type HubStub } from '../../device-bridge/src/sim/hub-stub.js';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { freePort } from './support/ports.js';
import { health, repoRoot, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { rtcPeerBundle } from './support/rtc-bundle.js';

async function startCamera(port: number): Promise<ChildProcess> {
  const camera = spawn('/usr/bin/python3', [join(repoRoot, 'bench/bridge/rtsp-camera.py'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  camera.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await waitFor('RTSP camera ready', () => (out.includes('ready') ? true : undefined), 20_000);
  return camera;
}

describe('RTSP camera through supervised ffmpeg into the SFU (GStreamer camera, real SFU, Chromium, stub hub)', () => {
  let t: TestEnv;
  let hub: HubStub;
  let sfu: Running;
  let bridge: Running;
  let camera: ChildProcess | undefined;
  let browser: Browser;
  let cameraPort: number;
  const statuses = () => hub.of('rtsp.status').filter((e) => e.deviceId === 'cam-gate');

  beforeAll(async () => {
    cameraPort = await freePort();
    camera = await startCamera(cameraPort);
    const hubPort = await freePort();
    t = await testEnv({
      CC_BRIDGE_HUB_URL: `http://127.0.0.1:${hubPort}`,
      CC_BRIDGE_RTSP_CAMERAS: JSON.stringify([{ deviceId: 'cam-gate', url: `rtsp://127.0.0.1:${cameraPort}/cam`, name: '南门' }]),
    });
    hub = await startHubStub(t.dataDir, hubPort);
    sfu = startNode('sfu/dist/main.js', [], t.env);
    await waitFor('sfu healthy', () => health(t.sfuUrl), 60_000);
    bridge = startNode('device-bridge/dist/main.js', [], t.env);
    await waitFor('bridge healthy', () => health(t.bridgeUrl), 30_000);
    browser = await launchChromium(WEBRTC_FLAGS);
  });

  afterAll(async () => {
    await browser?.close();
    for (const r of [bridge, sfu]) {
      r?.child.kill('SIGTERM');
      await r?.exited;
    }
    camera?.kill('SIGTERM');
    await hub?.close();
  });

  it('pulls the camera, reports streaming, and a Chromium viewer decodes its video and receives its G.711 audio', async () => {
    await waitFor('streaming', () => (statuses().some((e) => e.state === 'streaming') ? true : undefined), 30_000);
    const response = await fetch(`${t.bridgeUrl}/api/v1/streams`, {
      method: 'POST',
      headers: { authorization: serviceAuthorization(loadJoinTokenKey(t.dataDir), 'hub'), 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'cam-gate', channelId: 'cam-gate', viewerId: 'wall-2' }),
    });
    const info = (await response.json()) as { room: string; state: string };
    expect(info.state).toBe('live');
    const page = await browser.newPage();
    await page.goto(`${t.sfuUrl}/healthz`);
    await page.addScriptTag({ content: await rtcPeerBundle() });
    const token = signJoinToken(loadJoinTokenKey(t.dataDir), {
      room: info.room,
      sub: 'wall-2',
      name: 'wall-2',
      role: 'viewer',
      exp: Math.floor(Date.now() / 1000) + 300,
    });
    await page.evaluate(
      ([url, tk]) => (window as any).ccPeer.join(url, tk, { autoSubscribe: true }),
      [`${t.sfuUrl.replace('http', 'ws')}/ws`, token],
    );
    await waitFor(
      'frames decoded',
      async () => {
        const stats: { kind: string; framesDecoded: number; packetsReceived: number }[] = await page.evaluate(() =>
          (window as any).ccPeer.receiveStats(),
        );
        const video = stats.find((s) => s.kind === 'video')?.framesDecoded ?? 0;
        const audio = stats.find((s) => s.kind === 'audio')?.packetsReceived ?? 0;
        return video > 25 && audio > 25 ? true : undefined;
      },
      45_000,
    );
    await page.close();
  });

  it('restarts the pull with backoff while the camera is gone and streams again when it returns', async () => {
    camera?.kill('SIGTERM');
    await waitFor('failed', () => (statuses().at(-1)?.state === 'failed' ? true : undefined), 30_000);
    camera = await startCamera(cameraPort);
    const back = await waitFor(
      'streaming again',
      () => {
        const last = statuses().at(-1);
        return last?.state === 'streaming' && last.restarts > 0 ? last : undefined;
      },
      60_000,
    );
    expect(back.restarts).toBeGreaterThan(0);
  });
});
