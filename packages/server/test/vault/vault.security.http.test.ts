// Attack: someone reads the database (a stolen backup, a leaked replica, a SQL injection
// elsewhere) looking for bank passwords, or moves an encrypted record to another row. No
// credential may be stored in clear text anywhere, records must not open out of place, and
// rotating the master key must keep every record usable without rewriting its ciphertext.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  startTestServer,
  TEST_MASTER_KEY,
  call,
  createTestDatabase,
  databases,
  type DatabaseKind,
  type TestDatabase,
  type TestServer,
  CountingBank,
  OTP,
  PASSWORD,
  link,
  settle,
  useServer,
} from '@relink/testkit';
import { masterKeyId } from '../../src/config/config.ts';
import { step, v1Session, v2Session } from '../support/linking.ts';

const NEW_MASTER_KEY = Buffer.alloc(32, 9).toString('base64');
const WRONG_PASSWORD = 'Hunter2-never-stored!';

/** Every row of every table as text (PostgreSQL), or the raw bytes of the files (SQLite). */
async function databaseText(kind: DatabaseKind, server: TestServer): Promise<string> {
  if (kind === 'sqlite') {
    const file = server.db.url.slice('sqlite:'.length);
    return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
  }
  const db = server.services.database.db;
  const tables = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  assert.ok(tables.rows.length >= 9, 'found the tables');
  const out: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t`.execute(db);
    out.push(...rows.rows.map((r) => r.row));
  }
  return out.join('\n');
}

for (const kind of databases()) {
  describe(`[${kind}] no credential in clear text`, () => {
    const server = useServer(kind);
    let key: string;
    before(async () => {
      key = (await server.createApp()).secretKey;
    });

    test('after links, pending and failed sessions and syncs, the database holds no password', async () => {
      const linked = await link(server, key, 'user_otp');
      await link(server, key, 'user_question', { api: 'v1' });
      await link(server, key, 'user_multi');
      // Pending: credentials and the bank's half-done login sit in the session.
      const pending = await v2Session(server, key);
      assert.equal((await step(server, key, 'v2', 'login', pending, { username: 'user_otp_multi', password: PASSWORD })).body.responseCode, 102);
      // A wrong password is never stored, and never logged.
      const failed = await v1Session(server, key);
      assert.equal((await step(server, key, 'v1', 'login', failed, { username: 'user_good', password: WRONG_PASSWORD })).status, 400);
      await settle(server);

      const db = server.services.database.db;
      const vault = await db.selectFrom('vault_secrets').selectAll().execute();
      assert.ok(
        vault.some((v) => v.purpose === 'bank_credentials'),
        'credentials are in the vault',
      );
      const session = await db.selectFrom('sessions').selectAll().where('id', '=', pending).executeTakeFirstOrThrow();
      assert.ok(session.credentials_secret_id && session.connector_state_secret_id);
      assert.match(await server.services.vault.open(session.credentials_secret_id), /pass_good/, 'the vault does hold it');

      const text = await databaseText(kind, server);
      const accountNumber = (await call(server.url, 'GET', `/accounts/${linked}`, { key })).body.account.accountNumber;
      assert.ok(text.includes(accountNumber), 'positive control: plain account data is readable this way');
      assert.ok(!text.includes(PASSWORD), 'the password is in clear text in the database');
      assert.ok(!text.includes(WRONG_PASSWORD));
      assert.ok(!text.includes(`"otp":"${OTP}"`));
      const logs = server.logs.join('\n');
      assert.ok(logs.length > 0);
      assert.ok(!logs.includes(PASSWORD) && !logs.includes(WRONG_PASSWORD), 'a password reached the logs');
    });

    test('a record moved to another row does not open', async () => {
      const db = server.services.database.db;
      const [a, b] = await db.selectFrom('vault_secrets').selectAll().where('purpose', '=', 'bank_credentials').limit(2).execute();
      assert.ok(a && b);
      await db.updateTable('vault_secrets').set({ kek_id: a.kek_id, wrapped_key: a.wrapped_key, ciphertext: a.ciphertext }).where('id', '=', b.id).execute();
      await assert.rejects(server.services.vault.open(b.id));
      assert.match(await server.services.vault.open(a.id), /pass_good/);
    });
  });

  describe(`[${kind}] master key rotation`, () => {
    let db: TestDatabase;
    let key: string;
    let accounts: string[];
    let pending: string;
    let before_: { id: string; kek_id: string; wrapped_key: string; ciphertext: string }[];
    const servers: TestServer[] = [];
    const start = async (env: Record<string, string>, connectors?: CountingBank[]) => {
      const server = await startTestServer(kind, { db, env, ...(connectors ? { connectors } : {}) });
      servers.push(server);
      return server;
    };
    const rows = async (server: TestServer) =>
      await server.services.database.db.selectFrom('vault_secrets').select(['id', 'kek_id', 'wrapped_key', 'ciphertext']).orderBy('id').execute();

    before(async () => {
      db = await createTestDatabase(kind);
      const first = await start({});
      key = (await first.createApp('rotating')).secretKey;
      accounts = [await link(first, key, 'user_good'), await link(first, key, 'user_multi')];
      pending = await v1Session(first, key);
      assert.equal((await step(first, key, 'v1', 'login', pending, { username: 'user_otp', password: PASSWORD })).body.responseCode, 102);
      await settle(first);
      before_ = await rows(first);
      assert.ok(before_.length >= 6);
      assert.ok(before_.every((r) => r.kek_id === masterKeyId(Buffer.from(TEST_MASTER_KEY, 'base64'))));
      await first.stop();
    });
    after(async () => {
      for (const server of servers) await server.stop();
      await db.drop();
    });

    test('rotate() rewraps every data key under the new master key and leaves every ciphertext as it was', async () => {
      const bank = new CountingBank();
      const server = await start({ RELINK_MASTER_KEY: NEW_MASTER_KEY, RELINK_PREVIOUS_MASTER_KEYS: TEST_MASTER_KEY }, [bank]);
      const result = await server.services.vault.rotate();
      assert.deepEqual(result, { rewrapped: before_.length, unknownKeyIds: [] });
      const after_ = await rows(server);
      assert.deepEqual(
        after_.map((r) => r.id),
        before_.map((r) => r.id),
      );
      const newId = masterKeyId(Buffer.from(NEW_MASTER_KEY, 'base64'));
      for (const [i, row] of after_.entries()) {
        assert.equal(row.kek_id, newId);
        assert.equal(row.ciphertext, before_[i]!.ciphertext, 'rotation must not rewrite the data');
        assert.notEqual(row.wrapped_key, before_[i]!.wrapped_key);
      }
      assert.deepEqual(await server.services.vault.rotate(), { rewrapped: 0, unknownKeyIds: [] });

      // A sync decrypts the stored credentials: the bank session has expired, so it logs in again.
      server.clock.advance(60 * 60_000);
      const logins = bank.calls.login;
      for (const id of accounts) assert.equal((await call(server.url, 'POST', `/v2/accounts/${id}/sync`, { key })).status, 200);
      await settle(server);
      assert.equal(bank.calls.login, logins + 2, 'each sync logged in with the decrypted credentials');
      for (const id of accounts) {
        const meta = (await call(server.url, 'GET', `/v2/accounts/${id}`, { key })).body.data.meta;
        assert.equal(meta.data_status, 'AVAILABLE');
        assert.equal(meta.reauth_required, false);
        assert.equal(Date.parse(meta.last_synced_at), server.clock.now());
      }
      await server.stop();
    });

    test('with only the new key configured, every record still opens and a pending session finishes', async () => {
      const server = await start({ RELINK_MASTER_KEY: NEW_MASTER_KEY });
      for (const row of await rows(server)) await server.services.vault.open(row.id);
      const done = await step(server, key, 'v1', 'commit', pending, { otp: OTP });
      assert.equal(done.body.responseCode, 99, done.text);
      server.clock.advance(2 * 60 * 60_000);
      assert.equal((await call(server.url, 'POST', `/accounts/${accounts[0]}/sync`, { key })).status, 200);
      await settle(server);
      const meta = (await call(server.url, 'GET', `/v2/accounts/${accounts[0]}`, { key })).body.data.meta;
      assert.equal(Date.parse(meta.last_synced_at), server.clock.now());
      await server.stop();
    });

    test('with only the old key, records do not open, and the error says which key is missing', async () => {
      const server = await start({ RELINK_MASTER_KEY: TEST_MASTER_KEY });
      const [row] = await rows(server);
      await assert.rejects(server.services.vault.open(row!.id), /not configured.*RELINK_PREVIOUS_MASTER_KEYS/);
      await server.stop();
    });
  });
}
