/**
 * A real, fresh database of each kind the run covers: a SQLite file in a temporary data
 * directory, or a database of its own on the PostgreSQL server scripts/test.mjs started.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Config, loadConfig } from '@relink/server';

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
