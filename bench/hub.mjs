// bench:hub — the hub's case work at scale, in one process on a temp SQLite file:
// 1. bulk import (importCasesJson, the code behind POST /api/v1/cases/import: parsed and checked in
//    the import check worker, pipelined with the writes, one transaction per slice),
// 2. the deadline engine's tick at that size (idle, and hour by hour with real transitions),
// 3. the wall statistics query (function and over HTTP),
// 4. event fan-out from a committed mutation to 50 WebSocket clients (same process),
// 5. the database size; also a catalog rule change re-timing every open node of a type (2b).
// Full run: 1 M cases / ~10 M nodes (several minutes). --quick: 50 k cases / ~0.5 M nodes.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { DisposableStore, createLogger } from '@cc/runtime';
import { createHub } from '../hub/dist/app/create-hub.js';
import { hubConfigSchema } from '../hub/dist/config.js';
import { importCasesSliced } from '../hub/dist/cases/import-sliced.js';
import { importCasesJson } from '../hub/dist/cases/import-json.js';
import { nodeWriterOf } from '../hub/dist/cases/store.js';
import { walCheckpointerOf } from '../hub/dist/store/checkpointer.js';
import { deadlineEngineOf } from '../hub/dist/deadlines/index.js';
import { period, queryStats } from '../hub/dist/stats/query.js';
import { putCourt } from '../hub/dist/orgs/repository.js';
import { SYSTEM_ACTOR } from '../hub/dist/audit/audit-log.js';
import { recomputeType } from '../hub/dist/catalog/recompute.js';
import { catalogOf, invalidateCatalog, putNodeType } from '../hub/dist/catalog/repository.js';
import { flushDeferredDays } from '../hub/dist/stats/aggregates.js';
import { benchCourts, benchRecords, NODES_PER_CASE } from './hub/dataset.mjs';
import { percentile, progress, quick, round, tempDataDir } from './lib/stats.mjs';

// --cases=N: another size (for comparing changes quickly; the recorded figures use the full 1 M).
const casesArg = process.argv.find((a) => a.startsWith('--cases='));
const CASES = casesArg ? Number(casesArg.slice('--cases='.length)) : quick ? 50_000 : 1_000_000;
// Import request bodies as JSON text (importCasesJson: what POST /api/v1/cases/import calls; the
// check worker parses them); --records: parsed records (importCasesSliced, the CSV routes' path).
const JSON_BODIES = !process.argv.includes('--records');
// Records per import call (one API request's body: ~18 MB of JSON).
const BATCH = 20_000;
// --slice=N: records per write slice (default SLICE_RECORDS, hub/src/cases/slices.ts).
const sliceArg = process.argv.find((a) => a.startsWith('--slice='));
// --inflight=N: N import requests at a time (an importer that sends the next file before the
// previous one is answered); default 1, one after the other.
const inflightArg = process.argv.find((a) => a.startsWith('--inflight='));
const INFLIGHT = inflightArg ? Math.max(1, Number(inflightArg.slice('--inflight='.length))) : 1;
const sliceOption = sliceArg ? { slice: Number(sliceArg.slice('--slice='.length)) } : {};
const COURTS = 25;
const CLIENTS = 50;
const FANOUT_EVENTS = quick ? 200 : 500;
const PORT = 18791;
const HOUR = 3_600_000;

const dataDir = tempDataDir('hub');
const clock = { now: Date.parse('2026-11-21T00:00:00Z') };
const disposables = new DisposableStore();
const settings = hubConfigSchema.parse({ adminPassword: 'bench-admin-1', demo: 'off', port: PORT, rendererDir: join(dataDir, 'none') });
const { app, context: ctx } = await createHub({
  settings,
  dataDir,
  logger: createLogger('hub', 'warn'),
  disposables,
  now: () => clock.now,
});
const courts = benchCourts(COURTS);
for (const court of courts) putCourt(ctx.db, court);
console.log(
  `bench:hub ${quick ? '(quick) ' : ''}— ${CASES.toLocaleString()} cases × ${NODES_PER_CASE} node slots, ${COURTS} courts, data in ${dataDir}`,
);

