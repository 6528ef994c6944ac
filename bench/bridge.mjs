// bench:bridge — N simulated GB/T 28181 devices against one device-bridge process.
// One load-generator process (this one) speaks real SIP over UDP on loopback: every
// device REGISTERs with digest (per-device passwords), answers the bridge's DeviceInfo
// and Catalog queries, sends a Keepalive every 60 s, 20 % send MobilePosition every 5 s,
// and alarms fire at random. A stub hub in this process checks auth + schemas and
// timestamps arrivals. Measures the bridge's CPU (% of one core) and RSS in steady
// state, keepalive round trips, alarm → hub latency, and offline flaps.
import { fork, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GbFleet } from '../device-bridge/dist/sim/gb-fleet.js';
import { percentile, progress, quick, round, tempDataDir } from './lib/stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
};
const DEVICES = arg('devices', quick ? 5000 : 20_000);
const STEADY_S = arg('seconds', quick ? 30 : 200);
const KEEPALIVE_S = 60;
const POSITION_S = 5;
const POSITION_SHARE = 0.2;
const ALARMS_PER_S = arg('alarms', 2);
const SIP_PORT = 15960;
const CONTROL_PORT = 18792;
const SERVER_ID = '34020000002000000001';
const DOMAIN = '3402000000';
const dataDir = tempDataDir('bridge');

const pad = (n) => String(n).padStart(6, '0');
const devices = Array.from({ length: DEVICES }, (_, i) => ({ deviceId: `34020000001320${pad(i)}`, password: `pw-${i}`, name: `单兵${i}` }));
const devicesFile = join(dataDir, 'devices.json');
writeFileSync(devicesFile, JSON.stringify({ devices: devices.map((d) => ({ deviceId: d.deviceId, password: d.password, name: d.name })) }));

const hub = fork(join(root, 'bench/bridge/hub-stub.mjs'), [dataDir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const hubUrl = await new Promise((resolve) => hub.on('message', (m) => m.type === 'ready' && resolve(m.url)));
const now = () => performance.timeOrigin + performance.now();
const alarmSent = new Map();
const alarmLatency = [];
const offlineReasons = {};
let steady = false;
let flaps = 0;
let hubRefused = 0;
hub.on('message', (m) => {
  if (m.type === 'alarm') {
    const sentAt = alarmSent.get(m.description);
    if (sentAt !== undefined) {
      alarmLatency.push(m.at - sentAt);
      alarmSent.delete(m.description);
    }
  } else if (m.type === 'offline') {
    flaps += 1;
    offlineReasons[m.reason] = (offlineReasons[m.reason] ?? 0) + 1;
  } else if (m.type === 'stats') hubRefused = m.refused;
});

const bridge = spawn(process.execPath, [join(root, 'device-bridge/dist/main.js')], {
  env: {
    ...process.env,
    CC_DATA_DIR: dataDir,
    CC_LOG_LEVEL: 'warn',
    CC_BRIDGE_PORT: String(CONTROL_PORT),
    CC_BRIDGE_SIP_PORT: String(SIP_PORT),
    CC_BRIDGE_HUB_URL: hubUrl,
    CC_BRIDGE_DEVICES_FILE: devicesFile,
  },
  // BENCH_BRIDGE_LOG=FILE keeps the bridge's warnings for a look afterwards.
  stdio: ['ignore', process.env.BENCH_BRIDGE_LOG ? openSync(process.env.BENCH_BRIDGE_LOG, 'w') : 'ignore', 'inherit'],
});
const stopBridge = () => {
  if (bridge.exitCode === null) bridge.kill('SIGTERM');
  if (hub.exitCode === null) hub.kill('SIGTERM');
};
process.on('exit', stopBridge);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopBridge();
    process.exit(130);
  });
}

async function waitHealthy() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${CONTROL_PORT}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bridge did not become healthy');
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, clock ticks (100 Hz)
}
/** System-wide UDP receive-buffer drops (shared machine: an upper bound for ours). */
const udpRcvbufErrors = () => {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0].split(/\s+/);
  return Number(lines[1].split(/\s+/)[names.indexOf('RcvbufErrors')]);
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

