// Living field units for the demo: a few simulated GB/T 28181 body cameras / 单兵 that
// register with the device bridge, keep alive, move around (MobilePosition every 5 s),
// answer the bridge's queries, stream a looping test video when INVITEd, and press SOS on
// request. Runs until Ctrl-C.
//
//   node bench/bridge/field-units.mjs --devices=ID,ID --password=PW [--sip-port=5060]
//     [--bridge-host=127.0.0.1] [--bind=127.0.0.2] [--count=N] [--sos-every=SECONDS]
//
// Device ids: the hub's demo units (GB ids of its 单兵) with the bridge's shared password,
// or `--count=N` made-up ids under 3402000000. Build first (`npm run build`); needs ffmpeg.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GbFleet } from '../../device-bridge/dist/sim/gb-fleet.js';
import { PsVideoSource } from '../../device-bridge/dist/sim/ps-video-source.js';

const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const count = Number(option('count', '5'));
const ids = option('devices', '').split(',').filter(Boolean);
const deviceIds = ids.length > 0 ? ids : Array.from({ length: count }, (_, i) => `3402000000132${String(9000000 + i).slice(-7)}`);
const password = option('password', 'demo-pass');
const sosEvery = Number(option('sos-every', '0'));

const cache = join(homedir(), '.cache', 'cc-field-units');
const video = join(cache, 'bodycam-320x240.h264');
if (!existsSync(video)) {
  mkdirSync(cache, { recursive: true });
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '10'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0', '-g', '50', '-pix_fmt', 'yuv420p', '-f', 'h264', video],
  ]);
}

const fleet = await GbFleet.create({
  bridgeHost: option('bridge-host', '127.0.0.1'),
  bridgePort: Number(option('sip-port', '5060')),
  bindHost: option('bind', '127.0.0.2'),
  serverId: option('server-id', '34020000002000000001'),
  domain: option('domain', '3402000000'),
  devices: deviceIds.map((deviceId, i) => ({ deviceId, password, name: `单兵${i + 1}` })),
  answerQueries: true,
  video: () => new PsVideoSource(video, 25),
});

const registered = await Promise.all(deviceIds.map((_, i) => fleet.register(i)));
console.log(`field units: ${registered.filter(Boolean).length}/${deviceIds.length} registered`);
// Each unit walks its own circle around central Beijing.
let tick = 0;
const timers = [
  setInterval(() => deviceIds.forEach((_, i) => registered[i] && fleet.keepalive(i)), 30_000),
  setInterval(() => {
    tick += 1;
    deviceIds.forEach((_, i) => {
      if (!registered[i]) return;
      const angle = tick / 60 + (i * 2 * Math.PI) / deviceIds.length;
      const radius = 0.02 + 0.01 * (i % 3);
      fleet.position(
        i,
        116.397 + radius * Math.cos(angle),
        39.909 + radius * Math.sin(angle),
        5 + (i % 4) * 3,
        ((angle * 180) / Math.PI + 90) % 360,
      );
    });
  }, 5000),
];
if (sosEvery > 0) {
  timers.push(
    setInterval(() => {
      const i = Math.floor(Math.random() * deviceIds.length);
      if (registered[i]) fleet.alarm(i, '一键报警 SOS', { longitude: 116.397, latitude: 39.909 });
    }, sosEvery * 1000),
  );
}
process.once('SIGINT', async () => {
  for (const timer of timers) clearInterval(timer);
  // Unregister, but do not wait long for a bridge that is already gone.
  const unregister = Promise.all(deviceIds.map((_, i) => (registered[i] ? fleet.register(i, 0) : Promise.resolve(false))));
  await Promise.race([unregister, new Promise((resolve) => setTimeout(resolve, 3000))]);
  await fleet.close();
  process.exit(0);
});
