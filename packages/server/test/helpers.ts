/**
 * Test support: a real server on 127.0.0.1 over a real database of each kind, and a small
 * HTTP client. Nothing here mocks the database or the HTTP layer; the clock is injected.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Config, loadConfig } from '../src/config/config.ts';
import { ManualClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import type { ServiceOptions } from '../src/services.ts';
import type { DestinationStream } from 'pino';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The databases this run covers (scripts/test.mjs sets RELINK_TEST_DATABASES). */
export function databases(): DatabaseKind[] {
  const wanted = (process.env.RELINK_TEST_DATABASES ?? 'sqlite').split(',');
  return (['sqlite', 'postgres'] as const).filter((kind) => wanted.includes(kind));
}

export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

export interface TestDatabase {
  /** What DATABASE_URL would be: `sqlite:/tmp/…/relink.db` or `postgres://…/relink_t_…`. */
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind, and a fresh data directory. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relink-test-'));
  if (kind === 'sqlite') {
    return {
      url: `sqlite:${join(dataDir, 'relink.db')}`,
      dataDir,
      async drop() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = process.env.RELINK_TEST_PG_URL;
  if (!adminUrl) throw new Error('RELINK_TEST_PG_URL is not set: run the suite through npm test');
  const name = `relink_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function testConfig(db: TestDatabase, env: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    RELINK_DATA_DIR: db.dataDir,
    DATABASE_URL: db.url,
    RELINK_MASTER_KEY: TEST_MASTER_KEY,
    LOG_LEVEL: 'warn',
    ...env,
  });
}

export interface TestServer extends RunningServer {
  clock: ManualClock;
  db: TestDatabase;
  /** Every log line the server wrote, for checks that nothing secret is logged. */
  logs: string[];
  /** Creates an app through the same service the CLI uses. */
  createApp(name?: string, options?: { webhookUrl?: string; live?: boolean }): Promise<{ id: string; secretKey: string; webhookSecret: string }>;
  stop(): Promise<void>;
}

export async function startTestServer(
  kind: DatabaseKind,
  options: { env?: Record<string, string>; db?: TestDatabase; logLevel?: string; connectors?: ServiceOptions['connectors'] } = {},
): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase(kind));
  if (kind === 'sqlite') await settleOthersOn(db);
  const clock = new ManualClock(Date.now());
  const logs: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void logs.push(line) };
  const config = testConfig(db, { LOG_LEVEL: options.logLevel ?? 'info', ...options.env });
  const server = await startServer(config, {
    clock,
    logger: createLogger(config.logLevel, destination),
    ...(options.connectors ? { connectors: options.connectors } : {}),
  });
  const running: TestServer = {
    ...server,
    clock,
    db,
    logs,
    createApp: (name = 'Test app', appOptions = {}) => server.services.apps.create({ name, ...appOptions }),
    async stop() {
      onSameFile.get(db.url)?.delete(running);
      await server.close();
      if (!options.db) await db.drop();
    },
  };
  onSameFile.set(db.url, (onSameFile.get(db.url) ?? new Set()).add(running));
  return running;
}

/** The test servers of this process running on each SQLite file. */
const onSameFile = new Map<string, Set<TestServer>>();

/**
 * Two servers in one test process on one SQLite file share one thread, which production's
 * instances (separate processes) never do. better-sqlite3 waits for a lock synchronously
 * (busy_timeout, 10 s), so when the newcomer's migration holds the write lock across an await
 * and the running server's start-up sync or dispatcher pass then writes, that write blocks the
 * very thread the lock holder needs: 10 s of nothing, then SQLITE_BUSY (measured: the second
 * server's start took 11 s, 1 s once the first server's passes had ended). So a server's
 * background passes are let finish before another starts on its file.
 */
async function settleOthersOn(db: TestDatabase) {
  for (const other of onSameFile.get(db.url) ?? []) {
    await other.services.sync.wake();
    await other.services.webhooks.dispatcher.runDue();
  }
}

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** One HTTP call to a test server: JSON in, JSON out, nothing hidden. */
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['mono-sec-key'] = options.key;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}
