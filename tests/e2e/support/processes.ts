/** Starting the launcher or one service as a child process, and waiting on what they print or answer. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, portBlock } from './ports.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

export interface TestEnv {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  hubUrl: string;
  sfuUrl: string;
  bridgeUrl: string;
}

/** Environment for a whole command center on free ports with its own data directory. */
export async function testEnv(extra: NodeJS.ProcessEnv = {}): Promise<TestEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cc-e2e-'));
  const [hub, sfu, bridge, sip] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const rtc = portBlock(41000, 9000, 200);
  const rtp = portBlock(31000, 8000, 100);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CC_DATA_DIR: dataDir,
    CC_LOG_LEVEL: 'info',
    CC_HUB_PORT: String(hub),
    // The demo dataset takes 10–30 s to load; tests that want it pass CC_HUB_DEMO: 'auto'.
    CC_HUB_DEMO: 'off',
    CC_HUB_SFU_URL: `http://127.0.0.1:${sfu}`,
    CC_HUB_BRIDGE_URL: `http://127.0.0.1:${bridge}`,
    CC_SFU_PORT: String(sfu),
    CC_SFU_HUB_URL: `http://127.0.0.1:${hub}`,
    CC_SFU_WORKERS: '1',
    CC_SFU_RTC_MIN_PORT: String(rtc.min),
    CC_SFU_RTC_MAX_PORT: String(rtc.max),
    CC_BRIDGE_PORT: String(bridge),
    CC_BRIDGE_SIP_PORT: String(sip),
    CC_BRIDGE_RTP_MIN_PORT: String(rtp.min),
    CC_BRIDGE_RTP_MAX_PORT: String(rtp.max),
    CC_BRIDGE_HUB_URL: `http://127.0.0.1:${hub}`,
    CC_BRIDGE_SFU_URL: `http://127.0.0.1:${sfu}`,
    ...extra,
  };
  delete env.CC_CONFIG;
  return {
    env,
    dataDir,
    hubUrl: `http://127.0.0.1:${hub}`,
    sfuUrl: `http://127.0.0.1:${sfu}`,
    bridgeUrl: `http://127.0.0.1:${bridge}`,
  };
}

export interface Running {
  /** The script started, relative to the repository (e.g. hub/dist/main.js). */
  script: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every process this test file started, for the report of a failed test (see failure-report.ts). */
export const startedInThisFile: Running[] = [];

export function startNode(script: string, args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [join(repoRoot, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const running = { script, child, output: () => text, exited };
  startedInThisFile.push(running);
  return running;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export interface HealthAnswer {
  status: string;
  service: string;
  pid: number;
  details: Record<string, unknown>;
}

export async function health(url: string): Promise<HealthAnswer | undefined> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return response.ok ? ((await response.json()) as HealthAnswer) : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Alive and not a zombie (an orphan's exit status may wait for an init that does not reap it). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** All descendants of a process, from /proc (Linux). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // process ended while reading
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const child of parents.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}
