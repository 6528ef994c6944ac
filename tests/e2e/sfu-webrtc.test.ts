/**
 * The test that catches a broken mediasoup worker build: real Chromium peers, real
 * ICE/DTLS/SRTP through a WebRtcTransport, and decoded frames on the far side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadJoinTokenKey, signJoinToken } from '@cc/runtime';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { rtcPeerBundle } from './support/rtc-bundle.js';

let sfu: Running;
let t: TestEnv;
let browser: Browser;

function token(name: string, room = 'foundation'): string {
  const key = loadJoinTokenKey(t.dataDir);
  return signJoinToken(key, { room, sub: name, name, role: 'court_user', exp: Math.floor(Date.now() / 1000) + 300 });
}

async function peerPage(): Promise<Page> {
  const page = await browser.newPage();
  // Any page of the SFU's origin: 127.0.0.1 is a secure context, so getUserMedia works.
  await page.goto(`${t.sfuUrl}/healthz`);
  await page.addScriptTag({ content: await rtcPeerBundle() });
  return page;
}

beforeAll(async () => {
  t = await testEnv();
  sfu = startNode('sfu/dist/main.js', [], t.env);
  await waitFor('sfu healthy', () => health(t.sfuUrl), 60_000);
  browser = await launchChromium(WEBRTC_FLAGS);
});

afterAll(async () => {
  await browser?.close();
  sfu?.child.kill('SIGTERM');
  await sfu?.exited;
});

describe('SFU media path (real mediasoup worker, real Chromium)', () => {
  it('relays a fake camera and microphone from one browser peer to another, which decodes the frames', async () => {
    const ws = `${t.sfuUrl.replace('http', 'ws')}/ws`;
    const sender = await peerPage();
    const receiver = await peerPage();
    await sender.evaluate(([url, tk]) => (window as any).ccPeer.join(url, tk), [ws, token('sender')]);
    const produced = await sender.evaluate(() => (window as any).ccPeer.publishCamera());
    expect(produced).toHaveLength(2);

    await receiver.evaluate(([url, tk]) => (window as any).ccPeer.join(url, tk), [ws, token('receiver')]);
    expect(await receiver.evaluate(() => (window as any).ccPeer.consumeAll())).toBe(2);

    const stats = await waitFor(
      'frames decoded and audio received',
      async () => {
        const s: { kind: string; framesDecoded: number; packetsReceived: number }[] = await receiver.evaluate(() =>
          (window as any).ccPeer.receiveStats(),
        );
        const video = s.find((x) => x.kind === 'video');
        const audio = s.find((x) => x.kind === 'audio');
        return video && audio && video.framesDecoded > 10 && audio.packetsReceived > 10 ? s : undefined;
      },
      30_000,
    );
    expect(stats.find((x) => x.kind === 'video')?.framesDecoded).toBeGreaterThan(10);
    // The sender learned about the receiver joining.
    expect(await sender.evaluate(() => (window as any).ccPeer.events)).toContain('participantJoined');
    await sender.close();
    await receiver.close();
  });

  it('refuses a forged or expired join token with a clear error', async () => {
    const ws = `${t.sfuUrl.replace('http', 'ws')}/ws`;
    const page = await peerPage();
    const forged = `${token('x').split('.')[0]}.AAAA`;
    const forgedError = await page.evaluate(
      ([url, tk]) =>
        (window as any).ccPeer.join(url, tk).then(
          () => 'joined',
          (e: Error) => e.message,
        ),
      [ws, forged],
    );
    expect(forgedError).toContain('invalid_token');
    const key = loadJoinTokenKey(t.dataDir);
    const expired = signJoinToken(key, { room: 'r', sub: 'late', name: 'late', role: 'viewer', exp: Math.floor(Date.now() / 1000) - 1 });
    const page2 = await peerPage();
    const expiredError = await page2.evaluate(
      ([url, tk]) =>
        (window as any).ccPeer.join(url, tk).then(
          () => 'joined',
          (e: Error) => e.message,
        ),
      [ws, expired],
    );
    expect(expiredError).toContain('token_expired');
    await page.close();
    await page2.close();
  });

  it('answers malformed, unknown and out-of-order signalling with errors and keeps serving', async () => {
    const ws = `${t.sfuUrl.replace('http', 'ws')}/ws`;
    const page = await peerPage();
    const replies = await page.evaluate(async (url) => {
      const socket = new WebSocket(url);
      await new Promise((r) => (socket.onopen = r));
      const ask = (text: string): Promise<any> =>
        new Promise((resolve) => {
          socket.onmessage = (e) => resolve(JSON.parse(String(e.data)));
          socket.send(text);
        });
      return [
        await ask('not json'),
        await ask(JSON.stringify({ id: 1, type: 'selfDestruct', data: {} })),
        await ask(JSON.stringify({ id: 2, type: 'produce', data: { transportId: 'x' } })),
        await ask(JSON.stringify({ id: 3, type: 'createTransport', data: { direction: 'send' } })),
      ];
    }, ws);
    expect(replies.map((r: any) => r.error?.code)).toEqual(['bad_request', 'unknown_message_type', 'validation_failed', 'out_of_order']);
    expect(replies[3].error.message).toBe('操作顺序错误');
    expect((await health(t.sfuUrl))?.status).toBe('ok');
    await page.close();
  });

  it('huge frames, oversized fields and bad requests from a joined peer do not disturb a running call', async () => {
    const ws = `${t.sfuUrl.replace('http', 'ws')}/ws`;
    const sender = await peerPage();
    const receiver = await peerPage();
    await sender.evaluate(([url, tk]) => (window as any).ccPeer.join(url, tk), [ws, token('sender-2', 'calm')]);
    await sender.evaluate(() => (window as any).ccPeer.publishCamera(320, 180));
    await receiver.evaluate(([url, tk]) => (window as any).ccPeer.join(url, tk), [ws, token('receiver-2', 'calm')]);
    await receiver.evaluate(() => (window as any).ccPeer.consumeAll());
    const frames = async (): Promise<number> =>
      (await receiver.evaluate(() => (window as any).ccPeer.receiveStats())).find((s: any) => s.kind === 'video')?.framesDecoded ?? 0;
    await waitFor('call running', async () => ((await frames()) > 10 ? true : undefined));

    const attacker = await peerPage();
    const outcome = await attacker.evaluate(async (url) => {
      const socket = new WebSocket(url);
      await new Promise((r) => (socket.onopen = r));
      const ask = (text: string): Promise<any> =>
        new Promise((resolve) => {
          socket.onmessage = (e) => resolve(JSON.parse(String(e.data)));
          socket.send(text);
        });
      const longToken = await ask(JSON.stringify({ id: 1, type: 'join', data: { token: 'x'.repeat(10_000) } }));
      const extraField = await ask(JSON.stringify({ id: 2, type: 'leave', data: { sneaky: true } }));
      const closed = new Promise<number>((resolve) => (socket.onclose = (e) => resolve(e.code)));
      socket.send(JSON.stringify({ id: 3, type: 'join', data: { token: 'y'.repeat(200_000) } }));
      return { longToken: longToken.error.code, extraField: extraField.error.code, closeCode: await closed };
    }, ws);
    // Oversized field and unknown field: validation errors; a frame over 64 KiB closes that socket
    // (1009 "message too big", seen as 1006 when the server drops the connection first).
    expect(outcome).toMatchObject({ longToken: 'validation_failed', extraField: 'validation_failed' });
    expect([1006, 1009]).toContain(outcome.closeCode);

    // A joined peer's own bad requests are answered and it stays in the call.
    const consumeGhost = await receiver.evaluate(() =>
      (window as any).ccPeer.client.channel
        .request('consume', { transportId: 'nope', producerId: 'ghost' })
        .catch((e: any) => e.code ?? e.message),
    );
    expect(consumeGhost).toBe('not_found');
    const raw = await receiver.evaluate(() => (window as any).ccPeer.client.moderation.giveFloor('nobody').catch((e: any) => e.code));
    expect(raw).toBe('forbidden');
    const before = await frames();
    await waitFor('call still running', async () => ((await frames()) > before + 10 ? true : undefined));
    expect((await health(t.sfuUrl))?.details.sessions).toBe(2);
    for (const page of [sender, receiver, attacker]) await page.close();
  });

  it('restarts ICE when transports report disconnected (network change simulated: the client handler is called directly), media keeps flowing', async () => {
    const ws = `${t.sfuUrl.replace('http', 'ws')}/ws`;
    const sender = await peerPage();
    const receiver = await peerPage();
    await sender.evaluate(([url, tk]) => (window as any).ccPeer.join(url, tk), [ws, token('sender-4', 'ice')]);
    await sender.evaluate(() => (window as any).ccPeer.publishCamera(320, 180));
    await receiver.evaluate(([url, tk]) => (window as any).ccPeer.join(url, tk, { autoSubscribe: true }), [ws, token('receiver-4', 'ice')]);
    const frames = async (): Promise<number> =>
      (await receiver.evaluate(() => (window as any).ccPeer.receiveStats())).find((s: any) => s.kind === 'video')?.framesDecoded ?? 0;
    await waitFor('call running', async () => ((await frames()) > 10 ? true : undefined));
    // What the client does when a transport reports 'disconnected' (a network change): new ICE
    // parameters from the SFU, restartIce in the browser; 'reconnecting' until connected again.
    for (const page of [sender, receiver]) {
      await page.evaluate(async () => {
        const client = (window as any).ccPeer.client;
        await client.onTransportState(client.sendTransport, 'disconnected');
        await client.onTransportState(client.recvTransport, 'disconnected');
      });
    }
    expect(await receiver.evaluate(() => (window as any).ccPeer.states)).toContain('reconnecting');
    await waitFor('connected again', async () =>
      (await receiver.evaluate(() => (window as any).ccPeer.client.state)) === 'connected' ? true : undefined,
    );
    const before = await frames();
    await waitFor('media after the ICE restart', async () => ((await frames()) > before + 10 ? true : undefined));
    await sender.close();
    await receiver.close();
  });

  it('the client library rejoins by itself when the SFU process restarts, reporting reconnecting meanwhile', async () => {
    const ws = `${t.sfuUrl.replace('http', 'ws')}/ws`;
    const sender = await peerPage();
    const receiver = await peerPage();
    await sender.evaluate(([url, tk]) => (window as any).ccPeer.join(url, tk), [ws, token('sender-3', 'restart')]);
    await sender.evaluate(() => (window as any).ccPeer.publishCamera(320, 180));
    await receiver.evaluate(
      ([url, tk]) => (window as any).ccPeer.join(url, tk, { autoSubscribe: true }),
      [ws, token('receiver-3', 'restart')],
    );
    const frames = async (): Promise<number> =>
      (await receiver.evaluate(() => (window as any).ccPeer.receiveStats())).find((s: any) => s.kind === 'video')?.framesDecoded ?? 0;
    await waitFor('call running', async () => ((await frames()) > 10 ? true : undefined));

    sfu.child.kill('SIGTERM');
    await sfu.exited;
    await waitFor('clients reconnecting', async () =>
      (await receiver.evaluate(() => (window as any).ccPeer.states)).includes('reconnecting') ? true : undefined,
    );
    sfu = startNode('sfu/dist/main.js', [], t.env);
    await waitFor('sfu healthy again', () => health(t.sfuUrl), 60_000);
    await waitFor('both rejoined', async () => {
      for (const page of [sender, receiver])
        if ((await page.evaluate(() => (window as any).ccPeer.rejoinMs.length)) === 0) return undefined;
      return true;
    });
    await waitFor('decoding again', async () => ((await frames()) > 10 ? true : undefined), 30_000);
    expect((await receiver.evaluate(() => (window as any).ccPeer.states)).at(-1)).toBe('connected');
    await sender.close();
    await receiver.close();
  });
});
