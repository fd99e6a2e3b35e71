/**
 * One scheduled-sync sweep over many accounts, with a bank that answers at once: what the
 * sweep itself costs (claiming, reading the stored bank session, writing the data, recording
 * `account_updated` and queueing its webhook delivery), not the bank.
 *
 * For each size in BENCH_ACCOUNTS (default 10000,100000) a fresh database is seeded directly
 * (accounts due now, each with its sealed credentials, bank session and identity, as a link and
 * its first sync leave them; one app whose webhook URL is set, so every sync queues a delivery,
 * which is not sent: the dispatcher is not started here), then `SyncWorker.runDue()` is timed until nothing is due. Linear means the
 * per-account time stays the same from one size to the next.
 *
 * Runs in process (tsx); SQLite in a temporary directory, and PostgreSQL from DATABASE_URL
 * (an admin URL: a database per size is created there) when BENCH_DATABASES includes it.
 * Results: stdout and bench/results/sweep.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../packages/server/src/config/config.ts';
import type { AccountData, BankConnector } from '../packages/server/src/connectors/types.ts';
import { migrate } from '../packages/server/src/db/database.ts';
import { newObjectId } from '../packages/server/src/lib/ids.ts';
import { createServices, type Services } from '../packages/server/src/services.ts';

const SIZES = (process.env.BENCH_ACCOUNTS ?? '10000,100000').split(',').map(Number);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite').split(',').map((s) => s.trim());
const TRANSACTIONS = 3;

/** A bank that answers every call at once: a fresh session, and the account with TRANSACTIONS new transactions. */
const instantBank: BankConnector = {
  name: 'sandbox',
  login: async (input) => ({ kind: 'ok', accounts: [account(input.fields.username ?? '0000000000')], state: { session: 'fresh' } }),
  answer: async () => ({ kind: 'invalid_credentials', message: 'not asked' }),
  selectAccount: async (_state, accountNumber) => ({ kind: 'ok', accounts: [account(accountNumber)], state: { session: 'fresh' } }),
  fetchData: async (_state, accountNumber, _request, context) => ({ kind: 'ok', data: data(accountNumber, context.now()) }),
};

function account(accountNumber: string) {
  return { accountNumber, name: 'ADA OBI', type: 'SAVINGS_ACCOUNT', currency: 'NGN', balance: 1_250_000 };
}

function data(accountNumber: string, now: number): AccountData {
  return {
    account: { ...account(accountNumber), bvn: '22212345678' },
    identity: { fullName: 'Ada Obi', email: 'ada@example.com', phone: '08012345678', bvn: '22212345678' },
    transactions: Array.from({ length: TRANSACTIONS }, (_, i) => ({
      id: `t${now}-${i}`,
      type: i % 2 === 0 ? ('debit' as const) : ('credit' as const),
      amount: 1_000 + i,
      narration: `POS purchase ${i}`,
      date: now - i * 60_000,
      balance: 1_250_000 - i * 1_000,
      currency: 'NGN',
    })),
  };
}

async function seed(services: Services, appId: string, count: number) {
  const { db } = services.database;
  const now = services.clock.now();
  const customerId = newObjectId();
  await db.insertInto('customers').values({ id: customerId, app_id: appId, name: 'Ada Obi', email: null, created_at: now }).execute();
  for (let start = 0; start < count; start += 1000) {
    await db.transaction().execute(async (trx) => {
      const rows = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const accountNumber = String(1_000_000_000 + i);
        const credentials = await services.vault.seal('credentials', JSON.stringify({ username: accountNumber, password: 'pass_good' }), trx);
        const bankState = await services.vault.seal('bank_state', JSON.stringify({ session: 'from the link' }), trx);
        // As the link's first data sync left it: the bank's identity record sealed in the vault.
        const identity = await services.vault.seal('bank_identity', JSON.stringify(data(accountNumber, now).identity), trx);
        rows.push({
          id: newObjectId(),
          app_id: appId,
          customer_id: customerId,
          institution_id: '5f2d08be60b92e2888287000',
          auth_method: 'internet_banking',
          account_number: accountNumber,
          name: 'ADA OBI',
          type: 'SAVINGS_ACCOUNT',
          currency: 'NGN',
          balance: 0,
          bvn: null,
          identity: `vault:${identity}`,
          data_status: 'AVAILABLE' as const,
          retrieved_data: '[]',
          reauth_required: 0,
          credentials_secret_id: credentials,
          bank_state_secret_id: bankState,
          sync_due_at: now - 1_000,
          sync_claimed_until: null,
          last_synced_at: now - 86_400_000,
          created_at: now,
          updated_at: now,
          unlinked_at: null,
        });
      }
      for (let i = 0; i < rows.length; i += 100)
        await trx
          .insertInto('accounts')
          .values(rows.slice(i, i + 100))
          .execute();
    });
  }
}

