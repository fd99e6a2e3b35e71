import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createTestDatabase, databases, startTestServer, type TestDatabase, type TestServer, OTP, PASSWORD, exchange, settle } from '@relink/testkit';
import { step, v1Session, v2Session } from '../support/linking.ts';

// Any server instance can serve any step of a session (docs/contract.md §3): the session, the bank's
// half-finished login and the credentials all live in the shared database.
for (const kind of databases()) {
  describe(`[${kind}] one session across two server instances`, () => {
    let db: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    let key: string;
    before(async () => {
      db = await createTestDatabase(kind);
      a = await startTestServer(kind, { db });
      b = await startTestServer(kind, { db });
      key = (await a.createApp()).secretKey;
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await db.drop();
    });

    test('v1: login on A, OTP commit on B, code exchanged on A', async () => {
      const session = await v1Session(a, key);
      const login = await step(a, key, 'v1', 'login', session, { username: 'user_otp', password: PASSWORD });
      assert.equal(login.body.responseCode, 102, login.text);
      const commit = await step(b, key, 'v1', 'commit', session, { otp: OTP });
      assert.equal(commit.body.responseCode, 99, commit.text);
      const id = await exchange(a, key, commit.body.data.code);
      await settle(b);
      const account = await call(a.url, 'GET', `/v2/accounts/${id}`, { key });
      assert.equal(account.body.data.meta.data_status, 'AVAILABLE');
      assert.equal((await step(a, key, 'v1', 'commit', session, { otp: OTP })).status, 409, 'A sees that B completed it');
    });

    test('v2: session on B, login on A, OTP on B, account choice on A, code on B', async () => {
      const session = await v2Session(b, key);
      assert.equal((await step(a, key, 'v2', 'login', session, { username: 'user_otp_multi', password: PASSWORD })).body.responseCode, 102);
      const offered = await step(b, key, 'v2', 'commit', session, { otp: OTP });
      assert.equal(offered.body.responseCode, 101, offered.text);
      const done = await step(a, key, 'v2', 'commit', session, { accountNumber: offered.body.data.accounts[1].accountNumber });
      assert.equal(done.body.responseCode, 99, done.text);
      const id = await exchange(b, key, done.body.data.code, '/v2/accounts/auth');
      const account = await call(a.url, 'GET', `/accounts/${id}`, { key });
      assert.equal(account.body.account.accountNumber, offered.body.data.accounts[1].accountNumber);
    });

    test('wrong answers counted on A and B together fail the session', async () => {
      const session = await v1Session(b, key);
      await step(a, key, 'v1', 'login', session, { username: 'user_question', password: PASSWORD });
      assert.match((await step(a, key, 'v1', 'commit', session, { answer: 'red' })).body.message, /2 tries left/);
      assert.match((await step(b, key, 'v1', 'commit', session, { answer: 'red' })).body.message, /1 try left/);
      assert.equal((await step(a, key, 'v1', 'commit', session, { answer: 'red' })).body.code, 'OTP_ATTEMPTS_EXCEEDED');
      assert.equal((await step(b, key, 'v1', 'commit', session, { answer: 'blue' })).body.code, 'OTP_ATTEMPTS_EXCEEDED');
    });

    test('two commits at once on the two instances: one 99, one 409', async () => {
      const session = await v1Session(a, key);
      await step(a, key, 'v1', 'login', session, { username: 'user_otp', password: PASSWORD });
      const replies = await Promise.all([a, b].map((s) => step(s, key, 'v1', 'commit', session, { otp: OTP })));
      assert.deepEqual(replies.map((r) => r.status).sort(), [200, 409], replies.map((r) => r.text).join('\n'));
      const codes = await a.services.database.db.selectFrom('codes').select('hash').where('session_id', '=', session).execute();
      assert.equal(codes.length, 1);
    });
  });
}
