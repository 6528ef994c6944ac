// Join → first decoded frame in a real Chromium through the SFU service: signalling join,
// ICE + DTLS, consume, first frame decoded (getStats framesDecoded > 0), repeated with fresh pages.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { loadJoinTokenKey, signJoinToken } from '@cc/runtime';
import { tempDataDir } from '../lib/stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FLAGS = [
  ...['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  ...['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection'],
];

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function browserJoinTimes(samples, log) {
  const dataDir = tempDataDir('sfu');
  const port = await freePort();
  const env = { ...process.env, CC_DATA_DIR: dataDir, CC_SFU_PORT: String(port), CC_SFU_WORKERS: '1', CC_LOG_LEVEL: 'warn' };
  env.CC_SFU_RTC_MIN_PORT = '47000';
  env.CC_SFU_RTC_MAX_PORT = '47999';
  const sfu = spawn(process.execPath, [join(root, 'sfu/dist/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const bundle = (
      await build({
        entryPoints: [join(root, 'tests/e2e/support/rtc-peer.ts')],
        bundle: true,
        format: 'iife',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      })
    ).outputFiles[0].text;
    const key = loadJoinTokenKey(dataDir);
    const token = (sub) =>
      signJoinToken(key, { room: 'bench', sub, name: sub, role: 'court_user', exp: Math.floor(Date.now() / 1000) + 600 });
    const page = async () => {
      const p = await browser.newPage();
      await p.goto(`${url}/healthz`);
      await p.addScriptTag({ content: bundle });
      return p;
    };
    const ws = `${url.replace('http', 'ws')}/ws`;
    const publisher = await page();
    await publisher.evaluate(
      ([u, t]) => globalThis.ccPeer.join(u, t).then(() => globalThis.ccPeer.publishCamera(640, 360)),
      [ws, token('publisher')],
    );
    const times = [];
    for (let i = 0; i < samples; i++) {
      const viewer = await page();
      const ms = await viewer.evaluate(
        async ([u, t]) => {
          const t0 = performance.now();
          await globalThis.ccPeer.join(u, t, { autoSubscribe: true });
          for (;;) {
            const stats = await globalThis.ccPeer.receiveStats();
            if (stats.some((s) => s.kind === 'video' && s.framesDecoded > 0)) return performance.now() - t0;
            await new Promise((r) => setTimeout(r, 10));
          }
        },
        [ws, token(`viewer-${i}`)],
      );
      times.push(ms);
      log(`  join ${i + 1}/${samples}: ${Math.round(ms)} ms`);
      await viewer.close();
    }
    return times;
  } finally {
    await browser.close();
    sfu.kill('SIGTERM');
  }
}
