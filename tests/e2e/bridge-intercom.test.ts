/**
 * SIP intercom terminals (对讲) with real baresip phones: digest registration, then calls both
 * ways through a real SFU with a Chromium console (Opus microphone, consumes the intercom's
 * G.711 voice) and the bridge's GStreamer transcoder towards the intercom. The hub side is the
 * bridge's hub stub (the real hub's relay of calls is built elsewhere): it checks the events'
 * schema and service authorization as the hub does.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { loadJoinTokenKey, serviceAuthorization } from '@cc/runtime';
import { GbFleet } from '../../device-bridge/src/sim/gb-fleet.js';
import { startHubStub, type HubStub } from '../../device-bridge/src/sim/hub-stub.js';
import { answer, header, parseSipText } from '../../device-bridge/src/sim/sip-text.js';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { baresip, consoleHears, consolePage, heardRms, type Phone } from './support/intercom-peers.js';
import { freePort } from './support/ports.js';
import { descendants, health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';

/** The bridge's SIP stack on 127.0.0.2, the phones on 127.0.0.1 (the `sip` package treats its own address as local). */
const BRIDGE_HOST = '127.0.0.2';
const CONSOLE_NUMBER = '8000';

let t: TestEnv;
let hub: HubStub;
let sfu: Running;
let bridge: Running;
let browser: Browser;
let sipPort: number;
let registrar: string;
let tone: string;
const phones: ChildProcess[] = [];
let phoneC: Phone;

function bridgeApi(path: string, method = 'GET', body?: unknown): Promise<Response> {
  return fetch(`${t.bridgeUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: serviceAuthorization(loadJoinTokenKey(t.dataDir), 'hub'),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function callEvents(callId: string) {
  return hub.of('call.state').filter((e) => e.callId === callId);
}

function gstChildren(): number[] {
  return descendants(bridge.child.pid!).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('gst-launch');
    } catch {
      return false;
    }
  });
}

beforeAll(async () => {
  sipPort = await freePort();
  const hubPort = await freePort();
  t = await testEnv({
    CC_BRIDGE_SIP_HOST: BRIDGE_HOST,
    CC_BRIDGE_SIP_PORT: String(sipPort),
    CC_BRIDGE_HUB_URL: `http://127.0.0.1:${hubPort}`,
    CC_BRIDGE_INTERCOM_CONSOLE_NUMBER: CONSOLE_NUMBER,
    CC_BRIDGE_INTERCOM_RING_TIMEOUT_S: '8',
    CC_BRIDGE_INTERCOM_MEDIA_TIMEOUT_S: '4',
  });
  registrar = `${BRIDGE_HOST}:${sipPort}`;
  tone = join(t.dataDir, 'tone.wav');
  const devicesFile = join(t.dataDir, 'devices.json');
  writeFileSync(
    devicesFile,
    JSON.stringify({
      devices: [
        { deviceId: 'intercom-8001', kind: 'intercom', password: 'talk-8001', name: '审判庭对讲' },
        { deviceId: 'intercom-8002', kind: 'intercom', password: 'talk-8002' },
        { deviceId: 'intercom-8003', kind: 'intercom', password: 'talk-8003', name: '执行局门口对讲' },
        { deviceId: 'intercom-8004', kind: 'intercom', password: 'talk-8004' },
        { deviceId: 'intercom-8009', kind: 'intercom', password: 'talk-8009' },
        { deviceId: '34020000001320000009', kind: 'gb28181', password: 'cam' },
      ],
    }),
  );
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=120'],
    ...['-ar', '8000', '-ac', '1', '-c:a', 'pcm_s16le', tone],
  ]);
  hub = await startHubStub(t.dataDir, hubPort);
  sfu = startNode('sfu/dist/main.js', [], t.env);
  bridge = startNode('device-bridge/dist/main.js', [], { ...t.env, CC_BRIDGE_DEVICES_FILE: devicesFile });
  await waitFor('sfu healthy', () => health(t.sfuUrl), 60_000);
  await waitFor('bridge healthy', () => health(t.bridgeUrl), 30_000);
  browser = await launchChromium(WEBRTC_FLAGS);
}, 120_000);

