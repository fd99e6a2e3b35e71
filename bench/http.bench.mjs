#!/usr/bin/env node
/**
 * The partner API from outside the process, as a user runs it. Three kinds of process:
 *
 *   floor   bench/floor.mjs, a bare Fastify (GET returning JSON; POST validating a JSON body
 *           against a schema and echoing it): what the framework alone costs on this machine
 *   server  `relink serve` (the built bin, default log level), on SQLite and on PostgreSQL
 *   load    wrk (bench/wrk.mjs) for single requests when it is on PATH, autocannon
 *           (bench/load.mjs) for flows and otherwise: a process of its own, one per case
 *
 * Every figure is printed next to the floor measured in the same run and as a ratio to it
 * (GET cases against the floor's GET, POST cases and flows against its POST). Peak RSS is the
 * server's VmHWM during each case (reset before it). One table on stdout; the same figures in
 * bench/results/latest.json.
 *
 *   BENCH_SECONDS      per case (default 8)
 *   BENCH_CONNECTIONS  concurrent partners (default 50)
 *   BENCH_DATABASES    sqlite,postgres (default both; PostgreSQL from DATABASE_URL, or an
 *                      embedded server started for the run)
 *   BENCH_CASES        a comma-separated subset of the case names
 *   RELINK_BENCH_ROOT  another checkout to measure (its built bin), e.g. to compare commits
 *   BENCH_LOAD         autocannon: use it for every case even when wrk is installed
 *   BENCH_WORKERS      relink serve --workers N, against a floor of N workers too (default 1)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  cpuSeconds,
  here,
  machineBusyTicks,
  peakRssMB,
  post,
  postgresCpuSeconds,
  postgresUrl,
  resetPeak,
  root,
  run,
  spawnTracked,
  startRelink,
  stopPostgres,
} from './processes.mjs';
import { runWrk, wrkAvailable } from './wrk.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const ONLY = process.env.BENCH_CASES?.split(',').map((s) => s.trim());
const INSTITUTION = {
  institution: '5f2d08be60b92e2888287000',
  auth_method: 'internet_banking',
  scope: 'financial_data',
  customer: { name: 'Ada Obi', email: 'ada@example.com' },
};
const OTP = '12345';
const WRK = wrkAvailable();

const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const rows = [];
const single = await measureFloor(1);
// Relink with N workers is compared with a floor of N workers; the single-process floor stays beside it.
const { get: floorGet, post: floorPost } = WORKERS > 1 ? await measureFloor(WORKERS) : single;

for (const kind of DATABASES) {
  let databaseUrl;
  if (kind === 'postgres') {
    try {
      databaseUrl = await postgresUrl();
    } catch (error) {
      rows.push({ db: kind, case: 'all', missing: `n/a (no PostgreSQL: ${String(error.message).split('\n')[0].slice(0, 100)})` });
      continue;
    }
  }
  // Throughput is the point: the per-app request rates (docs/security.md; 300 sessions and 1,200
  // steps a minute by default) are off, or every case after the first second would be 429s.
  const server = await startRelink(kind, databaseUrl, { RELINK_SESSIONS_PER_MINUTE: '0', RELINK_STEPS_PER_MINUTE: '0' });
  try {
    await measureRelink(kind, server);
  } finally {
    await server.stop();
  }
}
await stopPostgres();

printTable();
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'latest.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryMB: Math.round(totalmem() / 2 ** 20), node: process.version, loadavg: loadavg() },
      settings: { seconds: SECONDS, connections: CONNECTIONS, root, load: WRK ? 'wrk for single requests, autocannon for flows' : 'autocannon' },
      floor: { get: floorGet, post: floorPost, singleProcess: { get: single.get, post: single.post } },
      workers: WORKERS,
      cases: rows,
    },
    null,
    2,
  ) + '\n',
);
process.exit(0);

async function measureRelink(kind, server) {
  const auth = { 'mono-sec-key': server.key };
  const json = { ...auth, 'content-type': 'application/json' };
  const accounts = await linkAccounts(server, CONNECTIONS);
  const perConnection = accounts.map((account) => ({ account }));
  const cases = [
    ['GET /health', 'get', { url: `${server.url}/health` }],
    ['GET /v3/institutions', 'get', { url: `${server.url}/v3/institutions`, headers: auth }],
    ['POST /v2/connect/session', 'post', { url: `${server.url}/v2/connect/session`, method: 'POST', headers: json, body: INSTITUTION }],
    ['GET /v2/accounts/{id}', 'get', { url: server.url, headers: auth, perConnection, flow: [{ method: 'GET', path: '/v2/accounts/{{account}}' }] }],
    [
      'GET /v2/accounts/{id}/transactions',
      'get',
      { url: server.url, headers: auth, perConnection, flow: [{ method: 'GET', path: '/v2/accounts/{{account}}/transactions?limit=20' }] },
    ],
    ['v2 link flow (4 requests)', 'flow', { url: server.url, headers: json, perConnection: people(CONNECTIONS), flow: linkFlow() }],
    ['v2 reauth flow (3 requests)', 'flow', { url: server.url, headers: json, perConnection, flow: reauthFlow() }],
  ];
  for (const [name, kindOfCase, plan] of cases) {
    if (ONLY && !ONLY.some((wanted) => name.includes(wanted))) continue;
    const floorResult = kindOfCase === 'get' ? floorGet : floorPost;
    const singleResult = kindOfCase === 'get' ? single.get : single.post;
    if (name.startsWith('v2 reauth')) {
      const missing = await reauthMissing(server, accounts[0]);
      if (missing) {
        rows.push({ db: kind, case: name, missing });
        continue;
      }
    }
    const result = await load(plan, server.pid);
    rows.push(row(kind, name, result, floorResult, singleResult));
  }
}

function linkFlow() {
  return [
    { method: 'POST', path: '/v2/connect/session', body: INSTITUTION, capture: { session: 'data.session.id' } },
    { method: 'POST', path: '/v2/connect/login', headers: { 'x-session-id': '{{session}}' }, body: { username: '{{username}}', password: 'pass_good' } },
    { method: 'POST', path: '/v2/connect/commit', headers: { 'x-session-id': '{{session}}' }, body: { otp: OTP }, capture: { code: 'data.code' } },
    { method: 'POST', path: '/v2/accounts/auth', body: { code: '{{code}}' } },
  ];
}

/**
 * A sandbox bank user per connection (`user_otp+c0`, `user_otp+c1`…): the bank caps pending and
 * failed logins per bank user (three), so fifty connections logging in as one person measure
 * that cap, not the server.
 */
