// `npm test`: build, lint, type-check the renderer, then every Vitest test (unit, then
// end-to-end with real processes and peers). Ends with one line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const only = process.argv.slice(2); // extra args go to vitest (e.g. a file filter)

function run(title, args, { allowFail = false } = {}) {
  const started = Date.now();
  console.log(`\n[test] ${title}`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  console.log(`[test] ${title}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (result.status !== 0 && !allowFail) process.exit(result.status || 1);
  return result.status === 0;
}

run('build', [join(root, 'scripts/build.mjs')]);
if (only.length === 0) {
  run('eslint', [bin('eslint', 'bin/eslint.js'), '.']);
  run('prettier', [bin('prettier', 'bin/prettier.cjs'), '--check', '.', '--log-level', 'warn']);
  run('tests type-check (tsc)', [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.tests.json']);
  run('renderer type-check (vue-tsc)', [bin('vue-tsc', 'bin/vue-tsc.js'), '--noEmit', '-p', 'desktop/tsconfig.renderer.json']);
}
const report = join(mkdtempSync(join(tmpdir(), 'cc-test-')), 'vitest.json');
const ok = run(
  'vitest (unit + e2e)',
  [bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...only],
  {
    allowFail: true,
  },
);
if (existsSync(report)) {
  const summary = JSON.parse(readFileSync(report, 'utf8'));
  // A file that fails outside its tests (a hook, an import) fails its tests too, though
  // Vitest reports them as skipped: count them as failed so the line cannot read "0 failed".
  let failed = summary.numFailedTests;
  let skipped = summary.numPendingTests + summary.numTodoTests;
  for (const file of summary.testResults ?? []) {
    const results = file.assertionResults ?? [];
    if (file.status !== 'failed' || results.some((r) => r.status === 'failed')) continue;
    const notRun = results.filter((r) => r.status !== 'passed').length;
    failed += Math.max(1, notRun);
    skipped -= notRun;
  }
  console.log(`\n${summary.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (summary.numTotalTests === 0) {
    console.error('[test] no test ran');
    process.exit(1);
  }
}
process.exit(ok ? 0 : 1);
