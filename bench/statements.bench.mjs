/**
 * A 12-month statement of a busy account: BENCH_TRANSACTIONS (default 10,000) transactions,
 * seeded straight into a fresh database. Measured, on each database of BENCH_DATABASES:
 *
 * - the JSON statement (`StatementService.json`, all 12 months), median of 5;
 * - the PDF as the server builds it: a job queued and built by the statement worker (the PDF
 *   drawn in its worker thread), the first build (the thread starts and loads PDFKit) and a
 *   second; the time to BUILT, the file's size and pages, and the longest the event loop went
 *   without running a 1 ms timer meanwhile (its longest stall);
 * - the same PDF drawn on this thread instead (`buildStatementPdf`, yielding after each page),
 *   the design the worker thread replaced, with its stall;
 * - where a file is kept: the built PDF written to and read from the database
 *   (`statement_files`) against a file in the data directory (written, fsync'd, read), median of 20.
 *
 * Runs in process, on the built server (packages/server/dist, which `npm run bench` builds
 * first), so the worker thread runs as `relink serve` runs it; SQLite in a temporary directory,
 * and PostgreSQL when BENCH_DATABASES includes it (default: both): DATABASE_URL, an admin URL
 * where a database is created, or else an embedded server started for the run.
 * Results: stdout and bench/results/statements.json.
 */
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import pg from 'pg';
import { startEmbeddedPostgres } from '../scripts/postgres.mjs';

/** A module of the built server. */
const built = (path) => import(new URL(`../packages/server/dist/${path}`, import.meta.url).href);
const { loadConfig } = await built('config/config.js');
const { migrate } = await built('db/database.js');
const { newObjectId } = await built('lib/ids.js');
const { createServices } = await built('services.js');
const { buildStatementPdf } = await built('statements/pdf.js');

const COUNT = Number(process.env.BENCH_TRANSACTIONS ?? 10_000);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const DAY = 86_400_000;
const NAMES = ['Chukwuemeka Okonkwo', 'Oluwaseun Adébáyọ̀', 'Ngozi Nwosu', 'Aisha Abubakar', 'Ọlájídé Ògúnlẹ́yẹ', 'Funmilayo Balogun', 'Ifeanyi Ụzọma'];
const SHOPS = ['SHOPRITE LEKKI', 'MTN AIRTIME 08031234567', 'DSTV SUBSCRIPTION', 'IKEDC PREPAID TOKEN', 'TOTAL FILLING STN VI', 'JUMIA ONLINE'];

/** An account and a year of its transactions, oldest first, with a running balance. */
async function seed(services, appId) {
  const { db } = services.database;
  const now = services.clock.now();
  const customerId = newObjectId();
  const accountId = newObjectId();
  await db.insertInto('customers').values({ id: customerId, app_id: appId, name: 'Ọlájídé Ògúnlẹ́yẹ', email: null, created_at: now }).execute();
  await db
    .insertInto('accounts')
    .values({
      id: accountId,
      app_id: appId,
      customer_id: customerId,
      institution_id: '5f2d08be60b92e2888287000',
      auth_method: 'internet_banking',
      account_number: '0123456789',
      name: 'Ọlájídé Ògúnlẹ́yẹ',
      type: 'CURRENT_ACCOUNT',
      currency: 'NGN',
      balance: 0,
      bvn: null,
      identity: null,
      data_status: 'AVAILABLE',
      retrieved_data: '[]',
      reauth_required: 0,
      credentials_secret_id: null,
      bank_state_secret_id: null,
      sync_due_at: null,
      sync_claimed_until: null,
      last_synced_at: now,
      created_at: now,
      updated_at: now,
      unlinked_at: null,
    })
    .execute();
  let balance = 250_000_000;
  const start = now - 364 * DAY;
  const rows = Array.from({ length: COUNT }, (_, i) => {
    const credit = i % 3 === 0;
    const amount = 1_000 + ((i * 7_919) % 2_500_000);
    balance += credit ? amount : -amount;
    return {
      id: `${accountId}:t${i}`,
      account_id: accountId,
      bank_id: `t${i}`,
      type: credit ? 'credit' : 'debit',
      amount,
      narration: credit ? `NIP TRANSFER FROM ${NAMES[i % NAMES.length].toUpperCase()}` : `POS PURCHASE ${SHOPS[i % SHOPS.length]}`,
      date: start + Math.floor((i * 363 * DAY) / COUNT),
      balance,
      currency: 'NGN',
      created_at: now,
    };
  });
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('transactions')
      .values(rows.slice(i, i + 500))
      .execute();
  await db.updateTable('accounts').set({ balance }).where('id', '=', accountId).execute();
  return accountId;
}

