/**
 * The demo fleet as a launcher child: the setting `demo.fleet` (auto | on | off, env
 * CC_DEMO_FLEET), the one-shot `prepare` (after the hub is up, before the bridge starts:
 * the bridge reads the devices' credentials at start), and the supervised `run` child.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, configFilePath, envName } from '@cc/runtime';
import { z } from 'zod';

export const FLEET_ENTRY = 'device-bridge/dist/sim/demo-fleet-main.js';
const fleetModeSchema = z.enum(['auto', 'on', 'off']);
export type FleetMode = z.infer<typeof fleetModeSchema>;

export interface FleetSettings {
  /** auto resolves to off here when the hub never loads the demo (hub.demo = off). */
  mode: FleetMode;
  /** The bridge's own `bridge.devicesFile`, kept in the file the fleet writes for it. */
  bridgeDevicesFile: string;
}

/** A setting as the services read it: environment over config file. */
function setting(env: NodeJS.ProcessEnv, file: Record<string, unknown>, section: string, key: string): { value: unknown; from: string } {
  const name = envName(section, key);
  if (env[name] !== undefined && env[name] !== '') return { value: env[name], from: `environment ${name}` };
  const values = file[section];
  if (typeof values === 'object' && values !== null && key in values)
    return { value: (values as Record<string, unknown>)[key], from: 'config file' };
  return { value: undefined, from: 'default' };
}

export function readFleetSettings(env: NodeJS.ProcessEnv): FleetSettings {
  const path = configFilePath({ argv: [], env });
  // The launcher has already read (and complained about) a broken file.
  const file = path ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  const fleet = setting(env, file, 'demo', 'fleet');
  const parsed = fleetModeSchema.safeParse(fleet.value ?? 'auto');
  if (!parsed.success) throw new ConfigError([`demo.fleet: must be auto, on or off (from ${fleet.from}; env ${envName('demo', 'fleet')})`]);
  const hubDemo = setting(env, file, 'hub', 'demo').value ?? 'auto';
  const devicesFile = setting(env, file, 'bridge', 'devicesFile').value;
  return {
    mode: parsed.data === 'auto' && hubDemo === 'off' ? 'off' : parsed.data,
    bridgeDevicesFile: typeof devicesFile === 'string' ? devicesFile : '',
  };
}

/** `failed`: preparation broke (no answer, a crash), as opposed to nothing to simulate here. */
export type Prepared =
  { ok: true; devicesFile: string; devices: number; video: number; courts: number } | { ok: false; reason: string; failed?: boolean };

const preparedSchema = z.object({
  demoFleet: z.union([
    z.object({ ok: z.literal(true), devicesFile: z.string(), devices: z.number(), video: z.number(), courts: z.number() }),
    z.object({ ok: z.literal(false), reason: z.string() }),
  ]),
});

/**
 * The answer of `prepare` in its output. The child's structured log shares stdout and may be
 * flushed after the answer line, so every line is tried, the last answer winning.
 */
export function readPrepareAnswer(stdout: string): Prepared | undefined {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{"demoFleet"')) continue;
    let answer: unknown;
    try {
      answer = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = preparedSchema.safeParse(answer);
    if (parsed.success) return parsed.data.demoFleet;
  }
  return undefined;
}

/** Runs `prepare`: the hub must be up. Never throws: a failure means no fleet this time. */
export function prepareFleet(
  repoRoot: string,
  env: NodeJS.ProcessEnv,
  hubUrl: string,
  settings: FleetSettings,
  signal?: AbortSignal,
): Promise<Prepared> {
  const args = [join(repoRoot, FLEET_ENTRY), 'prepare', '--hub', hubUrl];
  if (settings.mode === 'auto') args.push('--require-demo');
  if (settings.bridgeDevicesFile) args.push('--merge', settings.bridgeDevicesFile);
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, timeout: 180_000, maxBuffer: 1 << 20, signal }, (error, stdout, stderr) => {
      const answer = readPrepareAnswer(stdout);
      if (answer) return resolve(answer);
      const detail = (stderr.trim().split('\n').pop() ?? '') || (error?.message ?? 'no answer');
      resolve({ ok: false, failed: true, reason: `demo fleet preparation failed: ${detail.slice(0, 500)}` });
    });
  });
}
