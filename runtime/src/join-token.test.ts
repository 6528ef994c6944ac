import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@cc/protocol';
import { loadJoinTokenKey, signJoinToken, verifyJoinToken } from './join-token.js';

const claims = { room: 'consult-1', sub: 'u1', name: '张三', role: 'leader' as const, court: '110000', exp: 2_000_000_000 };

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('join tokens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-key-'));
  const key = loadJoinTokenKey(dir);

  it('keeps one key per data directory', () => {
    expect(loadJoinTokenKey(dir).equals(key)).toBe(true);
    expect(readFileSync(join(dir, 'secrets', 'join-token.key'), 'utf8')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives every process the same key when many create it at once', async () => {
    const { spawn } = await import('node:child_process');
    const fresh = mkdtempSync(join(tmpdir(), 'cc-key-race-'));
    const script = `import('${join(import.meta.dirname, '..', 'dist', 'join-token.js')}').then((m) => console.log(m.loadJoinTokenKey(process.argv[1]).toString('hex')))`;
    const keys = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, ['-e', script, fresh], { stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.on('data', (c: Buffer) => (out += c.toString()));
            child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}`))));
          }),
      ),
    );
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips claims, Chinese names included', () => {
    expect(verifyJoinToken(key, signJoinToken(key, claims), 1_000)).toEqual(claims);
  });

  it('refuses tampered, foreign, malformed and expired tokens', () => {
    const token = signJoinToken(key, claims);
    const [body, mac] = token.split('.') as [string, string];
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(codeOf(() => verifyJoinToken(key, `${forgedBody}.${mac}`, 1_000))).toBe('invalid_token');
    expect(codeOf(() => verifyJoinToken(loadJoinTokenKey(mkdtempSync(join(tmpdir(), 'cc-key-'))), token, 1_000))).toBe('invalid_token');
    expect(codeOf(() => verifyJoinToken(key, `${body}`, 1_000))).toBe('invalid_token');
    expect(codeOf(() => verifyJoinToken(key, `${token}.x`, 1_000))).toBe('invalid_token');
    expect(codeOf(() => verifyJoinToken(key, token, claims.exp))).toBe('token_expired');
  });
});
