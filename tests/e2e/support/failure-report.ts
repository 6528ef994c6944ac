/**
 * When an end-to-end test fails, what its processes said that explains it: each process's last
 * warnings, errors and non-log lines (a crash's stack, the launcher's banner), a few per process,
 * so a failure on CI can be read from its log without running it again.
 */
import { afterEach } from 'vitest';
import { startedInThisFile, type Running } from './processes.js';

const LINES_PER_PROCESS = 12;
const LINE_CHARS = 400;

/** The lines worth reading in a process's output: warn and above, or anything not a log line. */
export function telling(output: string): string[] {
  const lines: string[] = [];
  for (const line of output.split('\n')) {
    const text = line.trim();
    if (!text) continue;
    if (text.startsWith('{')) {
      const level = /"level":"(\w+)"/.exec(text)?.[1];
      if (level === 'info' || level === 'debug' || level === 'trace') continue;
    }
    lines.push(text.length > LINE_CHARS ? `${text.slice(0, LINE_CHARS)}…` : text);
  }
  return lines.slice(-LINES_PER_PROCESS);
}

function report(running: Running): string {
  const { exitCode, signalCode, pid } = running.child;
  const state = exitCode !== null || signalCode !== null ? `exited ${exitCode ?? signalCode}` : 'running';
  const lines = telling(running.output());
  return [`── ${running.script} (pid ${pid ?? '?'}, ${state})`, ...(lines.length ? lines : ['(no warnings or errors)'])].join('\n');
}

afterEach((context) => {
  if (context.task.result?.state !== 'fail' || startedInThisFile.length === 0) return;
  console.error(`processes of the failed test "${context.task.name}":\n${startedInThisFile.map(report).join('\n')}`);
});
