// bench:sfu — the SFU's media relay under load, on a real mediasoup 3.19.3 worker.
// Synthetic producers replay pre-encoded VP8 + Opus RTP (encoded once by ffmpeg before the
// run, so no encoding cost during it); synthetic consumers (PlainTransports to UDP sinks)
// count what arrives. Reports: consumers per worker at < 1 % loss, worker CPU per consumer,
// added latency through the SFU (p50/p99/p99.9 with the sample count, from a separate probe
// process using kernel receive timestamps, plus the evidence of where a tail comes from: the
// worker's CPU wait, CPU pressure, the bench's loop lag and GC, the stats-query burst),
// join → first keyframe, and a 24-site consultation. Flags: --quick, --steps=400,800,
// --sweep-only, --pin / --no-pin.
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { browserJoinTimes } from './sfu/browser-join.mjs';
import { encodeClips } from './sfu/clip.mjs';
import { cpuEvidence } from './sfu/cpu-evidence.mjs';
import { LatencyProbe, pinProcess, placement } from './sfu/latency-probe.mjs';
import { Rig, measure } from './sfu/rig.mjs';
import { startClock } from './sfu/replay.mjs';
import { percentile, quick, round } from './lib/stats.mjs';

const stepsArg = process.argv.find((a) => a.startsWith('--steps='));
const STEPS = stepsArg
  ? stepsArg.slice(8).split(',').map(Number)
  : quick
    ? [200, 400, 800, 1200]
    : [200, 400, 600, 800, 1000, 1200, 1400, 1600];
