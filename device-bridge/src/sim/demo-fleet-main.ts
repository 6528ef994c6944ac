/**
 * The demo fleet program, started by the launcher when the demo is on:
 *   demo-fleet-main.js prepare --hub URL [--require-demo] [--merge FILE]
 *     asks the hub for its units, writes the plan and the bridge's devices file, prints one
 *     JSON line; exit 0, or 3 when there is nothing to simulate.
 *   demo-fleet-main.js run --sip sip:SERVERID@HOST:PORT
 *     runs the planned devices against the bridge until SIGTERM (or the launcher goes away).
 * Settings: section `demo` (CC_DEMO_*), see demo-fleet-config.ts.
 */
import { ConfigError, createLogger, loadConfig, type Logger } from '@cc/runtime';
import { demoFleetConfigSchema, type DemoFleetConfig } from './demo-fleet-config.js';
import { Boundary } from './demo-fleet-motion.js';
import { prepareDemoFleet, readPlan } from './demo-fleet-prepare.js';
import { DemoFleet, DemoFleetEvent } from './demo-fleet.js';

export const EXIT_NOTHING_TO_SIMULATE = 3;
const DISTRICTS = new URL('../../../assets/demo/beijing-districts.geojson', import.meta.url);

function option(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function prepare(args: readonly string[], config: DemoFleetConfig, dataDir: string, logger: Logger): Promise<number> {
  const hubUrl = option(args, '--hub');
  if (!hubUrl) throw new Error('prepare needs --hub URL');
  const result = await prepareDemoFleet({
    dataDir,
    hubUrl,
    requireDemo: args.includes('--require-demo'),
    maxDevices: config.maxDevices,
    videoDevices: config.videoDevices,
    mergeFile: option(args, '--merge'),
    logger,
  });
  process.stdout.write(`${JSON.stringify({ demoFleet: result })}\n`);
  return result.ok ? 0 : EXIT_NOTHING_TO_SIMULATE;
}

function boundary(logger: Logger): Boundary | undefined {
  try {
    return Boundary.fromGeoJson(DISTRICTS);
  } catch (error) {
    logger.warn({ err: error }, 'no district boundary: paths are not kept inside Beijing');
    return undefined;
  }
}

async function run(args: readonly string[], config: DemoFleetConfig, dataDir: string, logger: Logger): Promise<void> {
  const sip = /^sip:(\d{20})@([^:]+):(\d+)$/.exec(option(args, '--sip') ?? '');
  if (!sip) throw new Error('run needs --sip sip:SERVERID@HOST:PORT (the bridge’s "sip" URL)');
  const [, serverId, listenHost, port] = sip as unknown as [string, string, string, string];
  const bridgeHost = listenHost === '0.0.0.0' ? '127.0.0.1' : listenHost;
  const plan = readPlan(dataDir);
  const fleet = await DemoFleet.create({
    plan,
    bridgeHost,
    bridgePort: Number(port),
    serverId,
    domain: serverId.slice(0, 10),
    bindHost: config.bindHost || (bridgeHost === '127.0.0.1' ? '127.0.0.2' : '127.0.0.1'),
    seed: config.seed,
    positionIntervalS: config.positionIntervalS,
    keepaliveIntervalS: config.keepaliveIntervalS,
    sosIntervalS: config.sosIntervalS,
    firstSosS: config.firstSosS,
    boundary: boundary(logger),
    logger,
  });
  let registered = 0;
  fleet.on(DemoFleetEvent.Registered, () => {
    registered += 1;
    if (registered === fleet.size) logger.info({ devices: fleet.size }, 'every demo device registered');
  });
  fleet.start();
  const status = setInterval(() => {
    logger.info(
      { registered: fleet.registered, devices: fleet.size, positions: fleet.positionsSent, sos: fleet.sosSent, video: fleet.videoSessions },
      'demo fleet status',
    );
  }, 60_000);
  let stopping = false;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping the demo fleet');
    clearInterval(status);
    await fleet.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('disconnect', () => void stop('launcher gone'));
  const video = plan.devices.filter((d) => d.video).length;
  logger.info({ devices: fleet.size, video, sip: option(args, '--sip') }, 'demo fleet running');
  if (process.send && process.connected) process.send({ type: 'service.ready', service: 'demo-fleet', urls: {} });
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  let config: DemoFleetConfig;
  let dataDir: string;
  let logLevel: string;
  try {
    const loaded = loadConfig('demo', demoFleetConfigSchema, { argv: [], env: process.env });
    config = loaded.service;
    dataDir = loaded.shared.dataDir;
    logLevel = loaded.shared.logLevel;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`demo-fleet: ${error.message}\n`);
    process.exit(78);
  }
  const logger = createLogger('demo-fleet', logLevel);
  try {
    if (command === 'prepare') process.exitCode = await prepare(args, config, dataDir, logger);
    else if (command === 'run') await run(args, config, dataDir, logger);
    else throw new Error(`unknown command ${command ?? '(none)'}: use prepare or run`);
  } catch (error) {
    logger.fatal({ err: error }, 'demo fleet failed');
    process.exit(1);
  }
}

await main();
