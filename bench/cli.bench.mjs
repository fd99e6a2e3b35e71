#!/usr/bin/env node
/**
 * How long the `relink` command takes to start, as a user runs it (the built bin): `--help`,
 * and `apps list` on a SQLite data directory (opens the database, brings the schema up to
 * date, prints). Wall time is what a user waits; CPU time (user + system, from the kernel's
 * count for reaped children) is what the start costs, and holds steady on a busy machine.
 * `node -e 0` is the floor. BENCH_CLI_RUNS runs each (default 10); the median is reported.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

function measure(args) {
  spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const cpuBefore = childrenCpuMs();
    const start = performance.now();
    const { status } = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
    if (status !== 0) throw new Error(`${args.join(' ')} exited ${status}`);
    wall.push(performance.now() - start);
    cpu.push(childrenCpuMs() - cpuBefore);
  }
  return { wallMs: Math.round(median(wall)), cpuMs: Math.round(median(cpu)) };
}

const results = {
  'node -e 0 (floor)': measure(['-e', '0']),
  'relink --help': measure([bin, '--help']),
  'relink apps list': measure([bin, 'apps', 'list']),
};
rmSync(dir, { recursive: true, force: true });
process.stdout.write('| command | wall ms (median) | CPU ms (median) |\n|---|---|---|\n');
for (const [name, r] of Object.entries(results)) process.stdout.write(`| ${name} | ${r.wallMs} | ${r.cpuMs} |\n`);
process.stdout.write(`\n${runs} runs each; target: under 300 ms\n\n`);