const log = (text) => process.stderr.write(`${text}\n`);
// CPU placement (see BENCHMARKS.md, SFU latency tail): the worker alone on core 0; the latency
// probe, this process (replayers) and socat (bulk receivers) on the other cores, so the bench's
// own receive work does not preempt the worker mid-fan-out. On a saturated machine pinning
// starves the pinned processes (nothing can migrate to a free core), so by default the bench
// pins only when the 1-minute load is below the core count. --pin / --no-pin force it.
const busy = loadavg()[0] >= cpus().length;
const wantPin = process.argv.includes('--pin') || (!busy && !process.argv.includes('--no-pin'));
const CPUS = placement(wantPin);
if (!wantPin && busy && !process.argv.includes('--no-pin')) {
  log(`machine busy (load ${round(loadavg()[0], 1)} on ${cpus().length} cores): not pinning CPUs (use --pin to force)`);
}
if (CPUS) pinProcess(process.pid, CPUS.bench);
const only = process.argv.includes('--sweep-only');
// --worker-nice=N: the sweep's worker runs at that priority (the SFU service's `workerNice`).
const niceArg = process.argv.find((a) => a.startsWith('--worker-nice='));
const WORKER_NICE = niceArg ? Number(niceArg.slice(14)) : undefined;
const WINDOW_MS = quick ? 2500 : 5000;
const SITES = 10; // producers in the sweep: 10 sites × (low video + audio)
let gcMs = 0;
let gcCounting = false;
new PerformanceObserver((list) => {
  if (gcCounting) for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects when `promise` takes longer than `ms`: a starved machine must not hang the bench. */
function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

log('bench:sfu — encoding the clips once (ffmpeg: VP8 320x180, VP8 640x360, Opus)…');
const clips = await encodeClips();

function latencyFigures(samples) {
  return {
    samples: samples.length,
    p50: round(percentile(samples, 50), 3),
    p99: round(percentile(samples, 99), 3),
    p999: round(percentile(samples, 99.9), 3),
    max: round(samples.length ? Math.max(...samples) : NaN, 3),
  };
}

/** Adds bulk consumers (to the socat reader) until `target`; returns the new subscriber count. */
async function grow(rig, producers, bulk, subscribers, target) {
  await within(
    60_000,
    `adding consumers up to ${target}`,
    (async () => {
      while (subscribers * producers.length < target) {
        const { transport } = await rig.subscriber({ bulk: true });
        for (const p of producers) bulk.push(await rig.consume(transport, p.producer));
        subscribers++;
      }
    })(),
  );
  return subscribers;
}

/**
 * One measurement window: loss/CPU over all consumers; added latency from the separate pinned
 * probe process (the headline) and, for comparison, from the old in-process sink; the bench
 * process's event-loop lag and GC time over the same window.
 */
async function step(rig, bulk, expected, probe, probeSub) {
  const lag = monitorEventLoopDelay({ resolution: 5 });
  let inproc = [];
  let remote;
  let evidence;
  let endEvidence;
  const window = {
    start() {
      probeSub.sink.latencies.length = 0;
      probe.record();
      lag.enable();
      gcMs = 0;
      gcCounting = true;
      endEvidence = cpuEvidence(rig.worker.pid);
    },
    async stop() {
      evidence = endEvidence();
      gcCounting = false;
      lag.disable();
      inproc = [...probeSub.sink.latencies];
      remote = await probe.report();
    },
  };
  const m = await within(WINDOW_MS + 60_000, 'measuring', measure(rig, WINDOW_MS, bulk, expected, window));
  // Evidence for the old method's tail: the same probe while the bench queries every consumer's stats.
  probe.record();
  const t0 = performance.now();
  await rig.sentBy(bulk);
  const statsBurstMs = performance.now() - t0;
  const duringStats = await probe.report();
  return {
    m,
    inproc,
    remote,
    evidence,
    duringStats: duringStats.sfu,
    statsBurstMs,
    benchLagP99: lag.percentile(99) / 1e6,
    benchGcMs: gcMs,
  };
}

async function sweep() {
  const rig = await Rig.create({ cpus: CPUS, nice: WORKER_NICE });
  const producers = [];
  for (let i = 0; i < SITES; i++) {
    producers.push(await rig.producer(clips.low, 'video'));
    producers.push(await rig.producer(clips.audio, 'audio'));
  }
  const inprocProbe = await rig.producer(clips.audio, 'audio', { probe: true });
  const probeSub = await rig.subscriber();
  probeSub.sink.probe = inprocProbe.replayer;
  probeSub.sink.probeSsrc = (await rig.consume(probeSub.transport, inprocProbe.producer)).rtpParameters.encodings[0].ssrc;
  const probe = await LatencyProbe.start(rig, CPUS?.bench);
  const stop = startClock(rig.replayers);
  let subscribers = 0;
  const expected = () => producers.reduce((n, p) => n + p.replayer.sent, 0) * subscribers;
  const bulk = [];
  const results = [];
  for (const target of STEPS) {
    let r;
    try {
      subscribers = await grow(rig, producers, bulk, subscribers, target);
      await sleep(1000);
      r = await step(rig, bulk, expected, probe, probeSub);
    } catch (error) {
      log(`  stopped the sweep: ${error.message}`);
      break;
    }
    const lat = latencyFigures(r.remote.sfu);
    const recv = latencyFigures(r.remote.receiver);
    const old = latencyFigures(r.inproc);
    const result = {
      consumers: subscribers * producers.length,
      lossPct: round(r.m.lossPct, 3),
      cpuPct: round(r.m.cpuPct, 1),
      ...lat,
      receiverDelayP50: recv.p50,
      receiverDelayP99: recv.p99,
      inprocP50: old.p50,
      inprocP99: old.p99,
      inprocP999: old.p999,
      inprocSamples: old.samples,
      benchLagP99Ms: round(r.benchLagP99, 2),
      benchGcMs: round(r.benchGcMs, 1),
      ...r.evidence,
      statsBurstMs: round(r.statsBurstMs, 0),
      duringStatsP99: latencyFigures(r.duringStats).p99,
      duringStatsMax: latencyFigures(r.duringStats).max,
    };
    results.push(result);
    log(
      `  ${String(result.consumers).padStart(5)} consumers: loss ${result.lossPct} %, worker CPU ${result.cpuPct} %, ` +
        `added latency p50 ${lat.p50} / p99 ${lat.p99} / p99.9 ${lat.p999} / max ${lat.max} ms (${lat.samples} samples)`,
    );
    log(
      `        probe's own receive delay (not counted) p50 ${recv.p50} / p99 ${recv.p99} ms; ` +
        `old in-process sink: p50 ${old.p50} / p99 ${old.p99} / p99.9 ${old.p999} ms (${old.samples}); ` +
        `bench loop lag p99 ${result.benchLagP99Ms} ms, bench GC ${result.benchGcMs} ms`,
    );
    log(
      `        worker ran ${result.workerRunMs} ms and waited for a CPU ${result.workerWaitMs} ms (${result.workerWaitPerSliceMs} ms per wake-up); ` +
        `CPU pressure (some task waiting) ${result.cpuPressurePct} % of the window; ` +
        `while the bench read all consumers' stats (${result.statsBurstMs} ms): p99 ${result.duringStatsP99} / max ${result.duringStatsMax} ms`,
    );
    if (r.m.lossPct >= 5) break;
  }
  stop();
  probe.stop();
  rig.close();
  return results;
}

/** Subscribe → first keyframe at the subscriber (includes the PLI the SFU sends and the sender's keyframe). */
async function joinToFirstFrame(samples) {
  const rig = await Rig.create();
  const video = await rig.producer(clips.high, 'video');
  const stop = startClock(rig.replayers);
  await sleep(500);
  const times = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const { sink, transport } = await rig.subscriber();
    const consumer = await rig.consume(transport, video.producer);
    const ssrc = consumer.rtpParameters.encodings[0].ssrc;
    sink.watchKeys.add(ssrc);
    while (!sink.firstKeyAt.has(ssrc) && performance.now() - t0 < 5000) await sleep(2);
    if (sink.firstKeyAt.has(ssrc)) times.push(sink.firstKeyAt.get(ssrc) - t0);
    transport.close();
    await sleep(150);
  }
  stop();
  rig.close();
  return times;
}

/** 24 sites: everyone sees everyone at the low layer and hears everyone; the speaker also at the high layer. */
async function consultation24() {
  const rig = await Rig.create();
  const sites = [];
  for (let i = 0; i < 24; i++) sites.push({ low: await rig.producer(clips.low, 'video'), audio: await rig.producer(clips.audio, 'audio') });
  const high = await rig.producer(clips.high, 'video');
  const stop = startClock(rig.replayers);
  const fanout = new Map();
  const count = (p) => fanout.set(p, (fanout.get(p) ?? 0) + 1);
  for (let i = 0; i < 24; i++) {
    const { transport } = await rig.subscriber({ bulk: true });
    for (let j = 0; j < 24; j++) {
      if (i === j) continue;
      for (const p of [sites[j].low, sites[j].audio]) {
        await rig.consume(transport, p.producer);
        count(p);
      }
    }
    if (i !== 0) {
      await rig.consume(transport, high.producer);
      count(high);
    }
  }
  await sleep(1000);
  const m = await measure(rig, WINDOW_MS, rig.consumers, () => [...fanout].reduce((n, [p, k]) => n + p.replayer.sent * k, 0));
  stop();
  const consumers = rig.consumers.length;
  rig.close();
  return { consumers, cpuPct: round(m.cpuPct, 1), lossPct: round(m.lossPct, 3) };
}

log(
  `sweep: consumers on one worker (${SITES} sites × VP8 320x180 + Opus), ${WINDOW_MS / 1000} s per step; ` +
    (CPUS ? `worker pinned to CPU ${CPUS.worker}, bench + socat + latency probe to CPU ${CPUS.bench}` : 'no CPU pinning'),
);
const steps = await sweep();
// The rest (Chromium joins, the 24-site room) runs unpinned: children inherit this process's CPUs.
if (CPUS) pinProcess(process.pid, `0-${cpus().length - 1}`);
const passing = steps.filter((s) => s.lossPct < 1);
const best = passing.at(-1) ?? steps[0] ?? { consumers: 0, lossPct: NaN, cpuPct: NaN, p50: NaN, p99: NaN };
const at800 = steps.find((s) => s.consumers === 800);
let joins = [];
let browserJoins = [];
let c24 = { consumers: 0, cpuPct: NaN, lossPct: NaN };
if (!only) {
  log('subscribe → first keyframe on the worker (VP8 640x360 replay, PLI answered by the replayer)…');
  joins = await joinToFirstFrame(quick ? 10 : 30);
  log('join → first decoded frame in Chromium through the SFU service (signalling, ICE, DTLS, decode)…');
  browserJoins = await browserJoinTimes(quick ? 5 : 15, log);
  log('24-site consultation on one worker…');
  c24 = await consultation24();
}

const summary = {
  bench: 'sfu',
  quick,
  cpu_placement: CPUS ? `worker:${CPUS.worker} bench:${CPUS.bench}` : 'unpinned',
  worker_nice: WORKER_NICE ?? 0,
  consumers_per_worker: best.consumers,
  loss_pct: best.lossPct,
  worker_cpu_pct_at_max: best.cpuPct,
  cpu_pct_per_consumer: round(best.cpuPct / best.consumers, 4),
  added_latency_p50_ms: best.p50,
  added_latency_p99_ms: best.p99,
  added_latency_p999_ms: best.p999,
  added_latency_samples: best.samples,
  added_latency_800_p50_ms: at800?.p50,
  added_latency_800_p99_ms: at800?.p99,
  added_latency_800_p999_ms: at800?.p999,
  added_latency_800_samples: at800?.samples,
  join_first_frame_ms: round(percentile(browserJoins, 50), 1),
  join_first_frame_max_ms: round(Math.max(...browserJoins), 1),
  subscribe_first_keyframe_ms: round(percentile(joins, 50), 1),
  subscribe_first_keyframe_p99_ms: round(percentile(joins, 99), 1),
  load_avg_1m: round(loadavg()[0], 2),
  consultation24_consumers: c24.consumers,
  consultation24_cpu_pct: c24.cpuPct,
  consultation24_loss_pct: c24.lossPct,
  steps,
};
log('');
log(
  `consumers per worker at < 1 % loss: ${summary.consumers_per_worker} (highest step tried: ${steps.at(-1)?.consumers}; loss there ${steps.at(-1)?.lossPct} %)`,
);
log(`worker CPU at that load: ${summary.worker_cpu_pct_at_max} % of a core → ${summary.cpu_pct_per_consumer} % per consumer`);
log(`added latency through the SFU at that load: p50 ${best.p50} ms, p99 ${best.p99} ms, p99.9 ${best.p999} ms (${best.samples} samples)`);
if (at800)
  log(`added latency at 800 consumers: p50 ${at800.p50} ms, p99 ${at800.p99} ms, p99.9 ${at800.p999} ms (${at800.samples} samples)`);
if (!only) {
  log(
    `join → first decoded frame (Chromium): p50 ${summary.join_first_frame_ms} ms, max ${summary.join_first_frame_max_ms} ms (${browserJoins.length} joins)`,
  );
  log(
    `subscribe → first keyframe on the worker: p50 ${summary.subscribe_first_keyframe_ms} ms, p99 ${summary.subscribe_first_keyframe_p99_ms} ms`,
  );
  log(`24-site consultation: ${c24.consumers} consumers, worker CPU ${c24.cpuPct} %, loss ${c24.lossPct} %`);
}
log(`machine load average during the run: ${summary.load_avg_1m} (latency figures suffer when other work shares the 2 cores)`);
console.log(JSON.stringify(summary));
