// `relink migrate` as an operator runs it: several processes migrating one fresh database at
// once (the way several instances start together), and a migration that fails leaving the
// database as it found it, on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, databases, testConfig, type TestDatabase } from '@relink/testkit';
import { type Database, openDatabase } from '../../src/db/database.ts';
import { databaseVars, relink } from '../support/process.ts';

import { migrationProvider } from '../../src/db/migrations/index.ts';

/** Every migration the build ships, in order; the first is the foundation. */
const MIGRATIONS = Object.keys(await migrationProvider.getMigrations()).sort();
assert.equal(MIGRATIONS[0], '0001_foundation');

/** Opens the test database behind Relink's back (no migration) for `look`, then closes it. */
async function inspect<T>(db: TestDatabase, look: (database: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(testConfig(db).database);
  try {
    return await look(database);
  } finally {
    await database.close();
  }
}

const tableNames = (db: TestDatabase) =>
  inspect(db, async ({ db }) => (await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name).sort());
const recordedMigrations = (db: TestDatabase) =>
  inspect(db, async ({ db }) => (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name));

for (const kind of databases()) {
  describe(`[${kind}] relink migrate`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(kind);
    });
    after(async () => {
      await db?.drop();
    });
    const migrate = () => relink(['migrate', '--data', db.dataDir], databaseVars(db));

    test('six processes migrating one fresh database at once: one applies everything, the others find it done', async () => {
      const runs = await Promise.all(Array.from({ length: 6 }, migrate));
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      const outputs = runs.map((r) => r.stdout.trim()).sort();
      assert.deepEqual(outputs, [`Applied: ${MIGRATIONS.join(', ')}`, ...Array(5).fill('Schema is up to date.')].sort());

      assert.deepEqual(await recordedMigrations(db), MIGRATIONS);
      assert.equal((await migrate()).stdout.trim(), 'Schema is up to date.');
    });

    test('a database migrated by a newer build is refused, naming the migration this build lacks', async () => {
      // Every migration this build knows is recorded, so only the check of the whole list tells.
      const newer = () => sql`insert into kysely_migration (name, timestamp) values ('9999_from_a_newer_build', '2030-01-01T00:00:00.000Z')`;
      await inspect(db, ({ db }) => newer().execute(db));
      const run = await migrate();
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.stderr, 'relink: corrupted migrations: previously executed migration 9999_from_a_newer_build is missing\n');

      await inspect(db, ({ db }) => sql`delete from kysely_migration where name = '9999_from_a_newer_build'`.execute(db));
      assert.equal((await migrate()).stdout.trim(), 'Schema is up to date.');
    });
  });

  describe(`[${kind}] a migration that fails`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(kind);
    });
    after(async () => {
      await db?.drop();
    });

    test('stops with a message naming the problem and leaves no table or record behind', async () => {
      // A table in the way of the second migration: the first one succeeds, the second fails.
      await inspect(db, ({ db }) => sql`create table transactions (id integer)`.execute(db));
      const before = await tableNames(db);

      const run = await relink(['migrate', '--data', db.dataDir], databaseVars(db));
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stderr, /^relink: .*"transactions" already exists/m);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');

      // Kysely's bookkeeping tables may stay (they are created before the lock is taken on
      // PostgreSQL); what matters is that no migration is half-applied or recorded.
      const made = (await tableNames(db)).filter((name) => !before.includes(name));
      assert.deepEqual(
        made.filter((name) => !name.startsWith('kysely_')),
        [],
      );
      if (made.includes('kysely_migration')) assert.deepEqual(await recordedMigrations(db), []);
    });
  });
}
