/**
 * Simulcast with the layer chosen by the tile size: a Chromium peer sends its 640x360 camera
 * as two layers (180 and 360 lines); the viewer's tile size decides which one it decodes, and
 * a hidden tile (0×0) stops the stream. Also screen sharing (Chromium's real screen capture,
 * auto-selected) as its own source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadJoinTokenKey, signJoinToken } from '@cc/runtime';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { rtcPeerBundle } from './support/rtc-bundle.js';

let t: TestEnv;
let sfu: Running;
let browser: Browser;

async function peer(sub: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${t.sfuUrl}/healthz`);
  await page.addScriptTag({ content: await rtcPeerBundle() });
  const tk = signJoinToken(loadJoinTokenKey(t.dataDir), {
    room: 'simulcast',
    sub,
    name: sub,
    role: 'court_user',
    exp: Math.floor(Date.now() / 1000) + 300,
  });
  await page.evaluate(
    ([url, token]) => (window as any).ccPeer.join(url, token, { autoSubscribe: true }),
    [`${t.sfuUrl.replace('http', 'ws')}/ws`, tk],
  );
  return page;
}

beforeAll(async () => {
  t = await testEnv();
  sfu = startNode('sfu/dist/main.js', [], t.env);
  await waitFor('sfu healthy', () => health(t.sfuUrl), 60_000);
  browser = await launchChromium([...WEBRTC_FLAGS, '--auto-select-desktop-capture-source=Entire screen']);
});

afterAll(async () => {
  await browser?.close();
  sfu?.child.kill('SIGTERM');
  await sfu?.exited;
});

describe('SFU simulcast: layer by tile size (real Chromium)', () => {
  it('a small tile gets the 180-line layer, a large one the 360-line layer, a hidden one nothing', async () => {
    const sender = await peer('camera');
    await sender.evaluate(() => (window as any).ccPeer.publishCamera(640, 360));
    const viewer = await peer('viewer');
    const videoId: string = await waitFor('video track at the viewer', () =>
      viewer.evaluate(() => (window as any).ccPeer.client.remoteTracks().find((r: any) => r.kind === 'video')?.producerId),
    );
    const height = async (): Promise<{ height: number; framesDecoded: number }> =>
      (await viewer.evaluate(() => (window as any).ccPeer.videoHeights()))[0] ?? { height: 0, framesDecoded: 0 };
    const settle = (lines: number): Promise<unknown> =>
      waitFor(`decoding ${lines} lines`, async () => ((await height()).height === lines ? true : undefined), 45_000);

    await viewer.evaluate((id) => (window as any).ccPeer.client.setTileSize(id, 640, 360), videoId);
    await settle(360);
    await viewer.evaluate((id) => (window as any).ccPeer.client.setTileSize(id, 320, 180), videoId);
    await settle(180);
    await viewer.evaluate((id) => (window as any).ccPeer.client.setTileSize(id, 1280, 720), videoId);
    await settle(360);

    await viewer.evaluate((id) => (window as any).ccPeer.client.setTileSize(id, 0, 0), videoId);
    await new Promise((r) => setTimeout(r, 1000));
    const paused = (await height()).framesDecoded;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await height()).framesDecoded - paused).toBeLessThan(3);
    await viewer.evaluate((id) => (window as any).ccPeer.client.setTileSize(id, 320, 180), videoId);
    await waitFor('decoding again', async () => ((await height()).framesDecoded > paused + 10 ? true : undefined));
    const unknown = await viewer.evaluate(() =>
      (window as any).ccPeer.client.channel.request('setTileSize', { consumerId: 'nope', width: 1, height: 1 }).catch((e: any) => e.code),
    );
    expect(unknown).toBe('not_found');
    await sender.close();
    await viewer.close();
  });

  it('shares a screen as its own source, received and decoded by the others', async () => {
    const presenter = await peer('presenter');
    const viewer = await peer('viewer-2');
    const producerId: string = await presenter.evaluate(() => (window as any).ccPeer.client.publishScreen());
    await waitFor('screen decoded', async () => {
      const tracks: { producerId: string; source: string }[] = await viewer.evaluate(() => (window as any).ccPeer.client.remoteTracks());
      if (tracks.find((t) => t.producerId === producerId)?.source !== 'screen') return undefined;
      const heights: { producerId: string; framesDecoded: number }[] = await viewer.evaluate(() => (window as any).ccPeer.videoHeights());
      return (heights.find((h) => h.producerId === producerId)?.framesDecoded ?? 0) > 5 ? true : undefined;
    });
    await presenter.evaluate(() => (window as any).ccPeer.client.unpublish('screen'));
    await waitFor('screen gone at the viewer', async () => {
      const tracks: { producerId: string }[] = await viewer.evaluate(() => (window as any).ccPeer.client.remoteTracks());
      return tracks.some((t) => t.producerId === producerId) ? undefined : true;
    });
    await presenter.close();
    await viewer.close();
  });
});
