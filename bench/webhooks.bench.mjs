#!/usr/bin/env node
/**
 * Webhook delivery from outside the process. Four kinds of process: `relink serve` (the built
 * bin), a receiver (bench/receiver.mjs: node:http on 127.0.0.1 answering 200), the load
 * (bench/load.mjs: autocannon calling `POST /v2/sandbox/webhooks/fire`, which records an event
 * for a linked account in one transaction with its delivery row, as every real state change
 * does) and the raw loop (bench/raw_webhooks.mjs: signed POSTs of the same body straight to
 * the same receiver, none of the storing). Each Relink figure is printed next to the raw
 * loop's, measured in the same run against the same receiver.
 *
 *   throughput  BENCH_EVENTS events fired as fast as the API answers (16 connections); rate =
 *               events / (last arrival − first arrival) at the receiver. Raw: the same count,
 *               8 in flight (the dispatcher's limit for one app).
 *   latency     events fired at a steady BENCH_RATE per second for BENCH_SECONDS; commit→receipt
 *               is the time from the event's `timestamp` (taken in the transaction that commits
 *               it) to its arrival. Raw: the same rate, timestamp taken when the request is made.
 *   backlog     the receiver is down (refusing connections) while BENCH_BACKLOG events are
 *               fired; then it comes up, and the drain time is from then to the last arrival.
 *               Raw: the same count sent back to back, 8 in flight.
 *
 * The server runs with RELINK_WEBHOOK_RETRY_SCHEDULE of 50 one-second waits, so that while the
 * receiver is down every delivery stays due (failing and retried) rather than waiting minutes
 * on the default schedule: the drain then measures delivery, not the schedule. Everything else
 * is the default configuration. Results: stdout and bench/results/webhooks.json.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, here, peakRssMB, post, postgresUrl, resetPeak, run, startRelink, stopPostgres } from './processes.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 10_000);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const ONLY = process.env.BENCH_CASES?.split(',').map((s) => s.trim());
const INSTITUTION = {
  institution: '5f2d08be60b92e2888287000',
  auth_method: 'internet_banking',
  scope: 'financial_data',
  customer: { name: 'Ada Obi', email: 'ada@example.com' },
};
const wanted = (name) => !ONLY || ONLY.includes(name);

const receiver = fork(join(here, 'receiver.mjs'), ['0'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ask = (message) =>
  new Promise((resolve) => {
    receiver.once('message', resolve);
    receiver.send(message);
  });
const load0 = () => loadavg()[0].toFixed(1);
const rows = [];

const receiverUrl = (await ask({ cmd: 'up' })).url;
for (const kind of DATABASES) {
  let databaseUrl;
  if (kind === 'postgres') {
    try {
      databaseUrl = await postgresUrl('relink_webhooks_bench');
    } catch (error) {
      rows.push({ db: kind, case: 'all', note: `n/a (no PostgreSQL: ${String(error.message).split('\n')[0].slice(0, 100)})` });
      continue;
    }
  }
  const server = await startRelink(kind, databaseUrl, { RELINK_WEBHOOK_RETRY_SCHEDULE: Array(50).fill(1).join(',') });
  try {
    await measure(kind, server);
  } finally {
    await server.stop();
  }
}
await stopPostgres();
receiver.disconnect();

printTable();
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'webhooks.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryMB: Math.round(totalmem() / 2 ** 20), node: process.version, loadavg: loadavg() },
      settings: { events: EVENTS, rate: RATE, seconds: SECONDS, backlog: BACKLOG },
      cases: rows,
    },
    null,
    2,
  ) + '\n',
);
process.exit(0);

async function measure(kind, server) {
  const account = await linkAccount(server);
  const set = await post(server, '/v2/webhooks/endpoint', { url: receiverUrl }, {}, 'PUT');
  if (set.status !== 200) throw new Error(`could not set the webhook URL: ${JSON.stringify(set.body)}`);
  const fire = {
    url: `${server.url}/v2/sandbox/webhooks/fire`,
    method: 'POST',
    headers: { 'mono-sec-key': server.key, 'content-type': 'application/json' },
    body: { event: 'mono.events.account_updated', account },
  };
  // Warm up both paths (JIT, connections, statement caches) and take a real body for the raw loop.
  await ask({ cmd: 'reset' });
  await fireLoad({ ...fire, amount: 300, connections: 16 });
  const { sample } = await ask({ cmd: 'wait', count: 300, timeoutMs: 60_000 });
  await raw({ count: 300, concurrency: 8, body: sample });

  if (wanted('throughput')) {
    const rawRun = await rawCase({ count: EVENTS, concurrency: 8, body: sample });
    const relink = await relinkCase(server, async () => {
      const fired = await fireLoad({ ...fire, amount: EVENTS, connections: 16 });
      return { fired: fired.requests - fired.errors, fireRate: fired.rps };
    });
    const rate = (s) => s.distinct / ((s.lastAt - s.firstAt) / 1000);
    rows.push({
      db: kind,
      case: `throughput, ${EVENTS} events`,
      relink: `${rate(relink.stats).toFixed(0)} events/s`,
      raw: `${rate(rawRun).toFixed(0)} events/s`,
      ratio: rate(relink.stats) / rate(rawRun),
      target: '≥ 70%',
      ...relink.resources,
      note: `fired at ${relink.fireRate.toFixed(0)}/s; ${((1000 * relink.resources.cpuSeconds) / relink.stats.distinct).toFixed(2)} ms server CPU per event (raw loop ${rawRun.cpuMsPerEvent.toFixed(2)} ms)`,
      load: load0(),
    });
  }

  if (wanted('latency')) {
    const rawRun = await rawCase({ rate: RATE, seconds: SECONDS, body: sample });
    const relink = await relinkCase(server, async () => {
      const fired = await fireLoad({ ...fire, seconds: SECONDS, connections: 16, overallRate: RATE });
      return { fired: fired.requests - fired.errors, fireRate: fired.rps };
    });
    rows.push({
      db: kind,
      case: `commit→receipt at ${RATE}/s`,
      relink: `p50 ${relink.stats.p50} ms, p99 ${relink.stats.p99} ms`,
      raw: `p50 ${rawRun.p50} ms, p99 ${rawRun.p99} ms`,
      ratio: rawRun.p99 / relink.stats.p99,
      target: 'p99 ≤ 20 ms',
      ...relink.resources,
      note: `fired at ${relink.fireRate.toFixed(0)}/s; max ${relink.stats.max} ms`,
      load: load0(),
    });
  }

  if (wanted('backlog')) {
    const rawRun = await rawCase({ count: BACKLOG, concurrency: 8, body: sample });
    await ask({ cmd: 'down' });
    await fireLoad({ ...fire, amount: BACKLOG, connections: 16 });
    await ask({ cmd: 'reset' });
    resetPeak(server.pid);
    const cpuBefore = cpuSeconds(server.pid);
    const up = await ask({ cmd: 'up' });
    const upAt = performance.timeOrigin + performance.now();
    const stats = await ask({ cmd: 'wait', count: BACKLOG, timeoutMs: 600_000 });
    const failed = await fetchJson(server, '/v2/webhooks/deliveries?status=failed&limit=1');
    const drain = (stats.lastAt - upAt) / 1000;
    const rawSeconds = (rawRun.lastAt - rawRun.firstAt) / 1000;
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    rows.push({
      db: kind,
      case: `backlog of ${BACKLOG}, drain`,
      relink: `${drain.toFixed(1)} s (${(stats.distinct / drain).toFixed(0)}/s)`,
      raw: `${rawSeconds.toFixed(1)} s`,
      ratio: rawSeconds / drain,
      target: '≥ 70%',
      cpuSeconds: cpu,
      peakRssMB: peakRssMB(server.pid),
      note: `${stats.distinct} of ${BACKLOG} arrived; ${failed.meta?.total ?? '?'} deliveries failed for good; ${((1000 * cpu) / stats.distinct).toFixed(2)} ms server CPU per event (raw loop ${rawRun.cpuMsPerEvent.toFixed(2)} ms)`,
      load: load0(),
    });
    void up;
  }
}

/** One Relink case: `fire` makes the events; resolves once all of them arrived. */
async function relinkCase(server, fire) {
  await settle();
  await ask({ cmd: 'reset' });
  resetPeak(server.pid);
  const cpuBefore = cpuSeconds(server.pid);
  const { fired, fireRate } = await fire();
  const stats = await ask({ cmd: 'wait', count: fired, timeoutMs: 300_000 });
  if (stats.distinct < fired) throw new Error(`only ${stats.distinct} of ${fired} events arrived`);
  return { stats, fireRate, resources: { cpuSeconds: cpuSeconds(server.pid) - cpuBefore, peakRssMB: peakRssMB(server.pid) } };
}

