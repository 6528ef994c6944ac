// The SFU under test for bench:sfu: a real mediasoup 3.19.3 worker and router (the same codecs
// and PlainTransport paths the SFU service uses), fed by replayers and read by sinks.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { setPriority } from 'node:os';
import * as mediasoup from 'mediasoup';
import { pinProcess } from './latency-probe.mjs';
import { Replayer } from './replay.mjs';
import { Sink } from './sink.mjs';

const mediaCodecs = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];
const fb = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];
let nextSsrc = 100000;
const open = new Set();
// Ctrl-C or a timeout must not leave workers or socat behind.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const rig of open) rig.close();
    process.exit(130);
  });
}

export class Rig {
  /** cpus: { worker, bench } CPU lists from placement(): the worker alone on its core, the bench's socat elsewhere. */
  /** nice: the worker's scheduling priority (as the SFU's `workerNice` setting does; negative needs CAP_SYS_NICE). */
  static async create({ cpus, nice } = {}) {
    const rig = new Rig();
    rig.worker = await mediasoup.createWorker({ logLevel: 'error' });
    if (cpus) pinProcess(rig.worker.pid, cpus.worker);
    if (nice !== undefined) setPriority(rig.worker.pid, nice);
    rig.router = await rig.worker.createRouter({ mediaCodecs });
    rig.replayers = [];
    rig.sinks = [];
    rig.transports = [];
    rig.consumers = [];
    // Bulk traffic goes to one socat reading into /dev/null: a C reader, so the bench's own
    // JavaScript is not the bottleneck (the worker's send path is still fully exercised).
    const probe = createSocket('udp4');
    await new Promise((r) => probe.bind(0, '127.0.0.1', r));
    rig.bulkPort = probe.address().port;
    await new Promise((r) => probe.close(r));
    open.add(rig);
    rig.socat = spawn('socat', ['-u', `UDP4-RECV:${rig.bulkPort},bind=127.0.0.1,rcvbuf=16777216`, 'OPEN:/dev/null'], { stdio: 'ignore' });
    if (cpus) pinProcess(rig.socat.pid, cpus.bench);
    return rig;
  }

  /** A producer fed by a replayer of `clip` ('video' or 'audio'). */
  async producer(clip, kind, { probe = false } = {}) {
    const transport = await this.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: true,
    });
    this.transports.push(transport);
    const ssrc = nextSsrc++;
    const codec =
      kind === 'video'
        ? { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: fb }
        : { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 };
    const producer = await transport.produce({ kind, rtpParameters: { codecs: [codec], encodings: [{ ssrc }] } });
    const replayer = new Replayer(clip, { ssrc, payloadType: codec.payloadType, probe });
    await replayer.bind();
    replayer.start('127.0.0.1', transport.tuple.localPort, performance.now());
    this.replayers.push(replayer);
    return { producer, replayer };
  }

  /** A producer without a replayer (the latency probe process sends to it). */
  async rawProducer() {
    const transport = await this.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: true,
    });
    this.transports.push(transport);
    const ssrc = nextSsrc++;
    const payloadType = 100;
    const codec = { mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2 };
    const producer = await transport.produce({ kind: 'audio', rtpParameters: { codecs: [codec], encodings: [{ ssrc }] } });
    return { producer, transport, ssrc, payloadType };
  }

  /**
   * A subscriber: one PlainTransport sending to one sink. bulk: to the shared socat reader;
   * port: to that UDP port (another process); otherwise to a JavaScript sink that inspects packets.
   */
  async subscriber({ bulk = false, port: given } = {}) {
    const sink = bulk || given ? undefined : new Sink();
    const port = given ?? (bulk ? this.bulkPort : await sink.bind());
    const transport = await this.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
    });
    await transport.connect({ ip: '127.0.0.1', port });
    this.transports.push(transport);
    if (sink) this.sinks.push(sink);
    return { sink, transport };
  }

  async consume(transport, producer) {
    const rtpCapabilities = { codecs: this.router.rtpCapabilities.codecs, headerExtensions: [] };
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: false });
    this.consumers.push(consumer);
    return consumer;
  }

  /** Worker CPU time (user + system), ms. */
  async cpuMs() {
    const usage = await this.worker.getResourceUsage();
    return usage.ru_utime + usage.ru_stime;
  }

  close() {
    for (const r of this.replayers) r.close();
    for (const s of this.sinks) s.close();
    open.delete(this);
    this.worker.close();
    this.socat.kill('SIGKILL');
  }

  /** Packets the worker sent, summed over the given consumers (mediasoup's own counters). */
  async sentBy(consumers) {
    let n = 0;
    for (const c of consumers) for (const s of await c.getStats()) if (s.type === 'outbound-rtp') n += s.packetCount;
    return n;
  }
}

/** Runs for `ms`, returns worker CPU % and the loss over that window. */
/**
 * Runs for `ms`; returns worker CPU % and the loss over that window: packets the worker sent
 * to `consumers` against packets the replayers sent times each producer's fan-out.
 */
/**
 * `window.start()` / `window.stop()` bracket the quiet part (latency samples): the stats
 * queries over every consumer at both ends load the worker and the bench, and stay outside.
 */
export async function measure(rig, ms, consumers, expectedCount, window = { start() {}, async stop() {} }) {
  const received0 = await rig.sentBy(consumers);
  const expected0 = expectedCount();
  const cpu0 = await rig.cpuMs();
  const t0 = performance.now();
  window.start();
  await new Promise((r) => setTimeout(r, ms));
  await window.stop();
  const elapsed = performance.now() - t0;
  const cpuPct = (((await rig.cpuMs()) - cpu0) / elapsed) * 100;
  const expected = expectedCount() - expected0;
  const received = (await rig.sentBy(consumers)) - received0;
  return { cpuPct, received, expected, lossPct: Math.max(0, (1 - received / expected) * 100) };
}
