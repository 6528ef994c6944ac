// Builds the TypeScript packages (tsc -b, incremental) and the desktop renderer (Vite).
// The renderer build is skipped when none of its inputs changed since the last build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(title, command, args, cwd = root) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[build] ${title} failed`);
    process.exit(result.status || 1);
  }
  console.log(`[build] ${title} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function fingerprint(paths) {
  const hash = createHash('sha256');
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) visit(join(p, name));
    } else {
      hash.update(p).update(readFileSync(p));
    }
  };
  paths.forEach(visit);
  return hash.digest('hex');
}

run('typescript (tsc -b)', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b']);

const desktop = join(root, 'desktop');
const stampFile = join(desktop, 'dist', 'renderer', '.inputs');
const inputs = fingerprint([
  join(desktop, 'src', 'renderer'),
  join(desktop, 'index.html'),
  join(desktop, 'vite.config.ts'),
  join(root, 'protocol', 'src'),
  join(root, 'assets', 'fonts'),
  join(root, 'assets', 'demo', 'beijing-districts.geojson'),
]);
if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === inputs) {
  console.log('[build] renderer unchanged, skipped');
} else {
  run('renderer (vite build)', process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], desktop);
  writeFileSync(stampFile, inputs);
}
