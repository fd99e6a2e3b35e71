// Attack: reading the database files (a stolen backup, a disk image). A one-time code sat in
// plain text in idempotency_keys for 24 h, and each account's full BVN in accounts.identity.
// Both are sealed with the vault now, and the vault's key rotation carries them along.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { call, databases, startTestServer, TEST_MASTER_KEY, type TestServer, PASSWORD, settle } from '@relink/testkit';
import { v2Session } from '../support/linking.ts';

const NEW_MASTER_KEY = Buffer.alloc(32, 11).toString('base64');

/** Whether `needle` appears anywhere in the database: the SQLite files byte for byte, or every PostgreSQL row. */
async function databaseHolds(server: TestServer, needle: string): Promise<boolean> {
  const config = server.services.config.database;
  if (config.kind === 'sqlite') {
    const bytes = ['', '-wal', '-journal']
      .map((suffix) => config.file + suffix)
      .filter(existsSync)
      .map((file) => readFileSync(file));
    return bytes.some((b) => b.includes(Buffer.from(needle)));
  }
  const client = new pg.Client({ connectionString: server.db.url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'");
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`select t::text as row from "${table_name}" t`);
      if (rows.rows.some((r) => String(r.row).includes(needle))) return true;
    }
  } finally {
    await client.end();
  }
  return false;
}

for (const kind of databases()) {
  describe(`[${kind}] secrets sealed at rest`, () => {
    let server: TestServer;
    let key: string;
    let code: string;
    let replay: string;
    let account: string;
    let bvn: string;

    before(async () => {
      server = await startTestServer(kind);
      key = (await server.createApp()).secretKey;
      const session = await v2Session(server, key);
      const headers = { 'x-session-id': session, 'idempotency-key': 'login-1' };
      const first = await call(server.url, 'POST', '/v2/connect/login', { key, headers, body: { username: 'user_good', password: PASSWORD } });
      code = first.body.data.code;
      assert.match(code, /^code_[0-9a-z]{24}$/);
      replay = (await call(server.url, 'POST', '/v2/connect/login', { key, headers, body: { username: 'user_good', password: PASSWORD } })).text;
      assert.equal(replay, first.text);
      account = (await call(server.url, 'POST', '/account/auth', { key, body: { code } })).body.id;
      await settle(server);
      bvn = (await call(server.url, 'GET', `/accounts/${account}/identity`, { key })).body.bvn;
      assert.match(bvn, /^\d{11}$/);
    });
    after(() => server.stop());

    test('the one-time code is in no database file, yet an Idempotency-Key replay still returns it', async () => {
      assert.equal(await databaseHolds(server, code), false, 'the code is stored in the clear');
      assert.ok(replay.includes(code));
    });

    test('the full BVN (and the identity record) is in no database file; the identity route still answers it', async () => {
      assert.equal(await databaseHolds(server, bvn), false, 'the BVN is stored in the clear');
      const identity = await call(server.url, 'GET', `/accounts/${account}/identity`, { key });
      assert.equal(identity.body.bvn, bvn);
      assert.equal(await databaseHolds(server, identity.body.email), false, 'the identity email is stored in the clear');
      const v2 = await call(server.url, 'GET', `/v2/accounts/${account}`, { key });
      assert.equal(v2.body.data.account.bvn, bvn.slice(-4), 'the account keeps the last four digits, as Mono shows them');
    });

    test('after a master key rotation the identity and the replay still open, under the new key only', async () => {
      await server.close();
      const rotating = await startTestServer(kind, { db: server.db, env: { RELINK_MASTER_KEY: NEW_MASTER_KEY, RELINK_PREVIOUS_MASTER_KEYS: TEST_MASTER_KEY } });
      const { unknownKeyIds } = await rotating.services.vault.rotate();
      assert.deepEqual(unknownKeyIds, []);
      await rotating.close();
      server = await startTestServer(kind, { db: server.db, env: { RELINK_MASTER_KEY: NEW_MASTER_KEY } });
      assert.equal((await call(server.url, 'GET', `/accounts/${account}/identity`, { key })).body.bvn, bvn);
      const session = (await server.services.database.db.selectFrom('sessions').select('id').executeTakeFirstOrThrow()).id;
      const again = await call(server.url, 'POST', '/v2/connect/login', {
        key,
        headers: { 'x-session-id': session, 'idempotency-key': 'login-1' },
        body: { username: 'user_good', password: PASSWORD },
      });
      assert.equal(again.text, replay);
    });

    test('unlinking deletes the sealed identity with the account data', async () => {
      const before = await server.services.database.db.selectFrom('vault_secrets').select('id').where('purpose', '=', 'bank_identity').execute();
      assert.equal(before.length, 1);
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${account}/unlink`, { key })).status, 200);
      const left = await server.services.database.db.selectFrom('vault_secrets').select('id').where('purpose', '=', 'bank_identity').execute();
      assert.deepEqual(left, []);
    });
  });
}