function people(count) {
  return Array.from({ length: count }, (_, i) => ({ username: `user_otp+c${i}` }));
}

function reauthFlow() {
  return [
    { method: 'POST', path: '/v2/sandbox/accounts/{{account}}/reset-login', body: { reason: 'mfa_required' } },
    { method: 'POST', path: '/v2/connect/reauth/session', body: { account: '{{account}}' }, capture: { session: 'data.session.id' } },
    { method: 'POST', path: '/v2/connect/commit', headers: { 'x-session-id': '{{session}}' }, body: { otp: OTP } },
  ];
}

/** The reauth routes come with issue 9; until they are served the case says so instead of failing. */
async function reauthMissing(server, account) {
  const reset = await post(server, `/v2/sandbox/accounts/${account}/reset-login`, { reason: 'mfa_required' });
  const session = await post(server, '/v2/connect/reauth/session', { account });
  if (reset.status === 404 && reset.body?.code === 'ROUTE_NOT_FOUND') return 'n/a (route missing)';
  if (session.status === 404 && session.body?.code === 'ROUTE_NOT_FOUND') return 'n/a (route missing)';
  if (session.body?.data?.responseCode !== 102) return `n/a (reauth session answered ${session.status} ${JSON.stringify(session.body).slice(0, 120)})`;
  // Finished, so the account holds no live reauth session when the case lends it out (a 409 otherwise).
  const done = await post(server, '/v2/connect/commit', { otp: OTP }, { 'x-session-id': session.body.data.session.id });
  if (done.body?.responseCode !== 99) return `n/a (reauth commit answered ${done.status} ${JSON.stringify(done.body).slice(0, 120)})`;
  return undefined;
}

