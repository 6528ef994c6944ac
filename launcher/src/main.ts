/**
 * `npm start`: starts hub, SFU and device bridge (and the demo fleet when the demo is on) under
 * supervision, opens the desktop (Electron, else Chromium windows, else URLs), and stops
 * everything on SIGINT/SIGTERM.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceName, type ServiceName as ServiceNameT } from '@cc/protocol';
import { ConfigError, createLogger, loadConfig } from '@cc/runtime';
import { z } from 'zod';
import { USAGE, parseArgs } from './args.js';
import { FLEET_ENTRY, prepareFleet, readFleetSettings, type FleetSettings, type Prepared } from './demo-fleet.js';
import { openDesktop, type OpenedDesktop } from './desktop-opener.js';
import { formatLogLine } from './log-format.js';
import { ServiceSupervisor, SupervisorEvent } from './supervisor.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** How long the bridge waits for the hub (loading the demo) before it starts without the demo fleet. */
const HUB_WAIT_FOR_FLEET_MS = 180_000;
const SERVICES: { name: ServiceNameT; entry: string }[] = [
  { name: ServiceName.Hub, entry: 'hub/dist/main.js' },
  { name: ServiceName.Sfu, entry: 'sfu/dist/main.js' },
  { name: ServiceName.Bridge, entry: 'device-bridge/dist/main.js' },
];

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const env: NodeJS.ProcessEnv = { ...process.env };
if (args.config) env.CC_CONFIG = resolve(args.config);
let dataDir: string;
let fleetSettings: FleetSettings;
try {
  // Only the shared settings matter here; each service validates its own section.
  dataDir = loadConfig('launcher', z.object({}).strict(), { argv: [], env }).shared.dataDir;
  fleetSettings = readFleetSettings(env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(78);
}
env.CC_DATA_DIR = dataDir;
const logDir = join(dataDir, 'logs');
mkdirSync(logDir, { recursive: true });
const logger = createLogger('launcher');
const pretty = process.stdout.isTTY === true;

const logFiles: WriteStream[] = [];
function supervise(
  name: ServiceNameT | 'demo-fleet',
  entry: string,
  childEnv: NodeJS.ProcessEnv,
  childArgs: string[] = [],
): ServiceSupervisor {
  const file = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  logFiles.push(file);
  return new ServiceSupervisor({
    service: name,
    entry: join(repoRoot, entry),
    args: childArgs,
    env: childEnv,
    logger,
    onLine: (line, stream) => {
      file.write(`${line}\n`);
      const out = pretty ? formatLogLine(line, name) : line;
      (stream === 'stderr' ? process.stderr : process.stdout).write(`${out}\n`);
    },
  });
}

const supervisors: ServiceSupervisor[] = [];
let fleet: ServiceSupervisor | undefined;
const preparing = new AbortController();
let desktop: OpenedDesktop | undefined;
let shuttingDown = false;
async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ reason }, 'stopping the command center');
  desktop?.close();
  preparing.abort();
  // The fleet first: its devices unregister while the bridge still listens.
  await fleet?.stop();
  await Promise.all(supervisors.map((s) => s.stop()));
  await Promise.all(logFiles.map((f) => new Promise((done) => f.end(done))));
  logger.info('all services stopped');
  process.exit(exitCode);
}
process.on('SIGINT', () => (shuttingDown ? process.exit(130) : void shutdown('SIGINT', 0)));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

/** Starts a service; resolves with its URLs when it is first ready. */
function startService(name: ServiceNameT, childEnv: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  if (shuttingDown) return new Promise(() => undefined);
  const supervisor = supervise(name, SERVICES.find((s) => s.name === name)?.entry ?? '', childEnv);
  supervisors.push(supervisor);
  const ready = new Promise<Record<string, string>>((done) => supervisor.once(SupervisorEvent.Ready, done));
  supervisor.on(SupervisorEvent.ConfigInvalid, (problems) => {
    process.stderr.write(`\nThe command center cannot start: invalid configuration\n  ${problems.join('\n  ')}\n`);
    void shutdown('invalid configuration', 78);
  });
  supervisor.start();
  return ready;
}

const hubReady = startService(ServiceName.Hub, env);
const sfuReady = startService(ServiceName.Sfu, env);
// The bridge reads device credentials at start: with the demo fleet, it starts once the hub
// has said which units (and so which devices) it holds.
let prepared: Prepared | undefined;
if (fleetSettings.mode !== 'off') {
  // A hub that never comes up must not keep the devices out: after a while the bridge starts anyway.
  const hubUrl = await Promise.race([
    hubReady.then((urls) => urls.http ?? ''),
    new Promise<undefined>((done) => setTimeout(() => done(undefined), HUB_WAIT_FOR_FLEET_MS).unref()),
  ]);
  prepared =
    hubUrl === undefined
      ? { ok: false, failed: true, reason: `the hub was not ready within ${HUB_WAIT_FOR_FLEET_MS / 1000} s` }
      : await prepareFleet(repoRoot, env, hubUrl, fleetSettings, preparing.signal);
  // Nothing to simulate is news only when the fleet was asked for; a broken preparation always is.
  if (!prepared.ok)
    logger[fleetSettings.mode === 'on' || prepared.failed ? 'warn' : 'info']({ reason: prepared.reason }, 'demo fleet not started');
}
const bridgeEnv = prepared?.ok ? { ...env, CC_BRIDGE_DEVICES_FILE: prepared.devicesFile } : env;
const bridgeReady = startService(ServiceName.Bridge, bridgeEnv);

const [hubUrls, sfuUrls, bridgeUrls] = await Promise.all([hubReady, sfuReady, bridgeReady]);
const consoleUrl = hubUrls?.console ?? '';
const wall = hubUrls?.wall ?? '';
process.stdout.write(
  [
    '',
    '  执行指挥中心 is running / command center is running',
    `    console 值班台   ${consoleUrl}`,
    `    wall 大屏        ${wall}`,
    `    hub              ${hubUrls?.http ?? ''}`,
    `    sfu              ${sfuUrls?.http ?? ''}  signalling ${sfuUrls?.signalling ?? ''}`,
    `    device bridge    ${bridgeUrls?.http ?? ''}`,
    `    data             ${dataDir}`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n') + '\n',
);
if (prepared?.ok && !shuttingDown) startFleet(prepared, bridgeUrls?.sip ?? '');
if (!args.headless && !shuttingDown) desktop = openDesktop(repoRoot, dataDir, { console: consoleUrl, wall }, logger);

function startFleet(plan: Extract<Prepared, { ok: true }>, sip: string): void {
  fleet = supervise('demo-fleet', FLEET_ENTRY, env, ['run', '--sip', sip]);
  fleet.once(SupervisorEvent.Ready, () =>
    process.stdout.write(
      `  demo fleet 演示终端  ${plan.devices} simulated GB/T 28181 field-unit devices (${plan.video} with live video) at ${plan.courts} courts\n`,
    ),
  );
  fleet.start();
}