async function rawCase(plan) {
  await settle();
  await ask({ cmd: 'reset' });
  const result = await raw(plan);
  const stats = await ask({ cmd: 'stats' });
  if (result.failed > 0) throw new Error(`the raw loop had ${result.failed} failures`);
  return { ...stats, cpuMsPerEvent: (1000 * result.cpuSeconds) / result.sent };
}

/** Waits until nothing has arrived for half a second: the previous case is over. */
async function settle() {
  for (let quiet = 0; quiet < 5; ) {
    const before = (await ask({ cmd: 'stats' })).requests;
    await new Promise((resolve) => setTimeout(resolve, 100));
    quiet = (await ask({ cmd: 'stats' })).requests === before ? quiet + 1 : 0;
  }
}

async function raw(plan) {
  const out = await run(process.execPath, [join(here, 'raw_webhooks.mjs'), JSON.stringify({ url: receiverUrl, ...plan })]);
  return JSON.parse(out.trim().split('\n').pop());
}

async function fireLoad(plan) {
  const out = await run(process.execPath, [join(here, 'load.mjs'), JSON.stringify(plan)]);
  const result = JSON.parse(out.trim().split('\n').pop());
  if (result.errors > 0) process.stderr.write(`fire: ${result.errors} errors (${result.non2xx} non-2xx)\n`);
  return result;
}

