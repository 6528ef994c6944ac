/**
 * Prepares a demo fleet run before the bridge starts: asks the hub (service authorization)
 * whether it holds the demo and for its units and courts, makes the looping clip once with
 * ffmpeg, and writes the plan and the bridge's devices file under `<dataDir>/demo-fleet/`.
 * Then provisions the fleet's devices in the hub (`POST /api/v1/demo/fleet-devices`), so the
 * console shows and opens them like devices a technician set up; a hub that refuses them
 * (an older hub) is logged, the fleet runs all the same from the bridge's devices file.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { loadJoinTokenKey, serviceAuthorization, type Logger } from '@cc/runtime';
import { bridgeDevicesFile, buildPlan, demoPlanSchema, hubCourtSchema, hubUnitSchema, type DemoPlan } from './demo-fleet-plan.js';

export const planPath = (dataDir: string): string => join(dataDir, 'demo-fleet', 'plan.json');
export const devicesPath = (dataDir: string): string => join(dataDir, 'demo-fleet', 'bridge-devices.json');

export interface PrepareOptions {
  dataDir: string;
  hubUrl: string;
  /** Only when the hub loaded the demo dataset (demo.fleet = auto). */
  requireDemo: boolean;
  maxDevices: number;
  videoDevices: number;
  /** The bridge's own devices file, kept in the file it is given. */
  mergeFile?: string;
  logger: Logger;
}

export type PrepareResult =
  | { ok: true; devicesFile: string; devices: number; video: number; courts: number; provisionedInHub: boolean }
  | { ok: false; reason: string };

async function hubGet<T>(options: PrepareOptions, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
  const url = new URL(path, options.hubUrl);
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: serviceAuthorization(loadJoinTokenKey(options.dataDir), 'demo-fleet'),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  }).catch((cause: unknown) => {
    throw new Error(`hub ${url.href} did not answer (${(cause as Error).message})`, { cause });
  });
  if (!response.ok) throw new Error(`hub ${path}: HTTP ${response.status}`);
  return schema.parse(await response.json());
}

/** A random secret made once per data directory: the passwords stay the same across starts. */
function fleetSecret(dataDir: string): Buffer {
  const path = join(dataDir, 'secrets', 'demo-fleet.key');
  mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  try {
    if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
}

/** 8 s of 640×360 H.264 (no B-frames, a keyframe every 2 s), made once: looping it costs no encoding. */
export async function ensureClip(dataDir: string, logger: Logger): Promise<string | null> {
  const dir = join(dataDir, 'cache', 'demo-fleet');
  const clip = join(dir, 'clip-640x360.h264');
  if (existsSync(clip)) return clip;
  mkdirSync(dir, { recursive: true });
  const temp = `${clip}.${process.pid}.tmp`;
  try {
    await promisify(execFile)(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '8'],
        ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-bf', '0', '-g', '50', '-b:v', '400k'],
        ...['-pix_fmt', 'yuv420p', '-f', 'h264', temp],
      ],
      { timeout: 120_000 },
    );
    renameSync(temp, clip);
    return clip;
  } catch (error) {
    logger.warn({ err: error }, 'could not make the demo clip with ffmpeg; the demo fleet runs without video');
    return null;
  }
}

const demoStatusSchema = z.object({ steps: z.array(z.object({ step: z.string() })) });

export async function prepareDemoFleet(options: PrepareOptions): Promise<PrepareResult> {
  if (options.requireDemo) {
    const status = await hubGet(options, '/api/v1/demo/status', demoStatusSchema);
    if (!status.steps.some((s) => s.step === 'organisation')) return { ok: false, reason: 'the hub has not loaded the demo dataset' };
  }
  const units = (await hubGet(options, '/api/v1/units', z.object({ units: z.array(hubUnitSchema) }))).units;
  const courts = (await hubGet(options, '/api/v1/courts', z.object({ courts: z.array(hubCourtSchema) }))).courts;
  const secret = fleetSecret(options.dataDir);
  const clip = options.videoDevices > 0 ? await ensureClip(options.dataDir, options.logger) : null;
  const plan = buildPlan(units, courts, { maxDevices: options.maxDevices, videoDevices: options.videoDevices, secret, clip });
  if (plan.devices.length === 0) return { ok: false, reason: 'the hub has no field units with GB/T 28181 devices' };
  let existing: unknown[] = [];
  if (options.mergeFile) {
    const parsed = z.object({ devices: z.array(z.unknown()) }).safeParse(JSON.parse(readFileSync(options.mergeFile, 'utf8')));
    if (!parsed.success) throw new Error(`bridge devices file ${options.mergeFile}: expected { "devices": [ … ] }`);
    existing = parsed.data.devices;
  }
  mkdirSync(join(options.dataDir, 'demo-fleet'), { recursive: true, mode: 0o700 });
  writeAtomic(planPath(options.dataDir), JSON.stringify(plan, null, 1));
  writeAtomic(devicesPath(options.dataDir), JSON.stringify(bridgeDevicesFile(plan, existing), null, 1));
  return {
    ok: true,
    provisionedInHub: await provisionInHub(options, plan),
    devicesFile: devicesPath(options.dataDir),
    devices: plan.devices.length,
    video: plan.devices.filter((d) => d.video).length,
    courts: new Set(plan.devices.map((d) => d.court)).size,
  };
}

/** The fleet's devices provisioned in the hub (kept there if they already are). */
async function provisionInHub(options: PrepareOptions, plan: DemoPlan): Promise<boolean> {
  const devices = plan.devices.map((d) => ({ deviceId: d.deviceId, name: d.name, court: d.court, unitId: d.unitId, password: d.password }));
  try {
    const answer = await hubGet(options, '/api/v1/demo/fleet-devices', z.object({ created: z.number(), kept: z.number() }), { devices });
    options.logger.info(answer, 'demo fleet devices provisioned in the hub');
    return true;
  } catch (error) {
    options.logger.warn(
      { err: (error as Error).message },
      'the hub did not take the demo fleet devices; the console will not list them as provisioned',
    );
    return false;
  }
}

function writeAtomic(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
}

export function readPlan(dataDir: string): DemoPlan {
  const path = planPath(dataDir);
  const parsed = demoPlanSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`demo fleet plan ${path}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}
