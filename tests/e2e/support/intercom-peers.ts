/* eslint-disable @typescript-eslint/no-explicit-any -- browser test glue: page.evaluate bodies reach into the page's window */
/**
 * Peers of the intercom tests: a baresip intercom (registers, auto-answers or not, plays a WAV,
 * records what it hears, dials and hangs up over ctrl_tcp) and a Chromium duty console in an SFU
 * room (publishes a 1 kHz tone as its microphone, reports what it receives).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadJoinTokenKey, signJoinToken } from '@cc/runtime';
import { freePort } from './ports.js';
import { waitFor } from './processes.js';
import { rtcPeerBundle } from './rtc-bundle.js';

export interface Phone {
  child: ChildProcess;
  dir: string;
  /** Sends a ctrl_tcp command (`dial`, `hangup`, `accept`). */
  command(command: string, params?: string): Promise<void>;
}

/**
 * A baresip intercom registering at `registrar` (host:port): auto-answer or manual, playing
 * `tone` (a WAV), recording what it sends and hears into `dir/rec` (sndfile), driven over ctrl_tcp.
 */
export async function baresip(o: {
  dir: string;
  user: string;
  password: string;
  registrar: string;
  tone: string;
  autoAnswer?: boolean;
}): Promise<Phone> {
  const { dir, user, password } = o;
  mkdirSync(join(dir, 'rec'), { recursive: true });
  const [listen, ctrl] = [await freePort(), await freePort()];
  const answer = (o.autoAnswer ?? true) ? ';answermode=auto' : ';answermode=manual';
  writeFileSync(join(dir, 'accounts'), `<sip:${user}@${o.registrar};transport=udp>;auth_pass=${password};regint=60${answer}\n`);
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${listen}`,
      'audio_player alsa,null',
      'audio_alert alsa,null',
      `audio_source aufile,${o.tone}`,
      `snd_path ${join(dir, 'rec')}`,
      `ctrl_tcp_listen 127.0.0.1:${ctrl}`,
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module alsa.so',
      'module_tmp uuid.so',
      'module_tmp account.so',
      'module_app menu.so',
      'module_app sndfile.so',
      'module_app ctrl_tcp.so',
      'net_interface 127.0.0.1',
      '',
    ].join('\n'),
  );
  const child = spawn('baresip', ['-f', dir], { stdio: ['ignore', 'ignore', 'ignore'] });
  const command = async (name: string, params = ''): Promise<void> => {
    const json = JSON.stringify({ command: name, params, token: name });
    await waitFor(`baresip ${name}`, () => sendNetstring(ctrl, `${Buffer.byteLength(json)}:${json},`), 10_000);
  };
  return { child, dir, command };
}

function sendNetstring(port: number, text: string): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text, () => resolve(true)));
    socket.on('error', () => resolve(undefined));
  });
}

/**
 * RMS (0 … 32767) and dominant frequency (zero crossings) of the newest 16-bit 8 kHz WAV
 * recording baresip made of what it heard (`*dec*.wav`; `*enc*.wav` is what it sent).
 */
export function heardRms(phone: Phone): { file: string; rms: number; hz: number; seconds: number } | undefined {
  const dir = join(phone.dir, 'rec');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.wav') && f.includes('dec'))
    .sort((a, b) => statSync(join(dir, b)).mtimeMs - statSync(join(dir, a)).mtimeMs);
  if (!files[0]) return undefined;
  const wav = readFileSync(join(dir, files[0]));
  const data = wav.indexOf('data', 12);
  if (data < 0) return undefined;
  const start = data + 8;
  const samples = Math.floor((wav.length - start) / 2);
  let sum = 0;
  let crossings = 0;
  let previous = 0;
  let loud = 0;
  for (let i = 0; i < samples; i++) {
    const sample = wav.readInt16LE(start + 2 * i);
    sum += sample ** 2;
    if (Math.abs(sample) > 500) {
      loud += 1;
      if (previous !== 0 && Math.sign(sample) !== Math.sign(previous)) crossings += 1;
      previous = sample;
    }
  }
  const seconds = samples / 8000;
  // Frequency over the loud samples only (the recording starts before the console leg is up).
  return { file: files[0], rms: samples ? Math.sqrt(sum / samples) : 0, hz: loud ? crossings / 2 / (loud / 8000) : 0, seconds };
}

/** A duty console in the call's SFU room publishing a 1 kHz tone as its microphone. */
export async function consolePage(
  browser: Browser,
  sfuUrl: string,
  dataDir: string,
  room: string,
): Promise<{ page: Page; producerId: string }> {
  const page = await browser.newPage();
  await page.goto(`${sfuUrl}/healthz`);
  await page.addScriptTag({ content: await rtcPeerBundle() });
  const token = signJoinToken(loadJoinTokenKey(dataDir), {
    room,
    sub: 'duty-console',
    name: '值班台',
    role: 'duty_officer',
    exp: Math.floor(Date.now() / 1000) + 600,
  });
  await page.evaluate(
    ([url, tk]) => (window as any).ccPeer.join(url, tk, { autoSubscribe: true }),
    [`${sfuUrl.replace('http', 'ws')}/ws`, token],
  );
  const producerId: string = await page.evaluate(async () => {
    const context = new AudioContext();
    await context.resume();
    const oscillator = context.createOscillator();
    oscillator.frequency.value = 1000;
    const destination = context.createMediaStreamDestination();
    oscillator.connect(destination);
    oscillator.start();
    return (window as any).ccPeer.client.publish(destination.stream.getAudioTracks()[0], 'microphone');
  });
  return { page, producerId };
}

/** What the console receives of the intercom's voice (inbound-rtp audio of the device producer). */
export async function consoleHears(page: Page, producerId: string): Promise<{ packets: number; samples: number; level: number }> {
  return page.evaluate(async (pid) => {
    const client = (window as any).ccPeer.client;
    await client.subscribeAll();
    let out = { packets: 0, samples: 0, level: 0 };
    for (const entry of client.remote.values()) {
      if (entry.info.producerId !== pid) continue;
      if (!document.querySelector(`audio[data-consumer="${entry.info.consumerId}"]`)) {
        const audio = document.createElement('audio');
        audio.autoplay = true;
        audio.dataset.consumer = entry.info.consumerId;
        audio.srcObject = new MediaStream([entry.info.track]);
        document.body.append(audio);
      }
      (await entry.consumer.getStats()).forEach((s: any) => {
        if (s.type === 'inbound-rtp')
          out = { packets: s.packetsReceived ?? 0, samples: s.totalSamplesReceived ?? 0, level: s.audioLevel ?? 0 };
      });
    }
    return out;
  }, producerId);
}
