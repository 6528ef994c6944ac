// Parent side of the latency probe (probe.mjs): a producer + consumer pair on the rig's router
// whose RTP comes from and goes back to a separate process, pinned with taskset to a core the
// mediasoup worker is not pinned to (when the machine has two or more cores).
import { execFileSync, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('./probe.py', import.meta.url));

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** CPU placement: the worker on core 0, the latency probe on the others (the bench's own processes: see sfu.mjs). */
export function placement(pin) {
  const n = cpus().length;
  if (!pin || n < 2 || !hasTaskset()) return undefined;
  return { worker: '0', bench: `1-${n - 1}` };
}

/** Pins a process (all its threads) to a CPU list; returns false when taskset refused. */
export function pinProcess(pid, cpuList) {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class LatencyProbe {
  /** @param rig the bench rig; @param cpuList where the probe process runs (undefined: anywhere) */
  static async start(rig, cpuList) {
    const probe = new LatencyProbe();
    const { producer, transport, ssrc, payloadType } = await rig.rawProducer();
    const command = cpuList ? 'taskset' : 'python3';
    const args = cpuList ? ['-c', cpuList, 'python3', PROBE] : [PROBE];
    probe.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    probe.lines = createInterface({ input: probe.child.stdout });
    probe.answers = [];
    probe.waiting = [];
    probe.lines.on('line', (line) => {
      const message = JSON.parse(line);
      const waiter = probe.waiting.shift();
      if (waiter) waiter(message);
      else probe.answers.push(message);
    });
    const ready = await probe.command(`start 127.0.0.1 ${transport.tuple.localPort} ${ssrc} ${payloadType}`, true);
    const { transport: out } = await rig.subscriber({ port: ready.port });
    await rig.consume(out, producer);
    return probe;
  }

  command(text, answered = false) {
    this.child.stdin.write(`${text}\n`);
    if (!answered) return Promise.resolve(undefined);
    const early = this.answers.shift();
    if (early) return Promise.resolve(early);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  record() {
    void this.command('record');
  }

  /** Since record(): `sfu` = send → kernel receive timestamp (ms), `receiver` = kernel → probe's user space (ms). */
  report() {
    return this.command('report', true);
  }

  stop() {
    this.child.stdin.end('stop\n');
  }
}
