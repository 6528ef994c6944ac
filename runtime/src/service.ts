/**
 * Runs one service process: loads its config, starts it, tells the supervisor (IPC)
 * it is ready, and closes it on SIGINT/SIGTERM or when the supervisor goes away.
 */
import { mkdirSync } from 'node:fs';
import type { z } from 'zod';
import { EXIT_CONFIG_INVALID, type ServiceMessage, type ServiceName } from '@cc/protocol';
import { ConfigError, loadConfig, type LoadedConfig } from './config.js';
import { DisposableStore } from './disposables.js';
import { createLogger, type Logger } from './logger.js';

export interface ServiceContext<S extends z.ZodObject> {
  config: LoadedConfig<S>;
  logger: Logger;
  /** Register everything that must be closed on shutdown here. */
  disposables: DisposableStore;
}

export interface StartedService {
  urls: Record<string, string>;
}

export interface ServiceDefinition<S extends z.ZodObject> {
  name: ServiceName;
  /** Config section: `hub`, `sfu`, `bridge`. */
  section: string;
  schema: S;
  start(context: ServiceContext<S>): Promise<StartedService>;
}

const SHUTDOWN_TIMEOUT_MS = 8000;

function tellSupervisor(message: ServiceMessage): void {
  if (process.send && process.connected) process.send(message);
}

export async function runService<S extends z.ZodObject>(definition: ServiceDefinition<S>): Promise<void> {
  let config: LoadedConfig<S>;
  try {
    config = loadConfig(definition.section, definition.schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${definition.name}: ${error.message}\n`);
    tellSupervisor({ type: 'service.configInvalid', service: definition.name, problems: error.problems });
    process.exitCode = EXIT_CONFIG_INVALID;
    return;
  }
  const logger = createLogger(definition.name, config.shared.logLevel);
  mkdirSync(config.shared.dataDir, { recursive: true });
  const disposables = new DisposableStore();
  let stopping = false;

  const stop = async (reason: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out, exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    const failures = await disposables.close();
    for (const failure of failures) logger.error({ err: failure }, 'close failed');
    logger.info('stopped');
    clearTimeout(timer);
    process.exit(failures.length > 0 ? 1 : exitCode);
  };

  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // The supervisor died or closed the channel: never outlive it.
  process.once('disconnect', () => void stop('supervisor gone'));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    void stop('uncaught exception', 1);
  });
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    void stop('unhandled rejection', 1);
  });

  try {
    const started = await definition.start({ config, logger, disposables });
    logger.info({ urls: started.urls, configFile: config.file ?? null, dataDir: config.shared.dataDir }, 'ready');
    tellSupervisor({ type: 'service.ready', service: definition.name, urls: started.urls });
  } catch (error) {
    logger.fatal({ err: error }, 'start failed');
    await stop('start failed', 1);
  }
}