// 1. Import. CPU time is counted for the whole process (hub thread + check worker) and for the
// hub's thread alone (from /proc; the writes run there, so on an idle 2-core machine the wall
// time approaches it while the worker keeps up).
const mainThreadCpuMs = () => {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
};
let nodes = 0;
let importMs = 0;
let importCpuUs = 0;
let importMainCpuMs = 0;
let rejected = 0;
const load0 = loadavg()[0];
// How long the hub's event loop waits meanwhile (alarms, the event stream): one write slice at
// most. A 5 ms interval timer runs during each import call; a gap beyond 5 ms is loop delay.
const importLoopDelays = [];
const probeLoop = () => {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    importLoopDelays.push(Math.max(0, now - last - 5));
    last = now;
  }, 5);
  return () => clearInterval(timer);
};
// Bodies as the route receives them: JSON bytes (the hub hands them to the check worker).
const bodyOf = (records) => (JSON_BODIES ? Buffer.from(JSON.stringify({ records })) : null);
const importOne = (records, body) =>
  body !== null
    ? importCasesJson(ctx, SYSTEM_ACTOR, body, sliceOption)
    : importCasesSliced(ctx, SYSTEM_ACTOR, records, undefined, sliceOption);
const tally = (report) => {
  nodes += report.nodes;
  rejected += report.rejected.length;
};
// Timing: wall, process CPU and hub-thread CPU over the import calls only, not the generation.
const timed = async (work) => {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const stopProbe = probeLoop();
  await work();
  stopProbe();
  importMainCpuMs += mainThreadCpuMs() - main0;
  const cpu = process.cpuUsage(cpu0);
  importCpuUs += cpu.user + cpu.system;
  importMs += performance.now() - t0;
};
if (INFLIGHT === 1) {
  for (let from = 0; from < CASES; from += BATCH) {
    const records = benchRecords(from, Math.min(CASES, from + BATCH), courts, clock.now);
    const body = bodyOf(records);
    await timed(async () => tally(await importOne(records, body)));
    progress('import', Math.min(CASES, from + BATCH), CASES);
  }
} else {
  // An importer with INFLIGHT requests at a time: every body is made first (outside the timing),
  // then sent INFLIGHT at a time, each next one as soon as one finishes.
  const batches = [];
  for (let from = 0; from < CASES; from += BATCH) {
    const records = benchRecords(from, Math.min(CASES, from + BATCH), courts, clock.now);
    const body = bodyOf(records);
    batches.push(body !== null ? { records: null, body } : { records, body });
    progress('generate', Math.min(CASES, from + BATCH), CASES);
  }
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < batches.length) {
      const batch = batches[next];
      batches[next++] = null;
      tally(await importOne(batch.records, batch.body));
      progress('import', Math.min(CASES, ++done * BATCH), CASES);
    }
  };
  await timed(() => Promise.all(Array.from({ length: INFLIGHT }, lane)));
}
// The sweep of staged open nodes that follows each import (the last one's here) is part of the
// work, and so is writing the day figures the imports left for when the hub is idle.
await timed(async () => {
  await nodeWriterOf(ctx.db).whenSwept();
  flushDeferredDays(ctx.db);
});
const importNodesPerS = nodes / (importMs / 1000);
// WAL restarts the import waited for (checkpointer.ts, makeRoom).
const walRestarts = () => {
  const checkpointer = walCheckpointerOf(ctx.db);
  return checkpointer
    ? `WAL restarted ${checkpointer.restarts}× after waits of ${Math.round(checkpointer.restartWaitMs)} ms in all`
    : 'no WAL checkpointer';
};
// The day figures count every imported case (the bulk imports' held figures are written by now).
const dayFigures = () => {
  const { received, cases } = ctx.db
    .prepare('SELECT (SELECT SUM(received) FROM case_day_stats) AS received, (SELECT COUNT(*) FROM cases) AS cases')
    .get();
  return `day figures count ${received.toLocaleString()} of ${cases.toLocaleString()} cases`;
};
const importCasesPerS = CASES / (importMs / 1000);
const importLoad = round((load0 + loadavg()[0]) / 2, 1);
if (process.argv.includes('--import-only')) {
  // For comparing import changes: the import figures alone, then stop.
  const mainRate = Math.round(nodes / (importMainCpuMs / 1000));
  console.log(
    `\n  import only: ${nodes.toLocaleString()} nodes → ${Math.round(importNodesPerS).toLocaleString()} nodes/s wall, ${mainRate.toLocaleString()} per hub-thread CPU-s, ${Math.round(nodes / (importCpuUs / 1e6)).toLocaleString()} per process CPU-s; loop delay p99 ${round(percentile(importLoopDelays, 99), 1)} ms, max ${round(Math.max(0, ...importLoopDelays), 1)} ms; ${walRestarts()}; ${dayFigures()}`,
  );
  await disposables.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
ctx.db.pragma('wal_checkpoint(TRUNCATE)');
const dbFile = join(dataDir, 'hub.sqlite');
const dbBytes = statSync(dbFile).size;

// 2. Deadline engine: idle ticks, then 72 hourly steps; every tick handles what fell due
// (most due times are at China midnight, so three ticks carry nearly all transitions,
// worked off in slices of the engine's batch size).
const engine = deadlineEngineOf(ctx.db);
const idle = [];
for (let i = 0; i < 50; i++) idle.push(engine.tick().ms);
const busy = [];
const busyCpu = [];
let transitions = 0;
for (let h = 0; h < 72; h++) {
  clock.now += HOUR;
  for (;;) {
    const cpu0 = process.cpuUsage();
    const tick = engine.tick();
    const cpu = process.cpuUsage(cpu0);
    const handled = Object.values(tick.handled).reduce((a, b) => a + b, 0);
    if (handled === 0) break;
    busy.push(tick.ms);
    busyCpu.push((cpu.user + cpu.system) / 1000);
    transitions += handled;
  }
}
const tickMs = busy.length > 0 ? Math.max(...busy) : percentile(idle, 50);

// 2b. A catalog rule change re-times the open nodes of its type (every open 续冻 node: one per
// case) in slices; the event loop's worst delay meanwhile shows the slices stay short.
const freezeBefore = catalogOf(ctx.db).get('deposit_freeze_expiry');
const freezeAfter = { ...freezeBefore, rule: { ...freezeBefore.rule, amount: freezeBefore.rule.amount + 1 } };
putNodeType(ctx.db, freezeAfter);
invalidateCatalog(ctx.db);
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const recomputeT0 = performance.now();
const recomputeCpu0 = process.cpuUsage();
const recomputeSlices = { n: 0 };
const countSlices = ctx.events.subscribe((batch) => (recomputeSlices.n += batch.filter((e) => e.type === 'catalog.recompute').length));
const recompute = await recomputeType(ctx, SYSTEM_ACTOR, freezeBefore, freezeAfter);
const recomputeCpu = process.cpuUsage(recomputeCpu0);
const recomputeMs = performance.now() - recomputeT0;
countSlices();
loopDelay.disable();
progress('recompute', 1, 1);

// 3. Statistics: this year, all courts, by function and over HTTP.
const range = period(clock.now, '2026-01-01', '2026-11-21');
const statsFn = [];
const statsCpu = [];
for (let i = 0; i < 100; i++) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  queryStats(ctx.db, clock.now, range, null);
  const cpu = process.cpuUsage(cpu0);
  statsFn.push(performance.now() - t0);
  statsCpu.push((cpu.user + cpu.system) / 1000);
}
await app.listen({ host: '127.0.0.1', port: PORT });
const base = `http://127.0.0.1:${PORT}`;
const { token } = await (
  await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'bench-admin-1' }),
  })
).json();
const statsHttp = [];
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  const res = await fetch(`${base}/api/v1/stats?from=2026-01-01&to=2026-11-21`, { headers: { authorization: `Bearer ${token}` } });
  await res.json();
  statsHttp.push(performance.now() - t0);
}