async function fetchJson(server, path) {
  const res = await fetch(server.url + path, { headers: { 'mono-sec-key': server.key } });
  return res.json();
}

/** One user_otp account linked through the API (not measured). */
async function linkAccount(server) {
  const session = await post(server, '/v2/connect/session', INSTITUTION);
  const id = session.body.data.session.id;
  await post(server, '/v2/connect/login', { username: 'user_otp', password: 'pass_good' }, { 'x-session-id': id });
  const commit = await post(server, '/v2/connect/commit', { otp: '12345' }, { 'x-session-id': id });
  const exchanged = await post(server, '/v2/accounts/auth', { code: commit.body.data.code });
  if (!exchanged.body?.id) throw new Error(`could not link an account: ${JSON.stringify(exchanged.body)}`);
  return exchanged.body.id;
}

function printTable() {
  const header = ['db', 'case', 'Relink', 'raw loop', 'ratio', 'target', 'server CPU s', 'peak RSS MB', 'load avg', 'note'];
  const lines = rows.map((r) => [
    r.db,
    r.case,
    r.relink ?? '',
    r.raw ?? '',
    r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)}%`,
    r.target ?? '',
    r.cpuSeconds === undefined ? '' : r.cpuSeconds.toFixed(1),
    String(r.peakRssMB ?? ''),
    r.load ?? '',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(
    [format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join('\n') +
      `\n\nratio: Relink's rate over the raw loop's (latency: raw p99 over Relink's); ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; bench/results/webhooks.json\n`,
  );
}
