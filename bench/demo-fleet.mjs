// CPU of the living demo: `npm start -- --headless` on the demo dataset with the demo fleet
// (every demo unit's devices, the default video devices), measured from /proc over a window
// while idle (no viewer), then while one fleet device streams its looping clip into the SFU.
//
//   npm run bench:demo-fleet [-- --quick]      (quick: 20 s windows instead of 60 s)
//
// Build first (`npm run build`); needs ffmpeg. Ends with one JSON line.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadJoinTokenKey, serviceAuthorization } from '../runtime/dist/index.js';
import { quick, round, tempDataDir } from './lib/stats.mjs';

const WINDOW_S = quick ? 20 : 60;
const TICKS = 100; // clock ticks per second (Linux USER_HZ)

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const dataDir = tempDataDir('demo-fleet');
const [hub, sfu, bridge, sip] = [await freePort(), await freePort(), await freePort(), await freePort()];
const env = {
  ...process.env,
  CC_DATA_DIR: dataDir,
  CC_LOG_LEVEL: 'warn',
  CC_HUB_PORT: String(hub),
  CC_HUB_DEMO: 'auto',
  CC_HUB_SFU_URL: `http://127.0.0.1:${sfu}`,
  CC_HUB_BRIDGE_URL: `http://127.0.0.1:${bridge}`,
  CC_SFU_PORT: String(sfu),
  CC_SFU_HUB_URL: `http://127.0.0.1:${hub}`,
  CC_SFU_WORKERS: '1',
  CC_SFU_RTC_MIN_PORT: '47000',
  CC_SFU_RTC_MAX_PORT: '47199',
  CC_BRIDGE_PORT: String(bridge),
  CC_BRIDGE_SIP_PORT: String(sip),
  CC_BRIDGE_RTP_MIN_PORT: '37000',
  CC_BRIDGE_RTP_MAX_PORT: '37099',
  CC_BRIDGE_HUB_URL: `http://127.0.0.1:${hub}`,
  CC_BRIDGE_SFU_URL: `http://127.0.0.1:${sfu}`,
  CC_DEMO_FLEET: 'auto',
};
delete env.CC_CONFIG;

process.stderr.write(`  starting the command center on the demo dataset (data ${dataDir})…\n`);
const launcher = spawn(process.execPath, ['launcher/dist/main.js', '--headless'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
launcher.stdout.on('data', (c) => (output += c));
launcher.stderr.on('data', (c) => (output += c));
const exited = new Promise((resolve) => launcher.once('exit', resolve));

async function waitFor(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}\n${output.slice(-3000)}`);
}

const fleetLine = await waitFor(
  'the demo fleet',
  async () => /demo fleet 演示终端\s+(\d+) simulated .*\((\d+) with live video\)/.exec(output) ?? undefined,
  300_000,
);
const devices = Number(fleetLine[1]);
const videoDevices = Number(fleetLine[2]);
process.stderr.write(`  demo fleet: ${devices} devices (${videoDevices} with video); waiting until all are online…\n`);
const bridgeHealth = async () => (await fetch(`http://127.0.0.1:${bridge}/healthz`)).json();
await waitFor(
  'every fleet device online',
  async () => ((await bridgeHealth()).details.devices.online >= devices ? true : undefined),
  120_000,
);

const children = (pid) =>
  readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
const cmdline = (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
const ticks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const procs = {};
for (const pid of children(launcher.pid)) {
  const line = cmdline(pid);
  const name = line.includes('demo-fleet-main')
    ? 'fleet'
    : line.includes('device-bridge')
      ? 'bridge'
      : line.includes('hub/dist')
        ? 'hub'
        : line.includes('sfu/dist')
          ? 'sfu'
          : undefined;
  if (name) procs[name] = [pid];
}
for (const pid of children(procs.sfu?.[0] ?? -1)) procs.sfu.push(pid);
procs.launcher = [launcher.pid];

async function measure(label) {
  const before = Object.fromEntries(Object.entries(procs).map(([n, pids]) => [n, pids.reduce((s, p) => s + ticks(p), 0)]));
  for (let s = 1; s <= WINDOW_S; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    process.stderr.write(`\r  ${label}: ${s}/${WINDOW_S} s   `);
  }
  process.stderr.write('\n');
  return Object.fromEntries(
    Object.entries(procs).map(([n, pids]) => [
      n,
      round(((pids.reduce((s, p) => s + ticks(p), 0) - before[n]) / TICKS / WINDOW_S) * 100, 1),
    ]),
  );
}

const idle = await measure('idle');
// One live stream: the hub's way of opening a video (bridge control API), from a fleet video device.
const plan = JSON.parse(readFileSync(`${dataDir}/demo-fleet/plan.json`, 'utf8'));
const camera = plan.devices.find((d) => d.video);
let streaming;
let streamStats;
if (camera) {
  const response = await fetch(`http://127.0.0.1:${bridge}/api/v1/streams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: serviceAuthorization(loadJoinTokenKey(dataDir), 'bench') },
    body: JSON.stringify({ deviceId: camera.deviceId, channelId: camera.deviceId, viewerId: 'bench' }),
  });
  if (response.ok) {
    streaming = await measure('one live stream');
    streamStats = (await bridgeHealth()).details.streams;
  } else process.stderr.write(`  could not open a stream: ${response.status} ${await response.text()}\n`);
}
const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

launcher.kill('SIGTERM');
await exited;

const row = (name) =>
  `  ${name.padEnd(10)} ${String(idle[name]).padStart(6)} %${streaming ? `   ${String(streaming[name]).padStart(6)} %` : ''}`;
console.log(`\ndemo fleet: ${devices} simulated devices (${videoDevices} with video), ${WINDOW_S} s windows, % of one core`);
console.log(`  ${'process'.padEnd(10)} ${'idle'.padStart(8)}${streaming ? `   ${'1 stream'.padStart(8)}` : ''}`);
for (const name of ['fleet', 'bridge', 'hub', 'sfu', 'launcher']) console.log(row(name));
if (streamStats) console.log(`  bridge streams during the stream window: ${JSON.stringify(streamStats)}`);
console.log(`  machine load average (1 min) at the end: ${load}\n`);
console.log(
  JSON.stringify({
    bench: 'demo-fleet',
    quick,
    window_s: WINDOW_S,
    devices,
    video_devices: videoDevices,
    idle_cpu_pct: idle,
    one_stream_cpu_pct: streaming ?? null,
    streams: streamStats ?? null,
    load_avg_1m: Number(load),
  }),
);
