// Where a latency tail comes from, read from the kernel for one measurement window:
// how long the mediasoup worker ran and how long it was runnable but waiting for a CPU
// (/proc/PID/schedstat), and how much of the window some task waited for a CPU (PSI).
import { readFileSync } from 'node:fs';

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function schedstat(pid) {
  const text = read(`/proc/${pid}/schedstat`);
  if (!text) return undefined;
  const [runNs, waitNs, slices] = text.trim().split(/\s+/).map(Number);
  return { runNs, waitNs, slices };
}

function psiSomeUs() {
  const line = read('/proc/pressure/cpu')
    ?.split('\n')
    .find((l) => l.startsWith('some'));
  const total = line?.match(/total=(\d+)/)?.[1];
  return total === undefined ? undefined : Number(total);
}

/** Starts a window; the returned function ends it and gives the figures (undefined where the kernel does not tell). */
export function cpuEvidence(workerPid) {
  const t0 = performance.now();
  const s0 = schedstat(workerPid);
  const p0 = psiSomeUs();
  return () => {
    const ms = performance.now() - t0;
    const s1 = schedstat(workerPid);
    const p1 = psiSomeUs();
    const out = {};
    if (s0 && s1) {
      out.workerRunMs = Math.round((s1.runNs - s0.runNs) / 1e5) / 10;
      out.workerWaitMs = Math.round((s1.waitNs - s0.waitNs) / 1e5) / 10;
      const slices = s1.slices - s0.slices;
      out.workerWaitPerSliceMs = slices > 0 ? Math.round(((s1.waitNs - s0.waitNs) / slices / 1e6) * 1000) / 1000 : 0;
    }
    if (p0 !== undefined && p1 !== undefined) out.cpuPressurePct = Math.round(((p1 - p0) / 1000 / ms) * 1000) / 10;
    return out;
  };
}