afterAll(async () => {
  for (const phone of phones) phone.kill('SIGKILL');
  await browser?.close();
  bridge?.child.kill('SIGTERM');
  sfu?.child.kill('SIGTERM');
  await Promise.all([bridge?.exited, sfu?.exited]);
  await hub?.close();
});

async function registeredPhone(name: string, user: string, password: string, autoAnswer = true): Promise<Phone> {
  const before = hub.of('device.registered').length;
  const phone = await baresip({ dir: join(t.dataDir, name), user, password, registrar, tone, autoAnswer });
  phones.push(phone.child);
  await waitFor(
    `${user} registered`,
    () =>
      hub
        .of('device.registered')
        .slice(before)
        .find((e) => e.deviceId === user),
    30_000,
  );
  return phone;
}

describe('SIP intercoms register with digest (real baresip, stub hub)', () => {
  it('registers baresip as an intercom, refuses a wrong password, and sees the unregister when it quits', async () => {
    const good = await baresip({ dir: join(t.dataDir, 'phone-a'), user: 'intercom-8001', password: 'talk-8001', registrar, tone });
    phones.push(good.child);
    phones.push((await baresip({ dir: join(t.dataDir, 'phone-b'), user: 'intercom-8002', password: 'wrong', registrar, tone })).child);
    const registered = await waitFor(
      'intercom registered',
      () => hub.of('device.registered').find((e) => e.deviceId === 'intercom-8001'),
      30_000,
    );
    expect(registered).toMatchObject({ kind: 'intercom', transport: 'udp' });
    await waitFor('online', () => (hub.of('device.online').some((e) => e.deviceId === 'intercom-8001') ? true : undefined));
    // Give the wrong-password phone time for its attempts: it must never register.
    await new Promise((r) => setTimeout(r, 1500));
    expect(hub.of('device.registered').some((e) => e.deviceId === 'intercom-8002')).toBe(false);
    // Its failures count against 127.0.0.1 (rate limit per source): stop it.
    phones[1]!.kill('SIGKILL');
    good.child.kill('SIGTERM');
    const offline = await waitFor('unregistered', () => hub.of('device.offline').find((e) => e.deviceId === 'intercom-8001'), 20_000);
    expect(offline.reason).toBe('unregistered');
  });
});

