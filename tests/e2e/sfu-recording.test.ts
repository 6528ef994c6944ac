/**
 * Server-side recording of a 10-second session between two Chromium peers: every track goes to
 * a file ffprobe reads with the right codec and duration; the manifest's SHA-256 hashes match
 * the files (and a changed byte is detected); the manifest reaches the real hub. A recording
 * survives the SIGKILL of its mediasoup worker: the rebuilt room continues it as a second segment.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CONSULTATION_RECORDS_PATH, consultationRecordListSchema, recordingManifestSchema } from '@cc/protocol';
import { loadJoinTokenKey, serviceAuthorization, signJoinToken } from '@cc/runtime';
import { WEBRTC_FLAGS, launchChromium } from './support/chromium.js';
import { health, isAlive, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { rtcPeerBundle } from './support/rtc-bundle.js';

const ROOM = 'record-e2e';
let t: TestEnv;
let hub: Running;
let sfu: Running;
let browser: Browser;

async function peer(sub: string, role: 'leader' | 'court_user', court: string, room = ROOM): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${t.sfuUrl}/healthz`);
  await page.addScriptTag({ content: await rtcPeerBundle() });
  const tk = signJoinToken(loadJoinTokenKey(t.dataDir), {
    room,
    sub,
    name: sub,
    role,
    court,
    exp: Math.floor(Date.now() / 1000) + 300,
  });
  await page.evaluate(
    ([url, token]) => (window as any).ccPeer.join(url, token, { autoSubscribe: true }),
    [`${t.sfuUrl.replace('http', 'ws')}/ws`, tk],
  );
  await page.evaluate(() => (window as any).ccPeer.publishCamera(320, 180));
  return page;
}

const call = (page: Page, method: string): Promise<any> => page.evaluate((m) => (window as any).ccPeer.call(m), method);

function probe(file: string): { codec: string; duration: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file], {
    encoding: 'utf8',
  });
  const json = JSON.parse(out) as { streams: { codec_name: string }[]; format: { duration: string } };
  return { codec: json.streams[0]!.codec_name, duration: Number(json.format.duration) };
}

beforeAll(async () => {
  t = await testEnv();
  // The demo dataset is not needed here and takes long to load on a busy machine.
  hub = startNode('hub/dist/main.js', [], { ...t.env, CC_HUB_DEMO: 'off' });
  await waitFor('hub healthy', () => health(t.hubUrl), 60_000);
  sfu = startNode('sfu/dist/main.js', [], { ...t.env, CC_SFU_HUB_URL: t.hubUrl });
  await waitFor('sfu healthy', () => health(t.sfuUrl), 60_000);
  browser = await launchChromium(WEBRTC_FLAGS);
});

afterAll(async () => {
  await browser?.close();
  for (const service of [sfu, hub]) {
    service?.child.kill('SIGTERM');
    await service?.exited;
  }
});

describe('SFU server-side recording (real Chromium, real ffmpeg, ffprobe)', () => {
  it('records a 10-second session into ffprobe-readable files with a manifest whose hashes match', async () => {
    const leader = await peer('leader', 'leader', 'GY');
    const court = await peer('court-a', 'court_user', 'A');
    await waitFor('media flowing', async () => {
      const stats: { kind: string; framesDecoded: number }[] = await court.evaluate(() => (window as any).ccPeer.receiveStats());
      return stats.some((s) => s.kind === 'video' && s.framesDecoded > 10) ? true : undefined;
    });
    expect(await call(court, 'moderation.startRecording')).toEqual({ error: 'forbidden' });
    const started = await call(leader, 'moderation.startRecording');
    expect(started.ok.recordingId).toBeTruthy();
    // Every participant sees the recording indicator.
    for (const page of [leader, court]) {
      await waitFor('indicator on', async () =>
        (await page.evaluate(() => (window as any).ccPeer.roomState?.recording)) ? true : undefined,
      );
    }
    await new Promise((r) => setTimeout(r, 10_000));
    const stopped = await call(leader, 'moderation.stopRecording');
    expect(stopped.ok).toEqual({ recordingId: started.ok.recordingId, files: 4 });
    expect(await court.evaluate(() => (window as any).ccPeer.roomState.recording)).toBe(false);

    const root = join(t.dataDir, 'recordings');
    const manifest = recordingManifestSchema.parse(
      JSON.parse(readFileSync(join(root, ROOM.replace(/[^\w-]/g, '_'), started.ok.recordingId, 'manifest.json'), 'utf8')),
    );
    expect(manifest.files).toHaveLength(4);
    expect(manifest.participants.map((p) => p.sub).sort()).toEqual(['court-a', 'leader']);
    for (const file of manifest.files) {
      const path = join(root, file.path);
      const bytes = readFileSync(path);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      const { codec, duration } = probe(path);
      expect(codec).toBe(file.kind === 'video' ? 'vp8' : 'opus');
      expect(codec).toBe(file.codec);
      // ffmpeg starts writing at the first keyframe after it is up: up to ~2 s of the 10 are lost.
      expect(duration).toBeGreaterThan(7);
      expect(duration).toBeLessThan(12.5);
      // One changed byte is detected.
      const middle = bytes.length >> 1;
      bytes[middle] = bytes[middle]! ^ 0xff;
      expect(createHash('sha256').update(bytes).digest('hex')).not.toBe(file.sha256);
    }

    const key = loadJoinTokenKey(t.dataDir);
    const list = await waitFor('manifest at the hub', async () => {
      const response = await fetch(`${t.hubUrl}${CONSULTATION_RECORDS_PATH}?room=${ROOM}&kind=recording`, {
        headers: { authorization: serviceAuthorization(key, 'e2e') },
      });
      const body = consultationRecordListSchema.parse(await response.json());
      return body.records.length > 0 ? body : undefined;
    });
    const record = list.records[0]!;
    expect(record.kind === 'recording' && record.manifest).toEqual(manifest);
    await leader.close();
    await court.close();

    // The last peer left: the session's own record (who took part, when) reaches the hub.
    const sessions = await waitFor('session record at the hub', async () => {
      const response = await fetch(`${t.hubUrl}${CONSULTATION_RECORDS_PATH}?room=${ROOM}&kind=session`, {
        headers: { authorization: serviceAuthorization(key, 'e2e') },
      });
      const body = consultationRecordListSchema.parse(await response.json());
      return body.records.length > 0 ? body : undefined;
    });
    const session = sessions.records[0]!;
    expect(session.by.sub).toBe('leader');
    expect(session.participants.map((p) => p.sub).sort()).toEqual(['court-a', 'leader']);
    expect(session.participants.every((p) => p.leftAt !== undefined)).toBe(true);
  });

  it('a SIGKILLed worker mid-recording: the same recording continues as a second segment; the manifest shows both and the gap', async () => {
    const room = 'record-e2e-worker';
    const leader = await peer('leader', 'leader', 'GY', room);
    const court = await peer('court-a', 'court_user', 'A', room);
    const decoded = async (): Promise<number> => {
      const stats: { kind: string; framesDecoded: number }[] = await court.evaluate(() => (window as any).ccPeer.receiveStats());
      return stats.filter((s) => s.kind === 'video').reduce((n, s) => n + s.framesDecoded, 0);
    };
    await waitFor('media flowing', async () => ((await decoded()) > 10 ? true : undefined));
    const started = await call(leader, 'moderation.startRecording');
    await new Promise((r) => setTimeout(r, 5000));

    const details = (await health(t.sfuUrl))!.details as { workerPids: number[]; routersPerWorker: number[] };
    const pid = details.workerPids[details.routersPerWorker.findIndex((n) => n > 0)]!;
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor('worker gone', () => (isAlive(pid) ? undefined : true));
    for (const page of [leader, court]) {
      await waitFor('rejoined', async () => ((await page.evaluate(() => (window as any).ccPeer.rejoinMs.length)) > 0 ? true : undefined));
      // The indicator is still on after the rejoin: the recording did not end.
      expect(await page.evaluate(() => (window as any).ccPeer.roomState.recording)).toBe(true);
    }
    const after = await decoded();
    await waitFor('media flowing again', async () => ((await decoded()) > after + 10 ? true : undefined));
    await new Promise((r) => setTimeout(r, 5000));
    const stopped = await call(leader, 'moderation.stopRecording');
    expect(stopped.ok).toEqual({ recordingId: started.ok.recordingId, files: 8 });

    const root = join(t.dataDir, 'recordings');
    const manifest = recordingManifestSchema.parse(
      JSON.parse(readFileSync(join(root, room.replace(/[^\w-]/g, '_'), started.ok.recordingId, 'manifest.json'), 'utf8')),
    );
    expect(manifest.segments?.map((s) => s.segment)).toEqual([1, 2]);
    expect(manifest.gaps).toHaveLength(1);
    const gap = manifest.gaps![0]!;
    expect(gap.afterSegment).toBe(1);
    expect(Date.parse(gap.from)).toBeGreaterThanOrEqual(killedAt);
    expect(Date.parse(gap.to)).toBeGreaterThan(Date.parse(gap.from));
    expect(Date.parse(manifest.segments![1]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(gap.to));
    for (const segment of [1, 2]) {
      const files = manifest.files.filter((f) => f.segment === segment);
      expect(files.map((f) => `${f.name} ${f.kind}`).sort()).toEqual(['court-a audio', 'court-a video', 'leader audio', 'leader video']);
      for (const file of files) {
        const path = join(root, file.path);
        expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(file.sha256);
        const { codec, duration } = probe(path);
        expect(codec).toBe(file.codec);
        expect(duration).toBeGreaterThan(1);
        if (segment === 1) expect(Date.parse(file.startedAt)).toBeLessThan(killedAt);
        else expect(Date.parse(file.startedAt)).toBeGreaterThan(Date.parse(gap.from));
      }
    }
    const key = loadJoinTokenKey(t.dataDir);
    const list = await waitFor('one manifest at the hub', async () => {
      const response = await fetch(`${t.hubUrl}${CONSULTATION_RECORDS_PATH}?room=${room}&kind=recording`, {
        headers: { authorization: serviceAuthorization(key, 'e2e') },
      });
      const body = consultationRecordListSchema.parse(await response.json());
      return body.records.length > 0 ? body : undefined;
    });
    expect(list.records).toHaveLength(1);
    expect(list.records[0]!.kind === 'recording' && list.records[0]!.manifest).toEqual(manifest);
    await leader.close();
    await court.close();
  });
});
