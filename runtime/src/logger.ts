/**
 * The one structured logger every process uses: JSON lines on stdout
 * (`{"level":"info","time":"…","service":"hub","module":"store","msg":"…"}`).
 */
import { writeSync } from 'node:fs';
import { pino, type Logger } from 'pino';

export type { Logger };

/** How long one line may wait for a reader that is there but not reading (EAGAIN), in total. */
const FULL_WAIT_MS = 5000;
const FULL_RETRY_MS = 10;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Where log lines go: one synchronous write per line, as pino's default destination does, but a
 * reader that is gone (EPIPE, e.g. the launcher was killed) ends the logging, not the process.
 * pino's default retried such a write forever, so a service whose launcher died hung in its own
 * "stopping" line instead of shutting down and kept its ports. A reader that stays full for
 * FULL_WAIT_MS loses that line only.
 */
export class LineSink {
  /** True once the reader is gone: further lines are dropped. */
  broken = false;
  /** Lines not written (reader gone or full too long). */
  dropped = 0;

  constructor(private readonly fd: number = 1) {}

  write(line: string): void {
    if (this.broken) {
      this.dropped++;
      return;
    }
    let data = Buffer.from(line);
    let waited = 0;
    while (data.length > 0) {
      try {
        data = data.subarray(writeSync(this.fd, data));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === 'EAGAIN' || code === 'EBUSY') && waited < FULL_WAIT_MS) {
          Atomics.wait(pause, 0, 0, FULL_RETRY_MS);
          waited += FULL_RETRY_MS;
          continue;
        }
        if (code !== 'EAGAIN' && code !== 'EBUSY') this.broken = true;
        this.dropped++;
        return;
      }
    }
  }
}

export function createLogger(
  service: string,
  level: string = process.env.CC_LOG_LEVEL ?? 'info',
  sink: LineSink = new LineSink(1),
): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    sink,
  );
}