/** Links `count` accounts (not measured), each its own user_otp+N, and waits for their first data sync. */
async function linkAccounts(server, count) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    // A customer of its own per link: linking the same bank account for the same customer again
    // re-links that account, so with one customer every connection would share one account.
    const session = await post(server, '/v2/connect/session', { ...INSTITUTION, customer: { name: 'Ada Obi', email: `ada+${i}@example.com` } });
    const id = session.body.data.session.id;
    await post(server, '/v2/connect/login', { username: `user_otp+${i}`, password: 'pass_good' }, { 'x-session-id': id });
    const commit = await post(server, '/v2/connect/commit', { otp: OTP }, { 'x-session-id': id });
    const exchanged = await post(server, '/v2/accounts/auth', { code: commit.body.data.code });
    if (!exchanged.body?.id) throw new Error(`could not link an account: ${JSON.stringify(exchanged.body)}`);
    ids.push(exchanged.body.id);
  }
  for (const id of ids) {
    for (let tries = 0; tries < 200; tries++) {
      const res = await fetch(`${server.url}/v2/accounts/${id}`, { headers: { 'mono-sec-key': server.key } });
      const body = await res.json();
      if (body.data?.meta?.data_status === 'AVAILABLE') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return ids;
}

/**
 * One case: the load process for BENCH_SECONDS, with the server's peak RSS over that time and
 * where the machine's CPU went: the server's, PostgreSQL's and the load's own CPU seconds, and
 * how busy the CPUs were in all.
 */
async function load(plan, pid) {
  resetPeak(pid);
  const full = { connections: CONNECTIONS, seconds: SECONDS, ...plan };
  const before = { server: cpuSeconds(pid), db: postgresCpuSeconds(), machine: machineBusyTicks() };
  // wrk sends single requests; a flow reads one answer into the next request, which autocannon does.
  const result =
    WRK && !(full.flow?.length > 1)
      ? await runWrk(full)
      : { generator: 'autocannon', ...JSON.parse((await run(process.execPath, [join(here, 'load.mjs'), JSON.stringify(full)])).trim().split('\n').pop()) };
  const machine = machineBusyTicks();
  result.peakRssMB = peakRssMB(pid);
  result.serverCpuSeconds = cpuSeconds(pid) - before.server;
  result.dbCpuSeconds = postgresCpuSeconds() - before.db;
  result.machineBusy = (machine.busy - before.machine.busy) / (machine.total - before.machine.total);
  return result;
}

function row(db, name, result, floorResult, singleResult = floorResult) {
  const rate = result.flowsPerSecond ?? result.rps;
  return {
    ofSingleFloor: rate / singleResult.rps,
    db,
    case: name,
    unit: result.flowsPerSecond === undefined ? 'req/s' : 'flows/s',
    generator: result.generator,
    rate: Math.round(rate),
    floor: Math.round(floorResult.rps),
    ofFloor: rate / floorResult.rps,
    p50: result.p50,
    p99: result.p99,
    p99OverP50: result.p50 > 0 ? result.p99 / result.p50 : null,
    errors: result.errors,
    peakRssMB: result.peakRssMB,
    ...cpuPerOperation(result, floorResult),
  };
}

/**
 * What bounds a case, from the CPU it used: milliseconds of CPU per request (or per flow) in
 * the server, in PostgreSQL and in the load generator, beside the floor server's per request,
 * and how busy both CPUs were. With the CPUs saturated, the rate is about the machine's CPU
 * divided by the CPU one operation costs in all three, so the ratio to the floor is about
 * the floor's cost over Relink's; where that cost goes is the profile's part (docs/benchmarks.md).
 */
function cpuPerOperation(result, floorResult) {
  const operations = (result.flowsPerSecond ?? result.rps) * (result.seconds ?? SECONDS);
  const ms = (seconds) => (operations > 0 ? (1000 * seconds) / operations : null);
  const floorMs = floorResult.rps > 0 ? (1000 * floorResult.serverCpuSeconds) / (floorResult.rps * (floorResult.seconds ?? SECONDS)) : null;
  const server = ms(result.serverCpuSeconds);
  const db = ms(result.dbCpuSeconds);
  const loadMs = ms(result.cpuSeconds);
  const busy = result.machineBusy;
  const serverCores = result.serverCpuSeconds / (result.seconds ?? SECONDS);
  const bound =
    busy >= 0.9
      ? `the ${cpus().length} CPUs (${Math.round(busy * 100)}% busy)`
      : serverCores >= 0.9
        ? `the server's event loop (${Math.round(serverCores * 100)}% of a core)`
        : `waiting, not CPU (${Math.round(busy * 100)}% busy)`;
  return { cpuMs: { server, db, load: loadMs, floorServer: floorMs }, machineBusy: busy, bound };
}

function printTable() {
  const header = [
    'db',
    'case',
    'rate',
    'floor',
    '% floor',
    '% 1-process floor',
    'p50 ms',
    'p99 ms',
    'p99/p50',
    'errors',
    'peak RSS MB',
    'CPU ms per op: server / db / load',
    'bound',
    'load',
  ];
  const f2 = (n) => (n === null || n === undefined ? '–' : n.toFixed(2));
  const lines = rows.map((r) =>
    r.missing
      ? [r.db, r.case, r.missing, '', '', '', '', '', '', '', '', '', '', '']
      : [
          r.db,
          r.case,
          `${r.rate} ${r.unit}`,
          `${r.floor} req/s`,
          `${(r.ofFloor * 100).toFixed(0)}%`,
          `${(r.ofSingleFloor * 100).toFixed(0)}%`,
          String(r.p50),
          String(r.p99),
          r.p99OverP50 === null ? '' : `${r.p99OverP50.toFixed(1)}×`,
          String(r.errors),
          String(r.peakRssMB ?? ''),
          `${f2(r.cpuMs.server)} / ${r.db === 'postgres' ? f2(r.cpuMs.db) : '–'} / ${f2(r.cpuMs.load)}`,
          r.bound,
          r.generator,
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(
    [format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join('\n') +
      `\n\n${SECONDS} s per case, ${CONNECTIONS} connections, ${WORKERS} worker process${WORKERS === 1 ? '' : 'es'} (BENCH_WORKERS; floor ×N: the floor with as many), ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; bench/results/latest.json\n` +
      `load: the generator of each row (wrk, a C program, for single requests when installed: apt-get install wrk; autocannon for flows).\n` +
      `CPU ms per op: CPU time per request (per flow for flows) in the server (the floor's for the floor rows), in PostgreSQL's\n` +
      `processes and in the load generator; with the CPUs saturated the ratio to the floor is about the floor's total over Relink's.\n`,
  );
}

/** The floor's GET and POST with `workers` processes, each a row of the table. */
async function measureFloor(workers) {
  const floor = await startFloor(workers);
  const get = await load({ url: `${floor.url}/get` }, floor.pid);
  const post = await load({ url: `${floor.url}/echo`, method: 'POST', headers: { 'content-type': 'application/json' }, body: INSTITUTION }, floor.pid);
  const label = workers > 1 ? `floor ×${workers}` : 'floor';
  rows.push(row(label, 'GET (bare Fastify)', get, get), row(label, 'POST echo + schema (bare Fastify)', post, post));
  floor.stop();
  return { get, post };
}

async function startFloor(workers) {
  const child = spawnTracked(process.execPath, [join(here, 'floor.mjs'), String(workers)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const match = out.match(/floor listening on (\S+)/);
      if (match) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`the floor server exited: ${out}`)));
  });
  return { url, pid: child.pid, stop: () => child.kill('SIGTERM') };
}