await waitHealthy();
process.stderr.write(`bench:bridge: ${DEVICES} devices, ${STEADY_S} s steady state${quick ? ' (quick)' : ''}\n`);
const fleet = await GbFleet.create({
  bridgeHost: '127.0.0.1',
  bridgePort: SIP_PORT,
  bindHost: '127.0.0.2',
  serverId: SERVER_ID,
  domain: DOMAIN,
  devices,
  answerQueries: true,
  devicesPerSocket: 100,
});

// Devices keep alive from the moment they are registered, as real ones do: the
// 60 s keepalive and the 5 s positions run on a 10 ms tick, each device at a fixed phase, so
// the bridge sees the steady trickle that thousands of independent devices make. (A 100 ms tick,
// `--tick-ms=100`, sends each tick's ~113 messages as one burst: every alarm then queues behind
// a burst that real devices, with their own clocks, do not synchronise into.) Alarms fire at
// random instants (exponential gaps), not on the tick.
const registered = new Uint8Array(DEVICES);
const movers = Math.floor(DEVICES * POSITION_SHARE);
const tickMs = arg('tick-ms', 10);
let tick = 0;
let alarmSeq = 0;
let alarmsSent = 0;
let steadyStart = 0;
const rssSamples = [];
const ticker = setInterval(() => {
  const keepSlots = (KEEPALIVE_S * 1000) / tickMs;
  for (let i = tick % keepSlots; i < DEVICES; i += keepSlots) if (registered[i]) fleet.keepalive(i);
  const posSlots = (POSITION_S * 1000) / tickMs;
  for (let i = tick % posSlots; i < movers; i += posSlots) {
    if (!registered[i]) continue;
    const t = (performance.now() / 1000 + i) / 600;
    fleet.position(i, 116.3 + 0.1 * Math.cos(t), 39.9 + 0.1 * Math.sin(t), 20, (t * 57) % 360);
  }
  tick += 1;
  if (steady && tick % Math.round(5000 / tickMs) === 0) {
    rssSamples.push(rssMb(bridge.pid));
    progress('steady state (s)', Math.min(STEADY_S, Math.round((performance.now() - steadyStart) / 1000)), STEADY_S);
  }
}, tickMs);
let alarmTimer;
const scheduleAlarm = () => {
  alarmTimer = setTimeout(
    () => {
      if (steady) {
        const description = `bench-alarm-${alarmSeq++}`;
        alarmSent.set(description, now());
        fleet.alarm(Math.floor(Math.random() * DEVICES), description, { longitude: 116.39, latitude: 39.91 });
        alarmsSent += 1;
      }
      scheduleAlarm();
    },
    -Math.log(1 - Math.random()) * (1000 / ALARMS_PER_S),
  );
};
scheduleAlarm();

// Registration: a bounded number in flight, as devices coming up after a power cut would.
const regStart = performance.now();
let next = 0;
let done = 0;
await Promise.all(
  Array.from({ length: 200 }, async () => {
    while (next < DEVICES) {
      const index = next++;
      if (await fleet.register(index)) registered[index] = 1;
      done += 1;
      if (done % 500 === 0 || done === DEVICES) progress('registering', done, DEVICES);
    }
  }),
);
const registerSeconds = (performance.now() - regStart) / 1000;
const flapsWhileRegistering = flaps;
// Let the post-registration queries (DeviceInfo + Catalog per device) settle.
await new Promise((r) => setTimeout(r, 3000));

