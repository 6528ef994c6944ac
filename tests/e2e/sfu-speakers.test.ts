/**
 * Active speaker and last N: one Chromium peer speaks (a loud tone), one is silent; the SFU
 * names the speaker, and in a room larger than N (here N = 1) the viewer receives the speaker's
 * video at the high simulcast layer and the silent peer's at the low one.
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

async function peer(sub: string): Promise<{ page: Page; peerId: string }> {
  const page = await browser.newPage();
  await page.goto(`${t.sfuUrl}/healthz`);
  await page.addScriptTag({ content: await rtcPeerBundle() });
  const tk = signJoinToken(loadJoinTokenKey(t.dataDir), {
    room: 'speakers',
    sub,
    name: sub,
    role: 'court_user',
    exp: Math.floor(Date.now() / 1000) + 300,
  });
  const peerId: string = await page.evaluate(
    ([url, token]) => (window as any).ccPeer.join(url, token, { autoSubscribe: true }),
    [`${t.sfuUrl.replace('http', 'ws')}/ws`, tk],
  );
  return { page, peerId };
}

beforeAll(async () => {
  t = await testEnv();
  sfu = startNode('sfu/dist/main.js', [], { ...t.env, CC_SFU_LAST_N: '1' });
  await waitFor('sfu healthy', () => health(t.sfuUrl), 60_000);
  browser = await launchChromium(WEBRTC_FLAGS);
});

afterAll(async () => {
  await browser?.close();
  sfu?.child.kill('SIGTERM');
  await sfu?.exited;
});

describe('SFU active speaker and last N (real Chromium)', () => {
  it('names the loud peer as speaker and sends only its video at the high layer', async () => {
    const loud = await peer('loud');
    const quiet = await peer('quiet');
    const viewer = await peer('viewer');
    await loud.page.evaluate(() => (window as any).ccPeer.publishCameraWithTone(true));
    await quiet.page.evaluate(() => (window as any).ccPeer.publishCameraWithTone(false));

    const speakers = await waitFor('speaker named', async () => {
      const list: { peerId: string | null; lastN: string[] }[] = await viewer.page.evaluate(() => (window as any).ccPeer.speakers);
      return list.at(-1)?.peerId ? list : undefined;
    });
    expect(speakers.at(-1)).toEqual({ peerId: loud.peerId, lastN: [loud.peerId] });
    expect(speakers.some((s) => s.peerId === quiet.peerId)).toBe(false);

    // Large tiles for both: the speaker's arrives at 360 lines, the silent peer's only at 180.
    const heights = async (): Promise<Record<string, number>> => {
      const tracks: { producerId: string; height: number }[] = await viewer.page.evaluate(() => (window as any).ccPeer.videoHeights());
      const owners: { producerId: string; peerId: string }[] = await viewer.page.evaluate(() =>
        (window as any).ccPeer.client.remoteTracks(),
      );
      const by: Record<string, number> = {};
      for (const track of tracks) by[owners.find((o) => o.producerId === track.producerId)!.peerId] = track.height;
      return by;
    };
    await waitFor(
      'speaker high, silent peer low',
      async () => {
        const h = await heights();
        return h[loud.peerId] === 360 && h[quiet.peerId] === 180 ? h : undefined;
      },
      45_000,
    );
    for (const p of [loud, quiet, viewer]) await p.page.close();
  });
});