/**
 * The longest gap between two runs of a 1 ms timer while `work` runs (how long the event loop
 * was held at most), and the 99th percentile of Node's own event-loop delay histogram. Both are
 * wall-clock: on a loaded machine they include time the thread waited for a core.
 */
async function stallOf(work) {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const utilisation = performance.eventLoopUtilization();
  const start = performance.now();
  try {
    const result = await work();
    const { active } = performance.eventLoopUtilization(utilisation);
    return {
      result,
      ms: performance.now() - start,
      stallMs: Math.max(longest, performance.now() - last),
      p99Ms: histogram.percentile(99) / 1e6,
      busyMs: active,
    };
  } finally {
    histogram.disable();
    clearInterval(ticker);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(runs, work) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work(i);
    times.push(performance.now() - start);
  }
  return median(times);
}

async function measure(kind) {
  const dataDir = mkdtempSync(join(tmpdir(), 'relink-statements-'));
  let admin;
  const dbName = `relink_statements_${process.pid}`;
  const env = {
    ...process.env,
    RELINK_DATA_DIR: dataDir,
    RELINK_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  if (kind === 'postgres') {
    const adminUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : (embedded ??= await startEmbeddedPostgres(tmpdir())).url();
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    env.DATABASE_URL = url.toString();
  }
  const services = await createServices(loadConfig(env));
  try {
    await migrate(services.database);
    services.database.setup.startBackgroundWork?.();
    const app = await services.apps.create({ name: 'Statements' });
    const accountId = await seed(services, app.id);
    const { db } = services.database;

    const json = await services.statements.json(app.id, accountId, 'last12months');
    if (json.transactions.length !== COUNT) throw new Error(`the JSON statement holds ${json.transactions.length} of ${COUNT} transactions`);
    const jsonMs = await timed(5, () => services.statements.json(app.id, accountId, 'last12months'));

    const worker = services.statements.worker;
    const builds = [];
    const gcs = [];
    const gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcs.push({ kind: entry.detail.kind, ms: Math.round(entry.duration) });
    });
    if (process.env.BENCH_GC) gcObserver.observe({ entryTypes: ['gc'] });
    for (const run of ['first', 'second']) {
      const measured = await stallOf(async () => {
        const { job } = await services.statements.startPdf(app.id, accountId, 'last12months');
        worker.start();
        await worker.wake();
        return db.selectFrom('statement_jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      });
      if (measured.result.status !== 'BUILT') throw new Error(`the job is ${measured.result.status}`);
      builds.push({
        run,
        ms: Math.round(measured.ms),
        stallMs: Math.round(measured.stallMs),
        p99Ms: Math.round(measured.p99Ms),
        busyMs: Math.round(measured.busyMs),
        pages: measured.result.pages,
        bytes: measured.result.bytes,
      });
    }

    await worker.stop();
    gcObserver.disconnect();
    if (process.env.BENCH_GC) process.stdout.write(`GC during the worker builds: ${JSON.stringify(gcs.filter((g) => g.ms >= 10))}\n`);
    // The same statement drawn on this thread, yielding after every page.
    const account = await services.accounts.get(app.id, accountId);
    const figures = await services.accounts.statementFigures(account, json.range.start, json.range.end);
    const heading = {
      bank: account.institution.name,
      holder: account.name,
      accountNumber: account.accountNumber,
      accountType: account.type,
      currency: account.currency,
      period: 'last12months',
      start: json.range.start,
      end: json.range.end,
      generatedAt: Date.now(),
      reference: 'bench',
      count: figures.count,
      openingBalance: figures.openingBalance,
      closingBalance: figures.closingBalance,
      totalCredit: figures.totalCredit,
      totalDebit: figures.totalDebit,
    };
    const oldestFirst = [...json.transactions].reverse();
    async function* batches() {
      for (let i = 0; i < oldestFirst.length; i += 500) yield oldestFirst.slice(i, i + 500);
    }
    const onThread = [];
    for (const run of ['first', 'second']) {
      const measured = await stallOf(() => buildStatementPdf(heading, batches(), async () => true));
      onThread.push({
        run,
        ms: Math.round(measured.ms),
        stallMs: Math.round(measured.stallMs),
        p99Ms: Math.round(measured.p99Ms),
        busyMs: Math.round(measured.busyMs),
        pages: measured.result.pages,
        bytes: measured.result.content.length,
      });
    }

    // Where the file is kept: the database, or a file in the data directory.
    const file = (await db.selectFrom('statement_files').select('content').limit(1).executeTakeFirstOrThrow()).content;
    const now = Date.now();
    const dbWriteMs = await timed(20, (i) =>
      db
        .insertInto('statement_files')
        .values({ job_id: `bench_${i}`, content: file, created_at: now })
        .execute(),
    );
    const dbReadMs = await timed(20, async (i) => {
      const row = await db.selectFrom('statement_files').select('content').where('job_id', '=', `bench_${i}`).executeTakeFirstOrThrow();
      if (row.content.length !== file.length) throw new Error('the file read back differs');
    });
    const dir = join(dataDir, 'statements');
    mkdirSync(dir, { recursive: true });
    const fsWriteMs = await timed(20, (i) => {
      const fd = openSync(join(dir, `bench_${i}.pdf`), 'w', 0o600);
      try {
        writeSync(fd, file);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    });
    const fsReadMs = await timed(20, (i) => {
      if (readFileSync(join(dir, `bench_${i}.pdf`)).length !== file.length) throw new Error('the file read back differs');
    });

    return {
      db: kind,
      transactions: COUNT,
      jsonMs: Math.round(jsonMs),
      builds,
      onThread,
      storage: { bytes: file.length, dbWriteMs, dbReadMs, fsWriteMs, fsReadMs },
    };
  } finally {
    await services.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  }
}

/** PostgreSQL started for this run when DATABASE_URL names none (scripts/postgres.mjs). */
let embedded;
const results = [];
try {
  for (const kind of DATABASES) {
    const result = await measure(kind);
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
} finally {
  await embedded?.stop();
}
const f = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));
const lines = results.flatMap((r) => [
  ...r.builds.map(
    (b) =>
      `| ${r.db} | worker thread, ${b.run} build | ${b.ms} ms | ${b.stallMs} ms (p99 ${b.p99Ms}) | ${b.busyMs} ms | ${b.pages} | ${Math.round(b.bytes / 1024)} KiB |`,
  ),
  ...r.onThread.map(
    (b) =>
      `| ${r.db} | event-loop thread, ${b.run} build | ${b.ms} ms | ${b.stallMs} ms (p99 ${b.p99Ms}) | ${b.busyMs} ms | ${b.pages} | ${Math.round(b.bytes / 1024)} KiB |`,
  ),
  `| ${r.db} | JSON statement, ${r.transactions.toLocaleString('en')} transactions | ${r.jsonMs} ms | | | | |`,
  `| ${r.db} | file kept in the database: write, read | ${f(r.storage.dbWriteMs)} ms, ${f(r.storage.dbReadMs)} ms | | | | |`,
  `| ${r.db} | file kept in the data directory: write and fsync, read | ${f(r.storage.fsWriteMs)} ms, ${f(r.storage.fsReadMs)} ms | | | | |`,
]);
process.stdout.write(
  ['', `| db | what | time | longest stall | event loop busy | pages | size |`, '|---|---|---|---|---|---|---|', ...lines].join('\n') +
    `\n\n${cpus().length} CPUs; load ${loadavg()[0].toFixed(1)}; bench/results/statements.json\n`,
);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('results/statements.json', import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), results }, null, 2) + '\n',
);