describe('intercom calls (real baresip, real SFU + Chromium console, GStreamer transcoder, stub hub)', () => {
  it('refuses calls to unknown devices, non-intercoms, unregistered intercoms and unknown calls, changing nothing', async () => {
    const cases: [unknown, number, string][] = [
      [{ deviceId: 'intercom-9999' }, 404, 'not_found'],
      [{ deviceId: '34020000001320000009' }, 400, 'validation_failed'],
      [{ deviceId: 'intercom-8002' }, 503, 'unavailable'],
      [{ deviceId: 'bad id!' }, 400, 'validation_failed'],
      [{ deviceId: 'intercom-8003', room: 'no spaces allowed' }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const response = await bridgeApi('/calls', 'POST', body);
      expect([body, response.status]).toEqual([body, status]);
      expect((await response.json()).error.code).toBe(code);
    }
    expect((await bridgeApi('/calls/nope', 'DELETE')).status).toBe(404);
    expect((await bridgeApi('/calls/nope/answer', 'POST', {})).status).toBe(404);
    expect(await (await bridgeApi('/calls')).json()).toEqual({ calls: [] });
    expect(hub.of('call.state')).toEqual([]);
    expect(hub.refused).toBe(0);
  });

  it('console → intercom: baresip answers, audio flows both ways, the console hangs up', async () => {
    const phone = await registeredPhone('phone-c', 'intercom-8003', 'talk-8003');
    phoneC = phone;
    const { page, producerId: consoleProducerId } = await consolePage(browser, t.sfuUrl, t.dataDir, 'intercom:intercom-8003');
    const started = await bridgeApi('/calls', 'POST', { deviceId: 'intercom-8003', consoleProducerId });
    expect(started.status).toBe(200);
    const call = (await started.json()) as { callId: string; state: string; room: string };
    expect(call).toMatchObject({ state: 'ringing', room: 'intercom:intercom-8003' });
    const answered = await waitFor('answered', () => callEvents(call.callId).find((e) => e.state === 'answered'), 30_000);
    expect(answered).toMatchObject({ direction: 'outbound', deviceId: 'intercom-8003', room: 'intercom:intercom-8003' });
    expect(callEvents(call.callId)[0]).toMatchObject({ state: 'ringing', direction: 'outbound' });

    // The intercom's voice reaches the console through the SFU (G.711 consumed as is).
    const heard = await waitFor(
      'console hears the intercom',
      async () => {
        const s = await consoleHears(page, answered.producerId!);
        return s.packets > 100 && s.samples > 8000 && s.level > 0.01 ? s : undefined;
      },
      30_000,
    );
    expect(heard.level).toBeGreaterThan(0.01);
    // The console's voice reaches the intercom through the transcoder: one GStreamer child.
    await waitFor('transcoder running', () => (gstChildren().length === 1 ? true : undefined), 20_000);
    await waitFor('a few seconds of console voice at the intercom', async () => {
      const calls = ((await health(t.bridgeUrl))?.details.calls ?? {}) as { active?: number };
      return calls.active === 1 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 3000));

    const hung = await bridgeApi(`/calls/${call.callId}`, 'DELETE');
    expect(await hung.json()).toMatchObject({ state: 'ended', reason: 'hangup' });
    const ended = await waitFor('ended', () => callEvents(call.callId).find((e) => e.state === 'ended'));
    expect(ended).toMatchObject({ reason: 'hangup', by: 'console' });
    await waitFor('transcoder gone', () => (gstChildren().length === 0 ? true : undefined), 10_000);
    const recording = await waitFor('baresip recording', () => heardRms(phone), 10_000);
    expect(recording.seconds).toBeGreaterThan(1);
    // A 1 kHz full-scale tone through Opus → G.711 is loud; silence would be ~0.
    expect(recording.rms).toBeGreaterThan(1000);
    // …and it is the console's 1 kHz tone, not the intercom's own 440 Hz coming back.
    expect(recording.hz).toBeGreaterThan(900);
    expect(recording.hz).toBeLessThan(1100);
    expect(await (await bridgeApi('/calls')).json()).toEqual({ calls: [] });
    await page.close();
  });

  it('intercom → console: baresip dials the console number, it rings at the hub, the console answers, audio both ways, baresip hangs up', async () => {
    const { page, producerId: consoleProducerId } = await consolePage(browser, t.sfuUrl, t.dataDir, 'intercom:intercom-8003');
    const before = hub.of('call.state').length;
    await phoneC.command('dial', `sip:${CONSOLE_NUMBER}@${BRIDGE_HOST}:${sipPort}`);
    const ringing = await waitFor(
      'ringing at the hub',
      () =>
        hub
          .of('call.state')
          .slice(before)
          .find((e) => e.direction === 'inbound' && e.state === 'ringing'),
      20_000,
    );
    expect(ringing).toMatchObject({ deviceId: 'intercom-8003', room: 'intercom:intercom-8003' });
    expect((await bridgeApi('/calls')).ok).toBe(true);
    const accepted = await bridgeApi(`/calls/${ringing.callId}/answer`, 'POST', { consoleProducerId });
    expect(await accepted.json()).toMatchObject({ state: 'answered', direction: 'inbound' });
    // Answering twice is a conflict, not a second call.
    expect((await bridgeApi(`/calls/${ringing.callId}/answer`, 'POST', {})).status).toBe(409);
    const answered = await waitFor('answered', () => callEvents(ringing.callId).find((e) => e.state === 'answered'));
    await waitFor(
      'console hears the intercom',
      async () => {
        const s = await consoleHears(page, answered.producerId!);
        return s.packets > 100 && s.level > 0.01 ? s : undefined;
      },
      30_000,
    );
    await waitFor('transcoder running', () => (gstChildren().length === 1 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 3000));
    await phoneC.command('hangup');
    const ended = await waitFor('ended', () => callEvents(ringing.callId).find((e) => e.state === 'ended'), 20_000);
    expect(ended).toMatchObject({ reason: 'hangup', by: 'device' });
    await waitFor('transcoder gone', () => (gstChildren().length === 0 ? true : undefined), 10_000);
    const recording = await waitFor('baresip recording', () => {
      const r = heardRms(phoneC);
      return r && r.file !== undefined && r.seconds > 1 ? r : undefined;
    });
    expect(recording.rms).toBeGreaterThan(1000);
    expect(recording.hz).toBeGreaterThan(900);
    expect(recording.hz).toBeLessThan(1100);
    await page.close();
  });

  it('an intercom that gives up while ringing (CANCEL) ends the call as cancelled; a ringing call nobody answers ends as no_answer', async () => {
    let before = hub.of('call.state').length;
    await phoneC.command('dial', `sip:${CONSOLE_NUMBER}@${BRIDGE_HOST}:${sipPort}`);
    const ringing = await waitFor(
      'ringing',
      () =>
        hub
          .of('call.state')
          .slice(before)
          .find((e) => e.state === 'ringing'),
      20_000,
    );
    await phoneC.command('hangup');
    const cancelled = await waitFor('cancelled', () => callEvents(ringing.callId).find((e) => e.state === 'ended'), 20_000);
    expect(cancelled).toMatchObject({ reason: 'cancelled', by: 'device', direction: 'inbound' });
    // Dialling the bridge's own id rings too; nobody answers within the ring timeout (8 s here) → 480, no_answer.
    before = hub.of('call.state').length;
    await phoneC.command('dial', `sip:34020000002000000001@${BRIDGE_HOST}:${sipPort}`);
    const second = await waitFor(
      'ringing',
      () =>
        hub
          .of('call.state')
          .slice(before)
          .find((e) => e.state === 'ringing'),
      20_000,
    );
    const unanswered = await waitFor('no answer', () => callEvents(second.callId).find((e) => e.state === 'ended'), 30_000);
    expect(unanswered).toMatchObject({ reason: 'no_answer', by: 'bridge' });
    expect(await (await bridgeApi('/calls')).json()).toEqual({ calls: [] });
  });

  it('the console gives up while it rings (CANCEL); nobody answers (no_answer); a busy intercom (486) ends the call as busy; an intercom that stops sending RTP ends it as media_timeout', async () => {
    const manual = await registeredPhone('phone-e', 'intercom-8004', 'talk-8004', false);
    // The console gives up while it rings: CANCEL, ended as hangup by the console.
    const given = (await (await bridgeApi('/calls', 'POST', { deviceId: 'intercom-8004' })).json()) as { callId: string };
    await new Promise((r) => setTimeout(r, 500));
    expect(await (await bridgeApi(`/calls/${given.callId}`, 'DELETE')).json()).toMatchObject({ state: 'ended', reason: 'hangup' });
    const gaveUp = await waitFor('ended', () => callEvents(given.callId).find((e) => e.state === 'ended'));
    expect(gaveUp).toMatchObject({ reason: 'hangup', by: 'console' });
    expect(callEvents(given.callId).map((e) => e.state)).toEqual(['ringing', 'ended']);
    // Nobody picks up within the ring timeout (8 s here): CANCEL, no_answer.
    const unanswered = (await (await bridgeApi('/calls', 'POST', { deviceId: 'intercom-8004' })).json()) as { callId: string };
    const timedOut = await waitFor('no answer', () => callEvents(unanswered.callId).find((e) => e.state === 'ended'), 30_000);
    expect(timedOut).toMatchObject({ reason: 'no_answer', by: 'bridge' });
    await new Promise((r) => setTimeout(r, 500));
    const started = (await (await bridgeApi('/calls', 'POST', { deviceId: 'intercom-8004' })).json()) as { callId: string };
    // A second call to an intercom already in a call is refused by the bridge itself.
    expect((await bridgeApi('/calls', 'POST', { deviceId: 'intercom-8004' })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 1000));
    await manual.command('hangup'); // baresip rejects the ringing call: 486 Busy Here
    const busy = await waitFor('busy', () => callEvents(started.callId).find((e) => e.state === 'ended'), 20_000);
    expect(busy).toMatchObject({ reason: 'busy', by: 'device' });

    const { page } = await consolePage(browser, t.sfuUrl, t.dataDir, 'intercom:intercom-8003');
    const call = (await (await bridgeApi('/calls', 'POST', { deviceId: 'intercom-8003' })).json()) as { callId: string };
    await waitFor('answered', () => callEvents(call.callId).find((e) => e.state === 'answered'), 20_000);
    await waitFor('transcoder running', () => (gstChildren().length === 1 ? true : undefined), 20_000);
    phoneC.child.kill('SIGKILL'); // no BYE, no more RTP; its registration still holds
    const ended = await waitFor('media timeout', () => callEvents(call.callId).find((e) => e.state === 'ended'), 30_000);
    expect(ended).toMatchObject({ reason: 'media_timeout', by: 'bridge' });
    await waitFor('transcoder gone', () => (gstChildren().length === 0 ? true : undefined), 10_000);
    await page.close();
  });

  it('two calls at once, each with its own transcoder; removing an intercom ends its call as unregistered', async () => {
    const pair = [
      await registeredPhone('phone-f', 'intercom-8001', 'talk-8001'),
      await registeredPhone('phone-g', 'intercom-8003', 'talk-8003'),
    ];
    const consoles = await Promise.all(
      ['intercom-8001', 'intercom-8003'].map((id) => consolePage(browser, t.sfuUrl, t.dataDir, `intercom:${id}`)),
    );
    const calls = await Promise.all(
      ['intercom-8001', 'intercom-8003'].map(async (deviceId, i) => {
        const response = await bridgeApi('/calls', 'POST', { deviceId, consoleProducerId: consoles[i]!.producerId });
        return (await response.json()) as { callId: string };
      }),
    );
    const answered = await Promise.all(
      calls.map((c) => waitFor('answered', () => callEvents(c.callId).find((e) => e.state === 'answered'), 30_000)),
    );
    await waitFor('two transcoders', () => (gstChildren().length === 2 ? true : undefined), 20_000);
    for (const [i, page] of consoles.entries())
      await waitFor(
        `console ${i} hears its intercom`,
        async () => ((await consoleHears(page.page, answered[i]!.producerId!)).packets > 50 ? true : undefined),
        30_000,
      );
    expect(((await (await bridgeApi('/calls')).json()) as { calls: unknown[] }).calls).toHaveLength(2);

    await bridgeApi(`/calls/${calls[0]!.callId}`, 'DELETE');
    await waitFor('one transcoder left', () => (gstChildren().length === 1 ? true : undefined), 10_000);
    expect(callEvents(calls[1]!.callId).some((e) => e.state === 'ended')).toBe(false);
    expect((await bridgeApi('/devices/intercom-8003', 'DELETE')).status).toBe(200);
    const ended = await waitFor('unregistered', () => callEvents(calls[1]!.callId).find((e) => e.state === 'ended'), 10_000);
    expect(ended).toMatchObject({ reason: 'unregistered' });
    await waitFor('no transcoder', () => (gstChildren().length === 0 ? true : undefined), 10_000);
    for (const c of consoles) await c.page.close();
    for (const p of pair) p.child.kill('SIGTERM');
  });

  it('an intercom answering with a malformed SDP (simulated SIP device): the call ends as failed, ACK + BYE sent, nothing leaks; its unauthenticated INVITE is challenged; CANCEL matches the INVITE', async () => {
    // Registered by the project's simulated SIP device (digest over real UDP); then a raw UDP
    // socket on the same address answers the INVITE with 200 OK and an SDP we cannot use.
    const fleet = await GbFleet.create({
      bridgeHost: BRIDGE_HOST,
      bridgePort: sipPort,
      bindHost: '127.0.0.1',
      serverId: '34020000002000000001',
      domain: '3402000000',
      devices: [{ deviceId: 'intercom-8009', password: 'talk-8009' }],
    });
    expect(await fleet.register(0)).toBe(true);
    const registered = await waitFor('registered', () => hub.of('device.registered').find((e) => e.deviceId === 'intercom-8009'));
    await fleet.close();
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(registered.port, '127.0.0.1', () => resolve()));
    const seen: string[] = [];
    const badSdp = 'v=0\r\no=- x\r\nc=IN IP4 127.0.0.1\r\nm=audio notaport RTP/AVP 8\r\n';
    const responses: string[] = [];
    let ringOnly = false;
    let pendingInvite: { request: NonNullable<ReturnType<typeof parseSipText>>; branch: string } | undefined;
    let cancelBranch = '';
    socket.on('message', (data) => {
      const text = data.toString('latin1');
      if (text.startsWith('SIP/2.0 ')) responses.push(text);
      const request = parseSipText(text);
      if (!request?.method) return;
      seen.push(request.method);
      if (request.method === 'ACK') return;
      const branch = /branch=([^;\s]+)/.exec(header(request, 'via') ?? '')?.[1] ?? '';
      if (request.method === 'INVITE' && ringOnly) {
        // Rings and never answers: the console's CANCEL must match this INVITE's transaction.
        pendingInvite = { request, branch };
        return void socket.send(answer(request, 180, 'Ringing', 'fake'), sipPort, BRIDGE_HOST);
      }
      if (request.method === 'CANCEL') {
        cancelBranch = branch;
        if (pendingInvite) socket.send(answer(pendingInvite.request, 487, 'Request Terminated', 'fake'), sipPort, BRIDGE_HOST);
      }
      let reply = answer(request, 200, 'OK', 'fake');
      if (request.method === 'INVITE')
        reply = reply.replace(
          'Content-Length: 0\r\n\r\n',
          `Contact: <sip:intercom-8009@127.0.0.1:${registered.port}>\r\nContent-Type: application/sdp\r\nContent-Length: ${badSdp.length}\r\n\r\n${badSdp}`,
        );
      socket.send(reply, sipPort, BRIDGE_HOST);
    });
    try {
      const call = (await (await bridgeApi('/calls', 'POST', { deviceId: 'intercom-8009' })).json()) as { callId: string };
      const ended = await waitFor('failed', () => callEvents(call.callId).find((e) => e.state === 'ended'), 20_000);
      expect(ended).toMatchObject({ reason: 'failed', by: 'bridge' });
      expect(ended.detail).toMatch(/^bad SDP answer: /);
      expect(callEvents(call.callId).some((e) => e.state === 'answered')).toBe(false);
      await waitFor('ACK and BYE at the device', () => (seen.includes('ACK') && seen.includes('BYE') ? true : undefined), 10_000);
      expect(await (await bridgeApi('/calls')).json()).toEqual({ calls: [] });
      expect(gstChildren()).toEqual([]);
      const sources = await fetch(`${t.sfuUrl}/api/v1/ingest/sources`, {
        headers: { authorization: serviceAuthorization(loadJoinTokenKey(t.dataDir), 'device-bridge') },
      });
      expect(((await sources.json()) as { sources: unknown[] }).sources).toEqual([]);
      expect((await health(t.bridgeUrl))?.details.calls).toMatchObject({ active: 0, transcoders: 0 });
      expect(hub.refused).toBe(0);

      // Its own INVITE to the console: challenged (401, MD5, our realm), then refused with wrong credentials.
      const before = hub.of('call.state').length;
      const invite = (seq: number, authorization?: string): string => {
        const sdp =
          'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n';
        return [
          `INVITE sip:${CONSOLE_NUMBER}@${BRIDGE_HOST}:${sipPort} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${registered.port};rport;branch=z9hG4bKauth${seq}`,
          'From: <sip:intercom-8009@3402000000>;tag=auth1',
          `To: <sip:${CONSOLE_NUMBER}@3402000000>`,
          'Call-ID: invite-auth-test',
          `CSeq: ${seq} INVITE`,
          `Contact: <sip:intercom-8009@127.0.0.1:${registered.port}>`,
          'Max-Forwards: 70',
          ...(authorization ? [`Authorization: ${authorization}`] : []),
          'Content-Type: application/sdp',
          `Content-Length: ${sdp.length}`,
          '',
          sdp,
        ].join('\r\n');
      };
      socket.send(invite(1), sipPort, BRIDGE_HOST);
      const challenge = await waitFor('401', () => responses.find((r) => r.startsWith('SIP/2.0 401')));
      expect(challenge).toMatch(/WWW-Authenticate: Digest realm="3402000000", nonce="[0-9a-f]+", algorithm=MD5/i);
      const nonce = /nonce="([0-9a-f]+)"/.exec(challenge)![1];
      const wrong = `Digest username="intercom-8009", realm="3402000000", nonce="${nonce}", uri="sip:${CONSOLE_NUMBER}@${BRIDGE_HOST}:${sipPort}", response="${'0'.repeat(32)}", algorithm=MD5`;
      socket.send(invite(2, wrong), sipPort, BRIDGE_HOST);
      await waitFor('403', () => responses.find((r) => r.startsWith('SIP/2.0 403')));
      expect(hub.of('call.state').length).toBe(before);

      // The console hangs up while it rings: CANCEL with the INVITE's branch, 487 absorbed.
      ringOnly = true;
      const ringing = (await (await bridgeApi('/calls', 'POST', { deviceId: 'intercom-8009' })).json()) as { callId: string };
      await waitFor('INVITE at the device', () => pendingInvite);
      expect((await bridgeApi(`/calls/${ringing.callId}`, 'DELETE')).status).toBe(200);
      await waitFor('CANCEL at the device', () => cancelBranch || undefined);
      expect(cancelBranch).toBe(pendingInvite!.branch);
      const gaveUp = await waitFor('ended', () => callEvents(ringing.callId).find((e) => e.state === 'ended'));
      expect(gaveUp).toMatchObject({ reason: 'hangup', by: 'console' });
    } finally {
      socket.close();
    }
  });

  it('the console leg follows a reloaded console; stopping the bridge ends its calls (bridge_shutdown) and kills their transcoders', async () => {
    await registeredPhone('phone-h', 'intercom-8001', 'talk-8001');
    const { page } = await consolePage(browser, t.sfuUrl, t.dataDir, 'intercom:intercom-8001');
    const call = (await (await bridgeApi('/calls', 'POST', { deviceId: 'intercom-8001' })).json()) as { callId: string };
    await waitFor('answered', () => callEvents(call.callId).find((e) => e.state === 'answered'), 30_000);
    const [first] = await waitFor('transcoder running', () => (gstChildren().length === 1 ? gstChildren() : undefined), 20_000);
    // The console reloads: its microphone closes, a new one appears; the console leg follows it.
    await page.close();
    await waitFor('old transcoder gone', () => (gstChildren().length === 0 ? true : undefined), 20_000);
    const again = await consolePage(browser, t.sfuUrl, t.dataDir, 'intercom:intercom-8001');
    const [transcoder] = await waitFor('new transcoder', () => (gstChildren().length === 1 ? gstChildren() : undefined), 20_000);
    expect(transcoder).not.toBe(first);
    const sent = async (): Promise<number> =>
      (((await health(t.bridgeUrl))?.details.calls ?? {}) as { packetsToIntercom?: number }).packetsToIntercom ?? 0;
    const before = await sent();
    await waitFor('console voice flows again', async () => ((await sent()) > before + 50 ? true : undefined), 20_000);
    expect(callEvents(call.callId).some((e) => e.state === 'ended')).toBe(false);
    bridge.child.kill('SIGTERM');
    expect((await bridge.exited).code).toBe(0);
    expect(callEvents(call.callId).find((e) => e.state === 'ended')).toMatchObject({ reason: 'bridge_shutdown', by: 'bridge' });
    expect(() => process.kill(transcoder!, 0)).toThrow();
    await again.page.close();
  });
});
