// bench:intercom — added latency of the intercom transcoding leg (console Opus → intercom G.711).
// ffmpeg encodes a test signal (1 kHz bursts of 0.5 s, one per second) to Opus RTP, 20 ms
// frames, which this script captures; then it replays the packets in real time (20 ms pacing)
// into the bridge's GStreamer transcoder (device-bridge/dist/intercom/transcoder.js, as a call
// runs it) and times each burst's first Opus packet out against its first loud PCMA packet back.
// What it measures: jitter buffer + Opus decode + resample + A-law + 20 ms packetization + two
// loopback hops. Not included: the SFU's forwarding and the network to the intercom.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, progress, quick, round } from './lib/stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Transcoder } = await import(join(root, 'device-bridge/dist/intercom/transcoder.js'));
const SECONDS = quick ? 10 : 30;
const FRAME_MS = 20;

function bind() {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket)));
}

/** Opus RTP packets of the test signal, in sending order. */
async function encode() {
  const socket = await bind();
  const packets = [];
  socket.on('message', (m) => {
    const pt = m[1] & 0x7f;
    if (m.length > 12 && (pt < 72 || pt > 79)) packets.push(m);
  });
  const signal = `aevalsrc=0.8*sin(2*PI*1000*t)*lt(mod(t\\,1)\\,0.5):s=48000:d=${SECONDS + 1}`;
  const ffmpeg = spawn('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', signal],
    ...['-c:a', 'libopus', '-b:a', '32k', '-application', 'lowdelay', '-frame_duration', String(FRAME_MS), '-ac', '1'],
    ...['-f', 'rtp', '-payload_type', '111', `rtp://127.0.0.1:${socket.address().port}`],
  ]);
  await new Promise((resolve) => ffmpeg.once('exit', resolve));
  await new Promise((r) => setTimeout(r, 200));
  socket.close();
  return packets;
}

/** Largest |sample| of a PCMA payload (ITU-T G.711 A-law decode). */
function alawPeak(payload) {
  let peak = 0;
  for (const byte of payload) {
    const a = byte ^ 0x55;
    const exponent = (a & 0x70) >> 4;
    const mantissa = a & 0x0f;
    const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
    peak = Math.max(peak, magnitude);
  }
  return peak;
}

const logger = { info() {}, warn() {}, error: (...a) => console.error(...a), child: () => logger };
process.stderr.write(`intercom transcoding leg, ${SECONDS} s of 1 kHz bursts (${quick ? 'quick' : 'full'} run)\n`);
const packets = await encode();
process.stderr.write(`  encoded ${packets.length} Opus RTP packets\n`);
const out = await bind();
const transcoder = new Transcoder({ opusPayloadType: 111, codec: 'PCMA', outputPort: out.address().port, logger });
const inputPort = await transcoder.start();
const sender = await bind();

// A burst starts every 50 packets (1 s of 20 ms frames); the first second is silence.
const onsets = new Map(); // burst index → send time
const latencies = [];
let waitingFor = -1;
let quietSince = 0;
out.on('message', (m) => {
  const now = performance.now();
  const loud = alawPeak(m.subarray(12)) > 2000;
  if (!loud) quietSince += 1;
  if (loud && waitingFor >= 0 && onsets.has(waitingFor) && quietSince >= 3) {
    latencies.push(now - onsets.get(waitingFor));
    waitingFor = -1;
    quietSince = 0;
  }
});

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

await new Promise((r) => setTimeout(r, 1000)); // the child starts and binds its port
const pid = transcoder.pid;
const cpuBefore = cpuSeconds(pid);
const started = performance.now();
const total = Math.min(packets.length, SECONDS * 50);
for (let i = 0; i < total; i++) {
  const due = started + i * FRAME_MS;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  if (i % 50 === 0 && i > 0) {
    onsets.set(i / 50, performance.now());
    waitingFor = i / 50;
  }
  sender.send(packets[i], inputPort, '127.0.0.1');
  if (i % 50 === 0) progress('replaying', i / 50, SECONDS);
}
progress('replaying', SECONDS, SECONDS);
const cpuPct = round(((cpuSeconds(pid) - cpuBefore) / ((performance.now() - started) / 1000)) * 100, 1);
await new Promise((r) => setTimeout(r, 500));
await transcoder.close();
out.close();
sender.close();

const p50 = round(percentile(latencies, 50), 1);
const max = round(Math.max(...latencies), 1);
const min = round(Math.min(...latencies), 1);
console.log(`\nbursts measured: ${latencies.length} of ${SECONDS - 1}`);
console.log(`added latency (Opus RTP in → first loud PCMA RTP out): p50 ${p50} ms, min ${min} ms, max ${max} ms`);
console.log(`transcoder child CPU while a call talks: ${cpuPct} % of one core`);
console.log(
  JSON.stringify({
    bench: 'intercom',
    bursts: latencies.length,
    transcoder_cpu_pct_one_core: cpuPct,
    latency_p50_ms: p50,
    latency_min_ms: min,
    latency_max_ms: max,
    quick,
  }),
);
