// Migration 0015 on a database that already holds customers: linking made one customer per
// email, but two racing sessions could make two. They are merged into the oldest (its accounts,
// sessions and hosted links moved to it) before the (app, email) index becomes unique, and
// nothing of another app or another email is touched. Both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kysely, Migrator, sql } from 'kysely';
import { createTestDatabase, databases, testConfig, type TestDatabase } from '@relink/testkit';
import { type Database, openDatabase } from '../../src/db/database.ts';
import { migrationProvider } from '../../src/db/migrations/index.ts';

const NAMES = Object.keys(await migrationProvider.getMigrations()).sort();
const BEFORE = NAMES[NAMES.indexOf('0015_customers') - 1]!;

for (const kind of databases()) {
  describe(`[${kind}] migration 0015_customers`, () => {
    let db: TestDatabase;
    let database: Database;
    before(async () => {
      db = await createTestDatabase(kind);
      database = openDatabase(testConfig(db).database);
    });
    after(async () => {
      await database?.close();
      await db?.drop();
    });

    test('customers sharing an email are merged into the oldest, with their accounts, sessions and links; the email is then unique', async () => {
      const migrator = new Migrator({ db: database.db, provider: migrationProvider });
      const first = await migrator.migrateTo(BEFORE);
      assert.equal(first.error, undefined, String(first.error));
      const raw = database.db as unknown as Kysely<unknown>;
      for (const app of ['app_one', 'app_two']) {
        await sql`insert into apps (id, name, mode, public_key, created_at, updated_at) values (${app}, ${app}, 'test', ${`pk_${app}`}, 1, 1)`.execute(raw);
      }
      const customer = (id: string, app: string, email: string | null, at: number) =>
        sql`insert into customers (id, app_id, name, email, created_at) values (${id}, ${app}, ${`name of ${id}`}, ${email}, ${at})`.execute(raw);
      await customer('c_oldest', 'app_one', 'ada@example.com', 100);
      await customer('c_racer', 'app_one', 'Ada@Example.com', 100);
      await customer('c_late', 'app_one', 'ada@example.com', 300);
      await customer('c_other', 'app_one', 'bola@example.com', 100);
      await customer('c_nameless', 'app_one', null, 100);
      await customer('c_nameless2', 'app_one', null, 100);
      await customer('c_elsewhere', 'app_two', 'ada@example.com', 50);
      // c_oldest sorts before c_racer (same time) by id; c_late is later.
      const account = (id: string, customerId: string) =>
        sql`insert into accounts (id, app_id, customer_id, institution_id, auth_method, account_number, name, type, currency, data_status, retrieved_data, reauth_required, created_at, updated_at)
            values (${id}, 'app_one', ${customerId}, 'inst', 'internet_banking', ${id}, 'A', 'SAVINGS', 'NGN', 'AVAILABLE', '[]', 0, 1, 1)`.execute(raw);
      await account('a_racer', 'c_racer');
      await account('a_late', 'c_late');
      await account('a_other', 'c_other');
      await sql`insert into sessions (id, app_id, kind, institution_id, auth_method, customer_id, state, version, expires_at, created_at, updated_at)
                values ('s_late', 'app_one', 'link', 'inst', 'internet_banking', 'c_late', '{}', 0, 1, 1, 1)`.execute(raw);
      await sql`insert into connect_links (id, app_id, scope, customer_id, expires_at, created_at) values ('l_racer', 'app_one', 'auth', 'c_racer', 1, 1)`.execute(
        raw,
      );

      const rest = await migrator.migrateToLatest();
      assert.equal(rest.error, undefined, String(rest.error));

      const customers = (
        await sql<{ id: string; app_id: string; email: string | null; type: string; updated_at: number | string; created_at: number | string }>`
        select id, app_id, email, type, updated_at, created_at from customers order by id`.execute(raw)
      ).rows;
      assert.deepEqual(
        customers.map((c) => [c.id, c.app_id, c.email]),
        [
          ['c_elsewhere', 'app_two', 'ada@example.com'],
          ['c_nameless', 'app_one', null],
          ['c_nameless2', 'app_one', null],
          ['c_oldest', 'app_one', 'ada@example.com'],
          ['c_other', 'app_one', 'bola@example.com'],
        ],
      );
      for (const c of customers) {
        assert.equal(c.type, 'individual');
        assert.equal(Number(c.updated_at), Number(c.created_at));
      }
      const owners = async (table: string) =>
        (await sql<{ id: string; customer_id: string }>`select id, customer_id from ${sql.table(table)} order by id`.execute(raw)).rows.map((r) => [
          r.id,
          r.customer_id,
        ]);
      assert.deepEqual(await owners('accounts'), [
        ['a_late', 'c_oldest'],
        ['a_other', 'c_other'],
        ['a_racer', 'c_oldest'],
      ]);
      assert.deepEqual(await owners('sessions'), [['s_late', 'c_oldest']]);
      assert.deepEqual(await owners('connect_links'), [['l_racer', 'c_oldest']]);

      // The index is unique now: a second customer with the email is refused by the database itself.
      await assert.rejects(customer('c_again', 'app_one', 'ada@example.com', 400));
      await customer('c_again', 'app_one', 'carla@example.com', 400);
    });
  });
}
