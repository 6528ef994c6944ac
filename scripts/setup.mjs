// Post-install set-up: Debian packages, the offline mediasoup worker build and the
// project's own build. Runs from the root package's postinstall, so the README's
// `npm install` is the whole set-up. Each step says what it does and how long it took.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function step(title, command, args) {
  const started = Date.now();
  console.log(`[setup] ${title} …`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`[setup] ${title} failed after ${seconds} s (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
  console.log(`[setup] ${title}: done in ${seconds} s`);
}

const total = Date.now();
step('Debian packages', 'bash', [join(root, 'scripts/setup/apt.sh')]);
const mediasoupDir = [join(root, 'sfu/node_modules/mediasoup'), join(root, 'node_modules/mediasoup')].find((d) =>
  existsSync(join(d, 'package.json')),
);
if (!mediasoupDir) throw new Error('mediasoup is not installed: run npm install');
step('mediasoup worker', 'bash', [join(root, 'scripts/setup/mediasoup-worker.sh'), mediasoupDir]);
step('build', process.execPath, [join(root, 'scripts/build.mjs')]);
console.log(`[setup] ready in ${((Date.now() - total) / 1000).toFixed(1)} s`);
