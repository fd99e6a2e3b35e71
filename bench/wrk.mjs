// wrk (https://github.com/wg/wrk, Debian's package `wrk`) as the load generator: a C program
// on one thread, so the load costs a fraction of the CPU autocannon (a Node process) takes on
// the same machine, and the server gets the rest. Single requests only: a flow that reads one
// answer into the next request stays with autocannon (bench/load.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** wrk on PATH, unless BENCH_LOAD=autocannon asks for the other. */
export function wrkAvailable() {
  if (process.env.BENCH_LOAD === 'autocannon') return false;
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

const lua = (value) => JSON.stringify(value); // a JSON string is a valid Lua string literal for these ASCII values

/**
 * Runs `plan` (the same plan bench/load.mjs takes: url, method, headers, body, and optionally
 * perConnection with a one-step flow whose path names `{{account}}`) under wrk for
 * `plan.seconds`; answers what load.mjs answers: requests, rps, errors, p50/p99/max in ms, and
 * the load's own CPU seconds (wrk's, from the shell's `times`).
 */
export async function runWrk(plan) {
  const url = new URL(plan.url);
  const step = plan.flow?.[0];
  const method = step?.method ?? plan.method ?? 'GET';
  const headers = { ...plan.headers, ...(step?.headers ?? {}) };
  const body = plan.body === undefined ? undefined : JSON.stringify(plan.body);
  const paths = step
    ? (plan.perConnection?.length ? plan.perConnection : [{}]).map((vars) => step.path.replace(/\{\{(\w+)\}\}/g, (_, name) => vars[name] ?? ''))
    : [url.pathname + url.search];
  const script = `
local paths = { ${paths.map(lua).join(', ')} }
local headers = { ${Object.entries(headers)
    .map(([name, value]) => `[${lua(name)}] = ${lua(String(value))}`)
    .join(', ')} }
local body = ${body === undefined ? 'nil' : lua(body)}
local requests = {}
local n = 0
init = function(args)
  for i, path in ipairs(paths) do requests[i] = wrk.format(${lua(method)}, path, headers, body) end
end
request = function()
  n = n + 1
  return requests[(n % #requests) + 1]
end
done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format('\\nWRK_RESULT {"requests":%d,"micros":%d,"socket_errors":%d,"non2xx":%d,"timeouts":%d,"p50":%f,"p99":%f,"max":%f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;
  const dir = mkdtempSync(join(tmpdir(), 'relink-wrk-'));
  const file = join(dir, 'plan.lua');
  writeFileSync(file, script);
  try {
    const args = ['-t1', `-c${plan.connections}`, `-d${plan.seconds}s`, '--timeout', '10s', '-s', file, `${url.protocol}//${url.host}`];
    // `times` after wrk prints the CPU its children used: wrk's own cost, as load.mjs reports autocannon's.
    const output = await new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', 'wrk "$@" && times', 'sh', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}: ${out}`))));
    });
    const line = output.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result: ${output}`);
    const r = JSON.parse(line.slice('WRK_RESULT '.length));
    const times = output
      .trim()
      .split('\n')
      .slice(-1)[0]
      .match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
    const cpuSeconds = times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : null;
    const seconds = r.micros / 1e6;
    return {
      generator: 'wrk',
      requests: r.requests,
      seconds,
      rps: r.requests / seconds,
      errors: r.socket_errors + r.non2xx + r.timeouts,
      non2xx: r.non2xx,
      p50: r.p50 / 1000,
      p99: r.p99 / 1000,
      max: r.max / 1000,
      cpuSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