// 4. Fan-out: a committed mutation's event to 50 WebSocket clients, which run in a worker
// thread (as consoles run elsewhere) and time arrival against the send time in the event.
const worker = new Worker(new URL('./hub/fanout-clients.mjs', import.meta.url), {
  workerData: { url: `ws://127.0.0.1:${PORT}/api/v1/events?token=${token}`, clients: CLIENTS },
});
await new Promise((resolve) => worker.once('message', resolve));
for (let i = 0; i < FANOUT_EVENTS; i++) {
  const id = String(performance.timeOrigin + performance.now());
  ctx.mutate(SYSTEM_ACTOR, 'bench.event', ({ emit }) => {
    emit({ type: 'entity.changed', data: { entity: 'bench', id, action: 'updated' } });
    return { value: undefined, target: 'bench' };
  });
  await new Promise((r) => setTimeout(r, 5));
  if (i % 50 === 49) progress('fan-out', i + 1, FANOUT_EVENTS);
}
worker.postMessage({ expect: FANOUT_EVENTS * CLIENTS });
const { latencies } = await new Promise((resolve) => worker.once('message', resolve));
const received = latencies.length;
await worker.terminate();
await disposables.close();

const figures = {
  bench: 'hub',
  quick,
  cases: CASES,
  nodes,
  rejected,
  import_path: JSON_BODIES ? 'json' : 'records',
  import_inflight: INFLIGHT,
  import_nodes_per_s: Math.round(importNodesPerS),
  import_cases_per_s: Math.round(importCasesPerS),
  // Per second of CPU the import itself used: the figure when the machine is not shared.
  import_cpu_nodes_per_s: Math.round(nodes / (importCpuUs / 1e6)),
  // Per second of the hub thread's CPU (the writer): what an idle 2-core machine approaches.
  import_main_cpu_nodes_per_s: Math.round(nodes / (importMainCpuMs / 1000)),
  import_load_avg_1m: importLoad,
  // Event-loop delay while importing: at most one write slice.
  import_loop_delay_p99_ms: round(percentile(importLoopDelays, 99), 1),
  import_loop_delay_max_ms: round(Math.max(0, ...importLoopDelays), 1),
  load_avg_1m: round(loadavg()[0], 1),
  deadline_tick_ms: round(tickMs, 3),
  deadline_tick_p50_ms: round(percentile(busy, 50), 3),
  deadline_tick_cpu_ms: round(busyCpu.length > 0 ? Math.max(...busyCpu) : 0, 3),
  deadline_tick_cpu_p50_ms: round(percentile(busyCpu, 50), 3),
  deadline_tick_idle_ms: round(percentile(idle, 50), 3),
  deadline_ticks: busy.length,
  deadline_transitions_72h: transitions,
  recompute_nodes: recompute.nodes,
  recompute_moved: recompute.moved,
  recompute_s: round(recomputeMs / 1000, 2),
  recompute_cpu_s: round((recomputeCpu.user + recomputeCpu.system) / 1e6, 2),
  recompute_slices: recomputeSlices.n,
  recompute_loop_delay_max_ms: round(loopDelay.max / 1e6, 1),
  recompute_loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6, 1),
  stats_query_ms: round(percentile(statsFn, 50), 3),
  stats_query_p99_ms: round(percentile(statsFn, 99), 3),
  stats_query_cpu_p99_ms: round(percentile(statsCpu, 99), 3),
  stats_http_ms: round(percentile(statsHttp, 50), 3),
  fanout_clients: CLIENTS,
  fanout_events: FANOUT_EVENTS,
  fanout_delivered: received,
  fanout_p50_ms: round(percentile(latencies, 50), 3),
  fanout_p99_ms: round(percentile(latencies, 99), 3),
  db_bytes: dbBytes,
  db_mb: round(dbBytes / 1048576, 1),
};
console.log('');
console.log(
  `  import        ${nodes.toLocaleString()} nodes in ${round(importMs / 1000, 1)} s → ${figures.import_nodes_per_s.toLocaleString()} nodes/s (${figures.import_cases_per_s.toLocaleString()} cases/s, ${JSON_BODIES ? 'JSON bodies' : 'parsed records'}, ${INFLIGHT} request(s) at a time; target ≥ 200 000 nodes/s)`,
);
console.log(
  `                per CPU-second: ${figures.import_cpu_nodes_per_s.toLocaleString()} nodes (hub thread + check worker), ${figures.import_main_cpu_nodes_per_s.toLocaleString()} nodes (hub thread alone); load average ${importLoad} during the import`,
);
console.log(
  `                event-loop delay meanwhile p99 ${figures.import_loop_delay_p99_ms} ms, max ${figures.import_loop_delay_max_ms} ms (at most one write slice)`,
);
console.log(
  `  deadline tick worst ${figures.deadline_tick_ms} ms, p50 ${figures.deadline_tick_p50_ms} ms over ${busy.length} ticks carrying ${transitions} transitions in 72 h (CPU: worst ${figures.deadline_tick_cpu_ms} ms, p50 ${figures.deadline_tick_cpu_p50_ms} ms); idle tick ${figures.deadline_tick_idle_ms} ms (target < 50 ms)`,
);
console.log(
  `  rule change   re-timed ${recompute.nodes.toLocaleString()} open nodes (${recompute.moved.toLocaleString()} moved) in ${figures.recompute_s} s (${figures.recompute_cpu_s} s CPU, ${figures.recompute_slices} slices); event-loop delay meanwhile max ${figures.recompute_loop_delay_max_ms} ms, p99 ${figures.recompute_loop_delay_p99_ms} ms`,
);
console.log(
  `  statistics    p50 ${figures.stats_query_ms} ms, p99 ${figures.stats_query_p99_ms} ms (CPU p99 ${figures.stats_query_cpu_p99_ms} ms); over HTTP p50 ${figures.stats_http_ms} ms (target < 50 ms)`,
);
console.log(
  `  fan-out       ${CLIENTS} clients × ${FANOUT_EVENTS} events: p50 ${figures.fanout_p50_ms} ms, p99 ${figures.fanout_p99_ms} ms (target p99 < 20 ms; ${received} delivered)`,
);
console.log(`  database      ${figures.db_mb} MB`);
console.log(`  machine load  ${figures.load_avg_1m} (1-minute load average on ${cpus().length} cores at the end)`);
if (!process.argv.includes('--keep')) rmSync(dataDir, { recursive: true, force: true });
console.log(JSON.stringify(figures));
