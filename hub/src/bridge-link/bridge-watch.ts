/**
 * Watches the device bridge's `/healthz` and reports each time it comes up: first seen,
 * back after being unreachable, or restarted between two polls (another pid or a smaller
 * uptime). The hub re-pushes every provisioned device then (the bridge keeps none itself).
 */
import { healthSchema } from '@cc/protocol';
import type { Logger } from '@cc/runtime';

export interface BridgeWatchOptions {
  url: string;
  logger: Logger;
  intervalMs: number;
  /** Called (and awaited) once per start of the bridge; a failure is retried on the next poll. */
  onUp: () => Promise<void>;
  /** Called on every later poll that finds the bridge healthy (e.g. to retry what it refused). */
  onHealthy?: () => Promise<void>;
  fetchImpl?: typeof fetch;
}

export interface BridgeWatch {
  /** Whether the last poll reached a healthy bridge. */
  readonly up: boolean;
  /** Polls now (tests and start-up); resolves after onUp ran if the bridge came up. */
  poll(): Promise<void>;
  close(): void;
}

export function watchBridge(options: BridgeWatchOptions): BridgeWatch {
  const fetchImpl = options.fetchImpl ?? fetch;
  const logger = options.logger.child({ module: 'bridge-watch' });
  let seen: { pid: number; uptimeS: number } | undefined;
  let up = false;
  let synced = false;
  let running: Promise<void> | undefined;
  let closed = false;

  const check = async (): Promise<void> => {
    let health;
    try {
      const response = await fetchImpl(new URL('/healthz', options.url), { signal: AbortSignal.timeout(2000) });
      health = response.ok ? healthSchema.parse(await response.json()) : undefined;
    } catch {
      health = undefined;
    }
    if (!health) {
      if (up) logger.warn({ url: options.url }, 'device bridge went away');
      up = false;
      synced = false;
      return;
    }
    const restarted = seen !== undefined && (seen.pid !== health.pid || health.uptimeS < seen.uptimeS);
    if (restarted) logger.info({ pid: health.pid }, 'device bridge restarted');
    if (restarted || !up) synced = false;
    seen = { pid: health.pid, uptimeS: health.uptimeS };
    up = true;
    if (closed) return;
    if (synced) {
      await options.onHealthy?.().catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'device bridge check failed'));
      return;
    }
    try {
      await options.onUp();
      synced = true;
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'device bridge sync failed; retrying on the next poll');
    }
  };

  const poll = (): Promise<void> => {
    running ??= check().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void poll(), options.intervalMs);
  timer.unref();
  return {
    get up() {
      return up;
    },
    poll,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
