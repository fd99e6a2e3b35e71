/**
 * Throughput of the partner API on this machine, as ratios against a baseline measured in
 * the same run (absolute numbers vary between machines; the ratios say where time goes).
 *
 *   baseline: GET /v3/institutions (auth + envelope, no database write)
 *   session:  POST /v2/connect/session (auth + one insert)
 *   link:     session → login (user_good) → code exchange (the whole link, 3 requests)
 *
 * Runs on SQLite in a temporary directory, or on PostgreSQL when DATABASE_URL names one.
 * BENCH_SECONDS (default 5) per case, BENCH_CONCURRENCY (default 16) requests in flight.
 */
import { SANDBOX_BANK as bank, startBench } from './support.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const { server, headers, post, close } = await startBench();
await server.services.sync.stop(); // measure the API, not the background sync

const cases: Record<string, () => Promise<void>> = {
  baseline: async () => {
    const res = await fetch(`${server.url}/v3/institutions`, { headers });
    if (res.status !== 200) throw new Error(`institutions ${res.status}`);
    await res.arrayBuffer();
  },
  session: async () => {
    await post('/v2/connect/session', bank);
  },
  link: async () => {
    const session = await post('/v2/connect/session', bank);
    const login = await post('/v2/connect/login', { username: 'user_good', password: 'pass_good' }, { 'x-session-id': session.data.session.id });
    await post('/v2/accounts/auth', { code: login.data.code });
  },
};

async function measure(name: string, op: () => Promise<void>) {
  for (let i = 0; i < 20; i++) await op();
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        await op();
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
  return { name, opsPerSecond: latencies.length / seconds, p50: pct(0.5), p99: pct(0.99) };
}

try {
  console.log(`Relink bench on ${server.services.database.kind}, ${seconds}s per case, ${concurrency} in flight`);
  const results = [];
  for (const [name, op] of Object.entries(cases)) results.push(await measure(name, op));
  const base = results[0]!.opsPerSecond;
  for (const r of results) {
    console.log(
      `${r.name.padEnd(9)} ${r.opsPerSecond.toFixed(0).padStart(7)} ops/s  p50 ${r.p50.padStart(6)} ms  p99 ${r.p99.padStart(6)} ms  ratio to baseline ${(r.opsPerSecond / base).toFixed(3)}`,
    );
  }
} finally {
  await close();
}