async function measure(kind: string, count: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'relink-sweep-'));
  let databaseUrl: string | undefined;
  let admin: pg.Client | undefined;
  const dbName = `relink_sweep_${count}_${process.pid}`;
  if (kind === 'postgres') {
    if (!process.env.DATABASE_URL?.startsWith('postgres')) return { db: kind, accounts: count, note: 'n/a (set DATABASE_URL to a PostgreSQL admin URL)' };
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const env: Record<string, string | undefined> = {
    ...process.env,
    RELINK_DATA_DIR: dataDir,
    RELINK_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const services = await createServices(loadConfig(env), { connectors: () => [instantBank] });
  try {
    await migrate(services.database);
    // As `relink serve` runs: on SQLite, WAL checkpoints move off the writing connection.
    services.database.setup.startBackgroundWork?.();
    const app = await services.apps.create({ name: 'Sweep' });
    await services.webhooks.setEndpoint(app.id, 'test', 'http://127.0.0.1:9/hooks');
    const seedStart = performance.now();
    await seed(services, app.id, count);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const load = loadavg()[0] ?? 0;
    resetPeakRss();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const synced = await services.sync.runDue();
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const { db } = services.database;
    const fresh = await db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('last_synced_at', '>=', Math.floor(start))
      .executeTakeFirstOrThrow();
    const deliveries = await db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(fresh.n) !== count) throw new Error(`${fresh.n} of ${count} accounts were synced`);
    return {
      db: kind,
      accounts: count,
      synced,
      seconds,
      perAccountMs: (seconds * 1000) / count,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      deliveriesQueued: Number(deliveries.n),
      seedSeconds,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      sweepPeakRssMB: peakRssSinceReset(),
      load: Number(load.toFixed(1)),
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

/**
 * The process's peak RSS covers the seeding too. Linux lets the high-water mark be reset
 * (`/proc/self/clear_refs`, as bench/http.bench.mjs does for the server), so the sweep's own
 * peak is read as well: the RSS the sweep started from, or more if it grew.
 */
function resetPeakRss() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {}
}

function peakRssSinceReset(): number | null {
  try {
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024);
  } catch {
    return null;
  }
}

const results = [];
for (const kind of DATABASES) {
  for (const count of SIZES) {
    const result = await measure(kind, count);
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
const lines = results.map((r) =>
  'note' in r
    ? `| ${r.db} | ${r.accounts} | ${r.note} | | | | | | |`
    : `| ${r.db} | ${r.accounts.toLocaleString('en')} | ${r.seconds.toFixed(1)} s | ${r.perAccountMs.toFixed(3)} ms | ${r.cpuSeconds.toFixed(1)} s | ${((r.cpuSeconds * 1000) / r.accounts).toFixed(3)} ms | ${r.peakRssMB} | ${r.sweepPeakRssMB ?? 'n/a'} | ${r.load} |`,
);
process.stdout.write(
  [
    '',
    '| db | accounts | sweep | per account | CPU | CPU per account | peak RSS MB | sweep peak RSS MB | load avg |',
    '|---|---|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n') + `\n\ntarget: 100,000 accounts ≤ 30 s, linear; ${cpus().length} CPUs; bench/results/sweep.json\n`,
);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('results/sweep.json', import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), transactionsPerSync: TRANSACTIONS, results }, null, 2) + '\n',
);
