import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envName, loadConfig, portSchema } from './config.js';

const schema = z
  .object({
    port: portSchema.default(8700),
    sipId: z
      .string()
      .regex(/^\d{20}$/)
      .default('34020000002000000001'),
    secure: z.boolean().default(false),
  })
  .strict();

function file(contents: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cc-config-')), 'cc.json');
  writeFileSync(path, contents);
  return path;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses defaults when nothing is set', () => {
    const config = loadConfig('hub', schema, { argv: [], env: {} });
    expect(config.service).toEqual({ port: 8700, sipId: '34020000002000000001', secure: false });
    expect(config.shared.dataDir).toBe(join(process.cwd(), 'data'));
  });

  it('layers the file under the environment', () => {
    const path = file(JSON.stringify({ dataDir: '/srv/cc', hub: { port: 9000, secure: true } }));
    const config = loadConfig('hub', schema, { argv: ['--config', path], env: { CC_HUB_PORT: '9100' } });
    expect(config.service.port).toBe(9100);
    expect(config.service.secure).toBe(true);
    expect(config.shared.dataDir).toBe('/srv/cc');
    expect(config.file).toBe(path);
  });

  it('keeps a numeric-looking string setting a string', () => {
    const config = loadConfig('hub', schema, { argv: [], env: { CC_HUB_SIP_ID: '11010000002000000001' } });
    expect(config.service.sipId).toBe('11010000002000000001');
  });

  it('names every bad setting with where it came from', () => {
    const path = file(JSON.stringify({ hub: { port: 'eighty', colour: 'red' } }));
    const problems = problemsOf(() => loadConfig('hub', schema, { argv: [], env: { CC_CONFIG: path, CC_HUB_SECURE: 'maybe' } }));
    expect(problems.some((p) => p.startsWith('hub.colour: unknown setting'))).toBe(true);
    expect(problems.some((p) => p.startsWith('hub.port:') && p.includes(path))).toBe(true);
    expect(problems.some((p) => p.startsWith('hub.secure:') && p.includes('CC_HUB_SECURE="maybe"'))).toBe(true);
  });

  it('rejects an out-of-range port and a malformed file', () => {
    expect(problemsOf(() => loadConfig('hub', schema, { argv: [], env: { CC_HUB_PORT: '70000' } }))[0]).toMatch(
      /^hub\.port: .*CC_HUB_PORT/,
    );
    expect(problemsOf(() => loadConfig('hub', schema, { argv: ['--config', file('{ nope')], env: {} }))[0]).toContain('not valid JSON');
    expect(problemsOf(() => loadConfig('hub', schema, { argv: ['--config', '/nonexistent/cc.json'], env: {} }))[0]).toContain(
      'cannot be read',
    );
    expect(problemsOf(() => loadConfig('hub', schema, { argv: ['--config', file('[1,2]')], env: {} }))[0]).toContain('JSON object');
  });

  it('derives environment names from setting names', () => {
    expect(envName('sfu', 'rtcMinPort')).toBe('CC_SFU_RTC_MIN_PORT');
    expect(envName(null, 'dataDir')).toBe('CC_DATA_DIR');
  });
});