steady = true;
// Reading /healthz resets the bridge's event-loop delay histogram: the figure then covers the steady state.
await fetch(`http://127.0.0.1:${CONTROL_PORT}/healthz`);
fleet.stats.keepaliveRttMs.length = 0;
const cpuStart = cpuTicks(bridge.pid);
const generatorCpuStart = process.cpuUsage();
const udpDropsStart = udpRcvbufErrors();
steadyStart = performance.now();
const start = steadyStart;
await new Promise((resolve) => setTimeout(resolve, STEADY_S * 1000));
clearInterval(ticker);
clearTimeout(alarmTimer);
progress('steady state (s)', STEADY_S, STEADY_S);
const wallS = (performance.now() - start) / 1000;
const cpuPct = ((cpuTicks(bridge.pid) - cpuStart) / 100 / wallS) * 100;
const generatorCpu = process.cpuUsage(generatorCpuStart);
const generatorCpuPct = ((generatorCpu.user + generatorCpu.system) / 1e6 / wallS) * 100;
const udpDrops = udpRcvbufErrors() - udpDropsStart;
hub.send('stats');
await new Promise((r) => setTimeout(r, 1500));
const health = await (await fetch(`http://127.0.0.1:${CONTROL_PORT}/healthz`)).json();
const loop = health.details.eventLoop ?? {};
const rss = rssMb(bridge.pid);
const flapsAtEnd = flaps;
const reasonsAtEnd = { ...offlineReasons };
stopBridge();
await fleet.close();

const keepRtt = fleet.stats.keepaliveRttMs;
const result = {
  bench: 'bridge',
  quick,
  devices: DEVICES,
  devices_registered: fleet.stats.registered,
  devices_online: health.details.devices.online,
  register_s: round(registerSeconds, 1),
  register_per_s: round(DEVICES / registerSeconds, 0),
  steady_s: round(wallS, 0),
  msgs_per_s: round(DEVICES / KEEPALIVE_S + movers / POSITION_S + ALARMS_PER_S, 0),
  cpu_pct_one_core: round(cpuPct, 1),
  rss_mb: round(rss, 0),
  rss_max_mb: round(Math.max(rss, ...rssSamples), 0),
  keepalive_p50_ms: round(percentile(keepRtt, 50), 2),
  keepalive_p99_ms: round(percentile(keepRtt, 99), 2),
  keepalives_answered: keepRtt.length,
  tick_ms: tickMs,
  alarms_sent: alarmsSent,
  alarms_received: alarmLatency.length,
  alarm_p50_ms: round(percentile(alarmLatency, 50), 2),
  alarm_p99_ms: round(percentile(alarmLatency, 99), 2),
  alarm_answers: fleet.stats.alarmAnswers,
  flaps: flapsAtEnd - flapsWhileRegistering,
  flaps_while_registering: flapsWhileRegistering,
  hub_refused: hubRefused,
  bridge_loop_delay_p99_ms: round(loop.p99Ms ?? NaN, 1),
  bridge_loop_delay_max_ms: round(loop.maxMs ?? NaN, 1),
  offline_reasons: reasonsAtEnd,
  generator_cpu_pct: round(generatorCpuPct, 1),
  udp_rcvbuf_drops_system: udpDrops,
  load_avg_1m: round(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]), 1),
  hub_dropped: health.details.hub.dropped,
};
console.log(`
device bridge, ${DEVICES} GB/T 28181 devices over UDP (one bridge process)
  registered           ${result.devices_registered}/${DEVICES} in ${result.register_s} s (${result.register_per_s}/s)
  online at the end    ${result.devices_online}
  load                 ~${result.msgs_per_s} MESSAGE/s (keepalive 60 s, ${movers} movers every 5 s, ${ALARMS_PER_S} alarms/s)
  bridge CPU           ${result.cpu_pct_one_core} % of one core over ${result.steady_s} s
  bridge event loop    delay p99 ${result.bridge_loop_delay_p99_ms} ms, max ${result.bridge_loop_delay_max_ms} ms (since the last health check)
  bridge RSS           ${result.rss_mb} MB (max ${result.rss_max_mb})
  keepalive RTT        p50 ${result.keepalive_p50_ms} ms, p99 ${result.keepalive_p99_ms} ms (${result.keepalives_answered} answered)
  alarm → hub          p50 ${result.alarm_p50_ms} ms, p99 ${result.alarm_p99_ms} ms (${result.alarms_received}/${result.alarms_sent}, ${result.alarm_answers} answered per the standard)
  flaps (offline)      ${result.flaps} in steady state, ${result.flaps_while_registering} while registering (${JSON.stringify(reasonsAtEnd)})
  load generator CPU   ${result.generator_cpu_pct} % of one core; machine load average ${result.load_avg_1m}, UDP receive-buffer drops (whole machine) ${udpDrops}
`);
console.log(JSON.stringify(result));
process.exit(0);
