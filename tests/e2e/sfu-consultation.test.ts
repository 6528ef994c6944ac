/**
 * A consultation among four Chromium peers (leader + three courts) through the real SFU
 * with real media: everyone decodes everyone; moderation semantics (forced mute, moderated
 * mode, lock, layout, removal); a roll call whose record reaches the real hub; and the
 * death of a mediasoup worker (SIGKILL) mid-call, after which media flows again and the room
 * state survives: same peer ids, forced mute, moderated mode + floor, hand, lock, layout, and a
 * running roll call with its deadline and its marks from before the death.
 * The SFU runs 2 workers with a tiny router budget, so the room spreads over two routers
 * joined with pipeToRouter and every test also crosses that pipe.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CONSULTATION_RECORDS_PATH, consultationRecordListSchema } from '@cc/protocol';
import { loadJoinTokenKey, serviceAuthorization, signJoinToken } from '@cc/runtime';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { health, isAlive, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { rtcPeerBundle } from './support/rtc-bundle.js';

const ROOM = 'consult-e2e';
let t: TestEnv;
let hub: Running;
let sfu: Running;
let browser: Browser;
let ws: string;
const peers: Record<string, { page: Page; peerId: string }> = {};

type Stat = { peerId: string; kind: string; framesDecoded: number; packetsReceived: number };

function token(sub: string, role: 'leader' | 'court_user', court: string, room = ROOM): string {
  const key = loadJoinTokenKey(t.dataDir);
  return signJoinToken(key, { room, sub, name: `${court} ${sub}`, role, court, exp: Math.floor(Date.now() / 1000) + 600 });
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${t.sfuUrl}/healthz`);
  await page.addScriptTag({ content: await rtcPeerBundle() });
  return page;
}

async function joinPeer(name: string, role: 'leader' | 'court_user', court: string): Promise<void> {
  const page = await newPage();
  const peerId: string = await page.evaluate(
    ([url, tk]) => (window as any).ccPeer.join(url, tk, { autoSubscribe: true }),
    [ws, token(name, role, court)],
  );
  await page.evaluate(() => (window as any).ccPeer.publishCamera(320, 180));
  peers[name] = { page, peerId };
}

const call = (name: string, method: string, ...args: unknown[]): Promise<any> =>
  peers[name]!.page.evaluate(([m, a]) => (window as any).ccPeer.call(m, ...(a as unknown[])), [method, args] as const);
const stats = (name: string): Promise<Stat[]> => peers[name]!.page.evaluate(() => (window as any).ccPeer.receiveStats());

/** Audio packets `listener` received from `speaker` (all of speaker's audio consumers). */
async function audioFrom(listener: string, speaker: string): Promise<number> {
  const id = peers[speaker]!.peerId;
  return (await stats(listener)).filter((s) => s.kind === 'audio' && s.peerId === id).reduce((n, s) => n + s.packetsReceived, 0);
}

/**
 * Whether audio from `speaker` reaches `listener` in a window of a second and a half, measured
 * once a pause/resume has had time to take effect: the check that a speaker is NOT heard.
 */
async function heardInWindow(listener: string, speaker: string): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 700));
  const before = await audioFrom(listener, speaker);
  await new Promise((r) => setTimeout(r, 1500));
  return (await audioFrom(listener, speaker)) - before > 5;
}

/**
 * Whether audio from `speaker` starts reaching `listener` within `ms`: the check that a speaker IS
 * heard. On a loaded machine a resumed producer's first packets can take longer than one fixed
 * window; a listener still hearing nothing after 5 s is a failure a user would notice.
 */
async function heardWithin(listener: string, speaker: string, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  let before = await audioFrom(listener, speaker);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await audioFrom(listener, speaker);
    if (now - before > 5) return true;
    before = Math.min(before, now);
  }
  return false;
}

/** Every peer decodes growing video from each of the others. */
async function everyoneSeesEveryone(what: string): Promise<void> {
  const names = Object.keys(peers);
  // Peer ids change when clients rejoin a rebuilt room.
  for (const name of names) peers[name]!.peerId = await peers[name]!.page.evaluate(() => (window as any).ccPeer.client.peerId);
  const baseline = new Map<string, number>();
  for (const name of names) for (const s of await stats(name)) if (s.kind === 'video') baseline.set(`${name}<${s.peerId}`, s.framesDecoded);
  await waitFor(
    what,
    async () => {
      for (const name of names) {
        const video = (await stats(name)).filter((s) => s.kind === 'video');
        for (const other of names.filter((n) => n !== name)) {
          const from = video.filter((s) => s.peerId === peers[other]!.peerId);
          const frames = from.reduce((n, s) => n + s.framesDecoded, 0);
          if (from.length === 0 || frames < (baseline.get(`${name}<${peers[other]!.peerId}`) ?? 0) + 10) return undefined;
        }
      }
      return true;
    },
    60_000,
  );
}

