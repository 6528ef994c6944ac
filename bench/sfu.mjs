// bench:sfu — the SFU's media relay under load, on a real mediasoup 3.19.3 worker.
// Synthetic producers replay pre-encoded VP8 + Opus RTP (encoded once by ffmpeg before the
// run, so no encoding cost during it); synthetic consumers (PlainTransports to UDP sinks)
// count what arrives. Reports: consumers per worker at < 1 % loss, worker CPU per consumer,
// added latency through the SFU (p50/p99), join → first keyframe, and a 24-site consultation.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { browserJoinTimes } from './sfu/browser-join.mjs';
import { encodeClips } from './sfu/clip.mjs';
import { Rig, measure } from './sfu/rig.mjs';
import { startClock } from './sfu/replay.mjs';
import { percentile, quick, round } from './lib/stats.mjs';

const STEPS = quick ? [200, 400, 800, 1200] : [200, 400, 600, 800, 1000, 1200, 1400, 1600];
const WINDOW_MS = quick ? 2500 : 5000;
const SITES = 10; // producers in the sweep: 10 sites × (low video + audio)
const log = (text) => process.stderr.write(`${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects when `promise` takes longer than `ms`: a starved machine must not hang the bench. */
function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

log('bench:sfu — encoding the clips once (ffmpeg: VP8 320x180, VP8 640x360, Opus)…');
const clips = await encodeClips();

async function sweep() {
  const rig = await Rig.create();
  const producers = [];
  for (let i = 0; i < SITES; i++) {
    producers.push(await rig.producer(clips.low, 'video'));
    producers.push(await rig.producer(clips.audio, 'audio'));
  }
  const probe = await rig.producer(clips.audio, 'audio', { probe: true });
  const probeSub = await rig.subscriber();
  probeSub.sink.probe = probe.replayer;
  probeSub.sink.probeSsrc = (await rig.consume(probeSub.transport, probe.producer)).rtpParameters.encodings[0].ssrc;
  const stop = startClock(rig.replayers);
  let subscribers = 0;
  const expected = () => producers.reduce((n, p) => n + p.replayer.sent, 0) * subscribers;
  const bulk = [];
  const results = [];
  for (const target of STEPS) {
    let m;
    const lag = monitorEventLoopDelay({ resolution: 5 });
    try {
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
      await sleep(1000);
      probeSub.sink.latencies.length = 0;
      lag.enable();
      m = await within(WINDOW_MS + 60_000, `measuring ${target} consumers`, measure(rig, WINDOW_MS, bulk, expected));
    } catch (error) {
      log(`  stopped the sweep: ${error.message}`);
      break;
    }
    lag.disable();
    log(`    (bench event-loop lag p99 ${round(lag.percentile(99) / 1e6, 1)} ms)`);
    const lat = probeSub.sink.latencies;
    const step = {
      consumers: subscribers * producers.length,
      lossPct: round(m.lossPct, 3),
      cpuPct: round(m.cpuPct, 1),
      p50: round(percentile(lat, 50), 3),
      p99: round(percentile(lat, 99), 3),
    };
    results.push(step);
    log(
      `  ${String(step.consumers).padStart(5)} consumers: loss ${step.lossPct} %, worker CPU ${step.cpuPct} %, added latency p50 ${step.p50} ms p99 ${step.p99} ms`,
    );
    if (m.lossPct >= 5) break;
  }
  stop();
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

log(`sweep: consumers on one worker (${SITES} sites × VP8 320x180 + Opus), ${WINDOW_MS / 1000} s per step`);
const steps = await sweep();
const passing = steps.filter((s) => s.lossPct < 1);
const best = passing.at(-1) ?? steps[0] ?? { consumers: 0, lossPct: NaN, cpuPct: NaN, p50: NaN, p99: NaN };
log('subscribe → first keyframe on the worker (VP8 640x360 replay, PLI answered by the replayer)…');
const joins = await joinToFirstFrame(quick ? 10 : 30);
log('join → first decoded frame in Chromium through the SFU service (signalling, ICE, DTLS, decode)…');
const browserJoins = await browserJoinTimes(quick ? 5 : 15, log);
log('24-site consultation on one worker…');
const c24 = await consultation24();

const summary = {
  bench: 'sfu',
  quick,
  consumers_per_worker: best.consumers,
  loss_pct: best.lossPct,
  worker_cpu_pct_at_max: best.cpuPct,
  cpu_pct_per_consumer: round(best.cpuPct / best.consumers, 4),
  added_latency_p50_ms: best.p50,
  added_latency_p99_ms: best.p99,
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
log(`added latency through the SFU at that load: p50 ${summary.added_latency_p50_ms} ms, p99 ${summary.added_latency_p99_ms} ms`);
log(
  `join → first decoded frame (Chromium): p50 ${summary.join_first_frame_ms} ms, max ${summary.join_first_frame_max_ms} ms (${browserJoins.length} joins)`,
);
log(
  `subscribe → first keyframe on the worker: p50 ${summary.subscribe_first_keyframe_ms} ms, p99 ${summary.subscribe_first_keyframe_p99_ms} ms`,
);
log(`machine load average during the run: ${summary.load_avg_1m} (latency figures suffer when other work shares the 2 cores)`);
log(`24-site consultation: ${c24.consumers} consumers, worker CPU ${c24.cpuPct} %, loss ${c24.lossPct} %`);
console.log(JSON.stringify(summary));
