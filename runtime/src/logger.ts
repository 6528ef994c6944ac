/**
 * The one structured logger every process uses: JSON lines on stdout
 * (`{"level":"info","time":"…","service":"hub","module":"store","msg":"…"}`).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(service: string, level: string = process.env.CC_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