beforeAll(async () => {
  t = await testEnv();
  // The demo dataset is not needed here and takes long to load on a busy machine.
  hub = startNode('hub/dist/main.js', [], { ...t.env, CC_HUB_DEMO: 'off' });
  await waitFor('hub healthy', () => health(t.hubUrl), 60_000);
  sfu = startNode('sfu/dist/main.js', [], { ...t.env, CC_SFU_HUB_URL: t.hubUrl, CC_SFU_WORKERS: '2', CC_SFU_CONSUMERS_PER_ROUTER: '10' });
  await waitFor('sfu healthy', () => health(t.sfuUrl), 60_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${sfu.output()}`);
  });
  ws = `${t.sfuUrl.replace('http', 'ws')}/ws`;
  browser = await launchChromium(WEBRTC_FLAGS);
  await joinPeer('leader', 'leader', 'GY');
  await joinPeer('a', 'court_user', 'A');
  await joinPeer('b', 'court_user', 'B');
  // Three peers consume 12 tracks: over the budget of 10, so the fourth joins a second router.
  await waitFor('first three peers subscribed', async () => {
    for (const name of ['leader', 'a', 'b']) if ((await stats(name)).length < 4) return undefined;
    return true;
  });
  await joinPeer('c', 'court_user', 'C');
});

afterAll(async () => {
  await browser?.close();
  for (const service of [sfu, hub]) {
    service?.child.kill('SIGTERM');
    await service?.exited;
  }
});

describe('SFU consultation with four Chromium peers (real media)', () => {
  it('every peer decodes every other peer’s video and receives their audio, across two routers', async () => {
    expect((await health(t.sfuUrl))?.details.routersPerWorker).toEqual([1, 1]);
    await everyoneSeesEveryone('4 peers decoding each other');
    for (const name of Object.keys(peers)) {
      const audio = (await stats(name)).filter((s) => s.kind === 'audio');
      expect(audio).toHaveLength(3);
      await waitFor(`${name} receives audio`, async () =>
        (await stats(name)).filter((s) => s.kind === 'audio').every((s) => s.packetsReceived > 10) ? true : undefined,
      );
    }
  });

  it('a forced mute cannot be undone by the participant, only lifted by the leader', async () => {
    expect(await heardWithin('a', 'c')).toBe(true);
    expect(await call('c', 'moderation.forceMute', peers.a!.peerId)).toEqual({ error: 'forbidden' });
    expect(await call('leader', 'moderation.forceMute', peers.c!.peerId, true)).toEqual({ ok: {} });
    expect(await call('c', 'setMicrophoneMuted', false)).toEqual({ error: 'muted_by_leader' });
    expect(await heardInWindow('a', 'c')).toBe(false);
    expect(await peers.c!.page.evaluate(() => (window as any).ccPeer.mutedByLeader)).toContain(true);
    // A raised hand is what remains; the leader sees it in the room state.
    await call('c', 'raiseHand', true);
    await waitFor('hand visible to the leader', async () =>
      (await peers.leader!.page.evaluate(() => (window as any).ccPeer.roomState)).handsRaised.includes(peers.c!.peerId) ? true : undefined,
    );
    await call('leader', 'moderation.forceMute', peers.c!.peerId, false);
    expect((await call('c', 'setMicrophoneMuted', false)).error).toBeUndefined();
    expect(await heardWithin('a', 'c')).toBe(true);
  });

  it('moderated mode: only the floor holder (and the leader) is heard', async () => {
    await call('leader', 'moderation.setModerated', true);
    await call('leader', 'moderation.giveFloor', peers.b!.peerId);
    expect(await heardWithin('a', 'b')).toBe(true);
    expect(await heardInWindow('a', 'c')).toBe(false);
    expect(await heardWithin('a', 'leader')).toBe(true);
    await call('leader', 'moderation.setModerated', false);
    expect(await heardWithin('a', 'c')).toBe(true);
  });

  it('mute all silences the participants (not the leader); each may unmute itself', async () => {
    expect((await call('leader', 'moderation.muteAll')).ok).toBe(3);
    expect(await heardInWindow('a', 'b')).toBe(false);
    expect(await heardWithin('b', 'leader')).toBe(true);
    expect(await peers.b!.page.evaluate(() => (window as any).ccPeer.mutedByLeader)).toContain(false);
    for (const name of ['a', 'b', 'c']) expect((await call(name, 'setMicrophoneMuted', false)).error).toBeUndefined();
    expect(await heardWithin('a', 'b')).toBe(true);
  });

  it('a locked room refuses newcomers; layout pushes reach everyone; a removed peer cannot rejoin', async () => {
    await call('leader', 'moderation.lockRoom', true);
    const late = await newPage();
    const refused = await late.evaluate(
      ([url, tk]) =>
        (window as any).ccPeer.join(url, tk).then(
          () => 'joined',
          (e: any) => e.code,
        ),
      [ws, token('d', 'court_user', 'D')],
    );
    expect(refused).toBe('room_locked');
    await call('leader', 'moderation.lockRoom', false);
    const intruder = await newPage();
    const intruderId: string = await intruder.evaluate(
      ([url, tk]) => (window as any).ccPeer.join(url, tk),
      [ws, token('e', 'court_user', 'E')],
    );

    await call('leader', 'moderation.setLayout', 'speaker', peers.b!.peerId);
    for (const name of Object.keys(peers)) {
      await waitFor(`${name} got the layout`, async () => {
        const layouts = await peers[name]!.page.evaluate(() => (window as any).ccPeer.layouts);
        return layouts.some((l: any) => l.layout === 'speaker' && l.focusPeerId === peers.b!.peerId) ? true : undefined;
      });
    }

    expect(await call('leader', 'moderation.removePeer', intruderId)).toEqual({ ok: {} });
    await waitFor('intruder told', async () =>
      (await intruder.evaluate(() => (window as any).ccPeer.events)).includes('removed') ? true : undefined,
    );
    const again = await newPage();
    const rejoin = await again.evaluate(
      ([url, tk]) =>
        (window as any).ccPeer.join(url, tk).then(
          () => 'joined',
          (e: any) => e.code,
        ),
      [ws, token('e', 'court_user', 'E')],
    );
    expect(rejoin).toBe('forbidden');
    for (const page of [late, intruder, again]) await page.close();
  });

  it('roll call: three courts picked, two answer, one does not → the record reaches the hub', async () => {
    const started = await call('leader', 'moderation.startRollCall', { courts: ['A', 'B', 'C'], timeoutS: 4, lateWindowS: 1 });
    expect(started.ok.courts).toEqual(['A', 'B', 'C']);
    for (const name of ['a', 'b']) {
      const prompt = await waitFor(
        `${name} prompted`,
        async () => (await peers[name]!.page.evaluate(() => (window as any).ccPeer.prompts))[0],
      );
      expect(await call(name, 'answerRollCall', prompt.rollCallId)).toEqual({ ok: 'answered' });
    }
    // The leader is not a court in this roll call: its answer is refused.
    expect(await call('leader', 'answerRollCall', started.ok.rollCallId)).toEqual({ error: 'forbidden' });
    await waitFor('roll call closed', async () =>
      (await peers.leader!.page.evaluate(() => (window as any).ccPeer.rollCalls)).some((r: any) => r.done) ? true : undefined,
    );
    const key = loadJoinTokenKey(t.dataDir);
    const body = await waitFor('record at the hub', async () => {
      const response = await fetch(`${t.hubUrl}${CONSULTATION_RECORDS_PATH}?room=${ROOM}`, {
        headers: { authorization: serviceAuthorization(key, 'e2e') },
      });
      const list = consultationRecordListSchema.parse(await response.json());
      return list.records.length > 0 ? list : undefined;
    });
    const record = body.records[0]!;
    expect(record.kind).toBe('roll_call');
    if (record.kind !== 'roll_call') return;
    expect(record.rollCall.rollCallId).toBe(started.ok.rollCallId);
    const byCourt = Object.fromEntries(record.rollCall.results.map((r) => [r.court, r]));
    expect(byCourt.A?.status).toBe('answered');
    expect(byCourt.B?.status).toBe('answered');
    expect(byCourt.C?.status).toBe('absent');
    expect(byCourt.C?.answeredAt).toBeUndefined();
    expect(byCourt.A?.answeredAt).toBeDefined();
    expect(record.participants.map((p) => p.court).sort()).toEqual(expect.arrayContaining(['A', 'B', 'C', 'GY']));
    // Random spot check picks among the courts present.
    const random = await call('leader', 'moderation.startRollCall', { randomCount: 2, timeoutS: 1, lateWindowS: 0 });
    expect(random.ok.courts).toHaveLength(2);
    for (const court of random.ok.courts) expect(['A', 'B', 'C']).toContain(court);
    expect(await call('leader', 'moderation.startRollCall', { randomCount: 5, timeoutS: 1 })).toEqual({ error: 'conflict' });
  });

  it('recovers from a SIGKILLed mediasoup worker: clients rejoin by themselves, media flows again, room state survives', async () => {
    const ids = Object.fromEntries(Object.keys(peers).map((n) => [n, peers[n]!.peerId]));
    await waitFor('the spot check closed', async () =>
      (await peers.leader!.page.evaluate(() => (window as any).ccPeer.rollCalls)).filter((r: any) => r.done).length >= 2 ? true : undefined,
    );
    // State to survive the worker: forced mute, moderated mode + floor, a raised hand, a lock, a layout, a running roll call.
    for (const name of Object.keys(peers)) await peers[name]!.page.evaluate(() => ((window as any).ccPeer.prompts.length = 0));
    await call('leader', 'moderation.forceMute', ids.c, true);
    await call('c', 'raiseHand', true);
    await call('leader', 'moderation.setModerated', true);
    await call('leader', 'moderation.giveFloor', ids.b);
    await call('leader', 'moderation.lockRoom', true);
    await call('leader', 'moderation.setLayout', 'speaker', ids.b);
    const rollCall = await call('leader', 'moderation.startRollCall', { courts: ['A', 'B', 'C'], timeoutS: 30, lateWindowS: 0 });
    const promptA = await waitFor('a prompted', async () => (await peers.a!.page.evaluate(() => (window as any).ccPeer.prompts))[0]);
    const promptB = await waitFor('b prompted', async () => (await peers.b!.page.evaluate(() => (window as any).ccPeer.prompts))[0]);
    expect(await call('a', 'answerRollCall', rollCall.ok.rollCallId)).toEqual({ ok: 'answered' });
    const expectedState = {
      locked: true,
      moderated: true,
      floorPeerId: ids.b,
      layout: 'speaker',
      focusPeerId: ids.b,
      recording: false,
      forcedMuted: [ids.c],
      handsRaised: [ids.c],
    };
    await waitFor('state set', async () =>
      isDeepStrictEqual(await peers.a!.page.evaluate(() => (window as any).ccPeer.roomState), expectedState) ? true : undefined,
    );

    const updatesBefore: number = await peers.leader!.page.evaluate(() => (window as any).ccPeer.rollCalls.length);
    const before = await health(t.sfuUrl);
    const [pid] = before?.details.workerPids as number[];
    const killedAt = Date.now();
    process.kill(pid!, 'SIGKILL');
    await waitFor('worker gone', () => (isAlive(pid!) ? undefined : true));
    await waitFor('worker replaced', async () => ((await health(t.sfuUrl))?.details.workerRestarts === 1 ? true : undefined));
    expect(isAlive(sfu.child.pid!)).toBe(true);
    await waitFor('all rejoined', async () => {
      for (const name of Object.keys(peers))
        if ((await peers[name]!.page.evaluate(() => (window as any).ccPeer.rejoinMs)).length === 0) return undefined;
      return true;
    });
    // Rejoining participants are recognised by their join token: same peer ids, let into the locked room.
    for (const name of Object.keys(peers)) {
      expect(await peers[name]!.page.evaluate(() => (window as any).ccPeer.client.peerId)).toBe(ids[name]);
      expect(await peers[name]!.page.evaluate(() => (window as any).ccPeer.roomState)).toEqual(expectedState);
    }
    // The rejoined leader sees the roll call's progress (a answered before the death).
    await waitFor('roll call progress after the rejoin', async () => {
      const updates: any[] = await peers.leader!.page.evaluate(() => (window as any).ccPeer.rollCalls);
      return updates
        .slice(updatesBefore)
        .some(
          (u) =>
            !u.done &&
            u.rollCall.rollCallId === rollCall.ok.rollCallId &&
            u.rollCall.results.some((r: any) => r.court === 'A' && r.status === 'answered'),
        )
        ? true
        : undefined;
    });
    // The roll call's clock did not restart: b is prompted again with the original deadline and answers.
    const againB = await waitFor('b prompted again', async () => (await peers.b!.page.evaluate(() => (window as any).ccPeer.prompts))[1]);
    expect(againB.deadline).toBe(promptB.deadline);
    expect(promptA.deadline).toBe(promptB.deadline);
    const answerB = await waitFor('b answers on camera', async () => {
      const answer = await call('b', 'answerRollCall', rollCall.ok.rollCallId);
      return answer.error === 'forbidden' ? undefined : answer;
    });
    expect(answerB).toEqual({ ok: 'answered' });
    expect(await call('a', 'answerRollCall', rollCall.ok.rollCallId)).toEqual({ error: 'conflict' });

    await everyoneSeesEveryone('media flows again after the worker death');
    const recoveredMs = Date.now() - killedAt;
    const rejoinMs = await Promise.all(Object.keys(peers).map((n) => peers[n]!.page.evaluate(() => (window as any).ccPeer.rejoinMs[0])));
    console.log(
      `[sfu] worker SIGKILL → every peer decoding every other again: ${recoveredMs} ms (client rejoin: ${rejoinMs.join(', ')} ms)`,
    );
    const states: string[] = await peers.a!.page.evaluate(() => (window as any).ccPeer.states);
    expect(states).toContain('reconnecting');
    expect(states.at(-1)).toBe('connected');

    // Still force-muted (and cannot unmute); moderated mode still gates everyone but the floor holder.
    expect(await call('c', 'setMicrophoneMuted', false)).toEqual({ error: 'muted_by_leader' });
    expect(await heardWithin('a', 'b')).toBe(true);
    expect(await heardInWindow('a', 'c')).toBe(false);
    await call('leader', 'moderation.setModerated', false);
    expect(await heardInWindow('a', 'c')).toBe(false);
    // Still locked for strangers; the removed participant still cannot come back.
    for (const [sub, court, code] of [
      ['f', 'F', 'room_locked'],
      ['e', 'E', 'forbidden'],
    ] as const) {
      const page = await newPage();
      const result = await page.evaluate(
        ([url, tk]) =>
          (window as any).ccPeer.join(url, tk).then(
            () => 'joined',
            (e: any) => e.code,
          ),
        [ws, token(sub, 'court_user', court)],
      );
      expect(result).toBe(code);
      await page.close();
    }
    // Lifting the forced mute after the rebuild works as before.
    await call('leader', 'moderation.forceMute', ids.c, false);
    expect((await call('c', 'setMicrophoneMuted', false)).error).toBeUndefined();
    expect(await heardWithin('a', 'c')).toBe(true);

    // The roll call's record: a's answer from before the death, b's from after, c absent.
    const key = loadJoinTokenKey(t.dataDir);
    const record = await waitFor(
      'roll call record at the hub',
      async () => {
        const response = await fetch(`${t.hubUrl}${CONSULTATION_RECORDS_PATH}?room=${ROOM}&kind=roll_call`, {
          headers: { authorization: serviceAuthorization(key, 'e2e') },
        });
        const list = consultationRecordListSchema.parse(await response.json());
        return list.records.find((r) => r.kind === 'roll_call' && r.rollCall.rollCallId === rollCall.ok.rollCallId);
      },
      60_000,
    );
    if (record.kind !== 'roll_call') throw new Error('not a roll call record');
    const byCourt = Object.fromEntries(record.rollCall.results.map((r) => [r.court, r]));
    expect(byCourt.A?.status).toBe('answered');
    expect(Date.parse(byCourt.A!.answeredAt!)).toBeLessThan(killedAt);
    expect(byCourt.B?.status).toBe('answered');
    expect(Date.parse(byCourt.B!.answeredAt!)).toBeGreaterThan(killedAt);
    expect(byCourt.C?.status).toBe('absent');
    expect(new Set(record.rollCall.results.map((r) => r.promptedAt)).size).toBe(1);
    expect(Date.parse(record.startedAt)).toBeLessThan(killedAt);
  });
});
