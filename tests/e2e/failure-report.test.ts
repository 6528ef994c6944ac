/** What a failed end-to-end test prints of its processes' output (support/failure-report.ts). */
import { describe, expect, it } from 'vitest';
import { telling } from './support/failure-report.js';

describe('the failure report of an end-to-end test', () => {
  it('keeps warnings, errors and non-log lines (a crash), drops info and debug, and keeps the last few', () => {
    const output = [
      '{"level":"info","service":"launcher","msg":"service started"}',
      '{"level":"warn","service":"launcher","reason":"demo fleet preparation failed: no answer","msg":"demo fleet not started"}',
      '{"level":"debug","msg":"tick"}',
      '',
      'TypeError: Cannot read properties of undefined',
      '    at main (/repo/hub/dist/main.js:12:3)',
      '{"level":"error","service":"hub","msg":"migration failed"}',
      `{"level":"fatal","msg":"${'x'.repeat(1000)}"}`,
    ].join('\n');
    const lines = telling(output);
    expect(lines.slice(0, 4)).toEqual([
      '{"level":"warn","service":"launcher","reason":"demo fleet preparation failed: no answer","msg":"demo fleet not started"}',
      'TypeError: Cannot read properties of undefined',
      '    at main (/repo/hub/dist/main.js:12:3)'.trim(),
      '{"level":"error","service":"hub","msg":"migration failed"}',
    ]);
    expect(lines[4]).toMatch(/^\{"level":"fatal","msg":"x+…$/);
    expect(lines[4]!.length).toBe(401);
    const many = Array.from({ length: 30 }, (_, i) => `{"level":"warn","msg":"w${i}"}`).join('\n');
    expect(telling(many)).toHaveLength(12);
    expect(telling(many).at(-1)).toBe('{"level":"warn","msg":"w29"}');
  });
});
