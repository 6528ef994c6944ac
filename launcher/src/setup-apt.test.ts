import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'setup', 'apt.sh');

function listFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cc-apt-'));
  const file = join(dir, 'packages.txt');
  writeFileSync(file, lines.join('\n'));
  chmodSync(dir, 0o755);
  chmodSync(file, 0o644);
  return file;
}

/** Runs apt.sh as an unprivileged user (nobody), as a technician without root would. */
function runAsNobody(list: string) {
  return spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', script], {
    env: { PATH: process.env.PATH, CC_APT_LIST: list },
    encoding: 'utf8',
  });
}

describe('scripts/setup/apt.sh', () => {
  it('passes quietly when every package is installed', () => {
    const result = runAsNobody(listFile(['# present', 'bash', 'coreutils']));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('all 2 packages present');
  });

  it('as non-root with packages missing, stops and prints the exact apt-get lines', () => {
    const result = runAsNobody(listFile(['bash', 'cc-no-such-package-a', 'cc-no-such-meson@bookworm-backports']));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('apt-get install -y --no-install-recommends -t bookworm-backports cc-no-such-meson');
    expect(result.stderr).toContain('apt-get install -y --no-install-recommends bash cc-no-such-package-a');
    expect(result.stderr).toContain('bookworm-backports.sources');
  });
});
