// Attack: replaying an auth code (a second exchange, a late one, a leaked one stored in the
// database, a guessed one) to obtain an account id. A code must work once, for 10 minutes,
// and never be readable from the database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, type TestServer, PASSWORD, exchange } from '@relink/testkit';
import { hashSecret } from '../../src/lib/secrets.ts';
import { step, v1Session, v2Session } from '../support/linking.ts';

for (const kind of databases()) {
  describe(`[${kind}] auth codes`, () => {
    let server: TestServer;
    let key: string;
    before(async () => {
      server = await startTestServer(kind);
      key = (await server.createApp()).secretKey;
    });
    after(() => server.stop());

    const newCode = async (username = 'user_good') => {
      const session = await v2Session(server, key);
      const res = await step(server, key, 'v2', 'login', session, { username, password: PASSWORD });
      assert.equal(res.body.responseCode, 99, res.text);
      return res.body.data.code as string;
    };

    const refused = (res: { status: number; body: any }, v2: boolean) => {
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'CODE_INVALID');
      assert.equal(res.body.status, 'failed');
      assert.match(res.body.message, /unknown, expired or already used/);
      assert.equal('id' in res.body, false);
      if (v2) assert.equal(res.body.data, null);
      else assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message', 'status']);
    };

    test('a code works once: a second use is 400 CODE_INVALID on both paths', async () => {
      const code = await newCode();
      await exchange(server, key, code);
      refused(await call(server.url, 'POST', '/account/auth', { key, body: { code } }), false);
      refused(await call(server.url, 'POST', '/v2/accounts/auth', { key, body: { code } }), true);
    });

    test('a code lives 10 minutes', async () => {
      const alive = await newCode();
      const expired = await newCode();
      server.clock.advance(10 * 60_000 - 1);
      await exchange(server, key, alive);
      server.clock.advance(1);
      refused(await call(server.url, 'POST', '/account/auth', { key, body: { code: expired } }), false);
    });

    test('unknown, malformed and missing codes are refused', async () => {
      refused(await call(server.url, 'POST', '/account/auth', { key, body: { code: 'code_000000000000000000000000' } }), false);
      refused(await call(server.url, 'POST', '/v2/accounts/auth', { key, body: { code: "' or 1=1 --" } }), true);
      const missing = await call(server.url, 'POST', '/account/auth', { key, body: {} });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.code, 'INVALID_INPUT');
      assert.match(missing.body.message, /body\.code is required/);
      const noKey = await call(server.url, 'POST', '/account/auth', { body: { code: 'code_x' } });
      assert.equal(noKey.status, 401);
    });

    test('codes are stored only as hashes', async () => {
      const session = await v1Session(server, key);
      const res = await step(server, key, 'v1', 'login', session, { username: 'user_good', password: PASSWORD });
      const code = res.body.data.code as string;
      const rows = await server.services.database.db.selectFrom('codes').selectAll().where('session_id', '=', session).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.hash, hashSecret(code));
      assert.ok(!JSON.stringify(rows).includes(code.slice('code_'.length)));
      assert.equal(rows[0]!.expires_at, server.clock.now() + 10 * 60_000);
    });
  });

  describe(`[${kind}] code lifetime is configurable`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(kind, { env: { RELINK_CODE_TTL_SECONDS: '30' } });
    });
    after(() => server.stop());

    test('RELINK_CODE_TTL_SECONDS=30: a code is refused after 30 s', async () => {
      const key = (await server.createApp()).secretKey;
      const session = await v1Session(server, key);
      const res = await step(server, key, 'v1', 'login', session, { username: 'user_good', password: PASSWORD });
      server.clock.advance(30_000);
      const late = await call(server.url, 'POST', '/account/auth', { key, body: { code: res.body.data.code } });
      assert.equal(late.status, 400);
      assert.equal(late.body.code, 'CODE_INVALID');
    });
  });
}
