/**
 * Supervises one service process: starts it, watches its IPC messages and /healthz,
 * restarts it with backoff when it crashes or stops answering, and stops it cleanly.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { EXIT_CONFIG_INVALID, serviceConfigInvalidSchema, serviceReadySchema, type ServiceName } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import { z } from 'zod';
import { LineSplitter } from './lines.js';

/** The services' IPC messages; the demo fleet (no service of its own) sends the same with its own name. */
const supervisedMessageSchema = z.discriminatedUnion('type', [
  serviceReadySchema.extend({ service: z.string() }),
  serviceConfigInvalidSchema.extend({ service: z.string() }),
]);

export interface SupervisorOptions {
  service: ServiceName | 'demo-fleet';
  entry: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Receives each line the child prints (stdout and stderr). */
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  backoffMs?: readonly number[];
  healthIntervalMs?: number;
  healthFailuresBeforeRestart?: number;
  stopTimeoutMs?: number;
}

export const SupervisorEvent = {
  /** The service said it is ready (first start and every restart); carries its URLs. */
  Ready: 'ready',
  /** Its configuration is invalid: it will not be restarted. Carries the problems. */
  ConfigInvalid: 'configInvalid',
  /** It exited unexpectedly and a restart is scheduled. */
  Restarting: 'restarting',
} as const;

export interface SupervisorEvents {
  ready: [urls: Record<string, string>];
  configInvalid: [problems: string[]];
  restarting: [info: { attempt: number; delayMs: number; code: number | null; signal: string | null }];
}

const DEFAULT_BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 16000, 30000];
/** A run this long counts as healthy: the next crash starts the backoff from the beginning. */
const STABLE_AFTER_MS = 60_000;

export class ServiceSupervisor extends EventEmitter<SupervisorEvents> {
  private child: ChildProcess | undefined;
  private stopping = false;
  private attempt = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private healthFailures = 0;
  private configProblems: string[] | undefined;
  urls: Record<string, string> = {};
  restarts = 0;

  constructor(private readonly options: SupervisorOptions) {
    super();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const { entry, args, env, service } = this.options;
    this.startedAt = Date.now();
    this.configProblems = undefined;
    const child = fork(entry, [...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    this.child = child;
    for (const stream of ['stdout', 'stderr'] as const) {
      const splitter = new LineSplitter((line) => this.options.onLine(line, stream));
      child[stream]?.on('data', (chunk: Buffer) => splitter.push(chunk));
      child[stream]?.on('end', () => splitter.flush());
    }
    child.on('message', (raw) => {
      const parsed = supervisedMessageSchema.safeParse(raw);
      if (!parsed.success) {
        this.options.logger.warn({ service }, 'ignored malformed message from service');
        return;
      }
      const message = parsed.data;
      if (message.type === 'service.ready') {
        this.urls = message.urls;
        this.healthFailures = 0;
        this.watchHealth();
        this.emit(SupervisorEvent.Ready, message.urls);
      } else {
        this.configProblems = message.problems;
      }
    });
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.options.logger.info({ service, pid: child.pid }, 'service started');
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.stopHealth();
    if (this.stopping) return;
    const { logger, service } = this.options;
    if (code === EXIT_CONFIG_INVALID) {
      const problems = this.configProblems ?? ['see the service output above'];
      logger.error({ service, problems }, 'service configuration is invalid; not restarting');
      this.emit(SupervisorEvent.ConfigInvalid, problems);
      return;
    }
    if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.attempt = 0;
    const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF_MS;
    const delayMs = backoff[Math.min(this.attempt, backoff.length - 1)] ?? 1000;
    this.attempt++;
    this.restarts++;
    logger.warn({ service, code, signal, attempt: this.attempt, delayMs }, 'service exited unexpectedly; restarting');
    this.emit(SupervisorEvent.Restarting, { attempt: this.attempt, delayMs, code, signal });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) this.start();
    }, delayMs);
  }

  private watchHealth(): void {
    this.stopHealth();
    const url = this.urls.http;
    if (!url) return;
    const interval = this.options.healthIntervalMs ?? 5000;
    const limit = this.options.healthFailuresBeforeRestart ?? 3;
    this.healthTimer = setInterval(() => {
      void fetch(`${url}/healthz`, { signal: AbortSignal.timeout(interval) })
        .then((r) => r.ok)
        .catch(() => false)
        .then((ok) => {
          this.healthFailures = ok ? 0 : this.healthFailures + 1;
          if (this.healthFailures >= limit && this.child && !this.stopping) {
            this.options.logger.error(
              { service: this.options.service, failures: this.healthFailures },
              'service stopped answering /healthz; killing it',
            );
            this.child.kill('SIGKILL');
          }
        });
    }, interval);
  }

  private stopHealth(): void {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = undefined;
  }

  /** SIGTERM, then SIGKILL after the timeout. Resolves when the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopHealth();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const killTimer = setTimeout(() => {
        this.options.logger.warn({ service: this.options.service }, 'service did not stop in time; killing it');
        child.kill('SIGKILL');
      }, this.options.stopTimeoutMs ?? 10_000);
      child.once('exit', () => {
        clearTimeout(killTimer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
