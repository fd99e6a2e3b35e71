#!/usr/bin/env node
/**
 * How long the `relink` command takes to start, as a user runs it (the built bin): `--help`,
 * and one-shot commands on a SQLite data directory (each opens the database, checks the schema
 * is current, does its work, prints). `apps list` and `keys rotate` build the apps alone;
 * `webhooks deliveries` and `sandbox reset-login` every service (reset-login is asked about an
 * account that does not exist, so it exits 1 after loading everything and one query).
 * Wall time is what a user waits; CPU time (user + system, from the kernel's count for reaped
 * children) is what the start costs, and holds steadier on a busy machine. `node -e 0` is the
 * floor. BENCH_CLI_RUNS runs each (default 10), the commands taken in turn so that a change in
 * the machine's load touches them all alike; the median is reported, with the load average.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.env.RELINK_BENCH_ROOT ?? join(new URL('.', import.meta.url).pathname, '..');
const bin = join(root, process.env.BENCH_CLI_BIN ?? 'packages/server/bin/relink.mjs');
const runs = Number(process.env.BENCH_CLI_RUNS ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'relink-cli-bench-'));
const env = { ...process.env, RELINK_DATA_DIR: dir };
delete env.DATABASE_URL;

/** This process's reaped children's CPU time so far, in ms (Linux /proc; clock ticks of 10 ms). */
const childrenCpuMs = () => {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
};
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

function run(args, expected = 0) {
  const { status, stdout } = spawnSync(process.execPath, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  if (status !== expected) throw new Error(`${args.join(' ')} exited ${status}`);
  return stdout;
}

const app = JSON.parse(run([bin, 'apps', 'create', '--name', 'Bench', '--json'])).id;
const commands = {
  'node -e 0 (floor)': { args: ['-e', '0'] },
  'relink --help': { args: [bin, '--help'] },
  'relink apps list': { args: [bin, 'apps', 'list'] },
  'relink keys rotate': { args: [bin, 'keys', 'rotate', '--app', app] },
  'relink webhooks deliveries': { args: [bin, 'webhooks', 'deliveries', '--app', app] },
  'relink sandbox reset-login (no such account)': { args: [bin, 'sandbox', 'reset-login', 'acc_none'], expected: 1 },
};
const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, { wall: [], cpu: [] }]));
for (const { args, expected } of Object.values(commands)) run(args, expected);
for (let i = 0; i < runs; i++) {
  for (const [name, { args, expected }] of Object.entries(commands)) {
    const cpuBefore = childrenCpuMs();
    const start = performance.now();
    run(args, expected);
    samples[name].wall.push(performance.now() - start);
    samples[name].cpu.push(childrenCpuMs() - cpuBefore);
  }
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write('| command | wall ms (median) | CPU ms (median) |\n|---|---|---|\n');
for (const [name, { wall, cpu }] of Object.entries(samples)) {
  process.stdout.write(`| ${name} | ${Math.round(median(wall))} | ${Math.round(median(cpu))} |\n`);
}
process.stdout.write(`\n${runs} runs each; load average ${loadavg()[0].toFixed(1)} at the end; target: under 300 ms\n\n`);
