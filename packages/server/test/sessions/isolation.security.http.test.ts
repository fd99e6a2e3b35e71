// Attack: a partner uses its own valid key with another partner's session id, code or account
// id (leaked in a log, a URL, a webhook). Each must look exactly like an unknown one (404, or
// 400 for codes), change nothing, and not consume the other partner's code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, type HttpResult, type TestServer, CountingBank, OTP, PASSWORD, exchange, link, settle } from '@relink/testkit';
import { eventsOf, step, v1Session, v2Session } from '../support/linking.ts';

/** A failure body with its volatile parts (timestamp, the id it names) normalised. */
const normalised = (res: HttpResult, id: string) => ({
  status: res.status,
  body: { ...res.body, timestamp: undefined, message: res.body.message.replaceAll(id, '<id>') },
});

for (const kind of databases()) {
  describe(`[${kind}] isolation between apps`, () => {
    let server: TestServer;
    let mine: string;
    let theirs: string;
    const bank = new CountingBank();
    before(async () => {
      server = await startTestServer(kind, { connectors: [bank] });
      mine = (await server.createApp('victim')).secretKey;
      theirs = (await server.createApp('attacker')).secretKey;
    });
    after(() => server.stop());

    test("another app's session is 404 with the same body as an unknown one, and is left untouched", async () => {
      const session = await v2Session(server, mine);
      assert.equal((await step(server, mine, 'v2', 'login', session, { username: 'user_otp', password: PASSWORD })).body.responseCode, 102);
      const unknown = 'session_ZZZZZZZZZZZZZZZZZZZZZZZZ';
      const calls = bank.steps;
      for (const api of ['v1', 'v2'] as const) {
        for (const which of ['login', 'commit'] as const) {
          const body = which === 'login' ? { username: 'user_otp', password: PASSWORD } : { otp: OTP };
          const foreign = await step(server, theirs, api, which, session, body);
          const none = await step(server, theirs, api, which, unknown, body);
          assert.equal(foreign.status, 404);
          assert.equal(foreign.body.code, 'SESSION_NOT_FOUND');
          assert.deepEqual(normalised(foreign, session), normalised(none, unknown));
        }
      }
      // Three wrong OTPs from the attacker would have failed the session: it still works.
      assert.equal(bank.steps, calls);
      const ok = await step(server, mine, 'v2', 'commit', session, { otp: OTP });
      assert.equal(ok.body.responseCode, 99, ok.text);
    });

    test("another app's code is 400 CODE_INVALID and does not burn the code", async () => {
      const session = await v1Session(server, mine);
      const code = (await step(server, mine, 'v1', 'login', session, { username: 'user_good', password: PASSWORD })).body.data.code;
      const stolen = await call(server.url, 'POST', '/account/auth', { key: theirs, body: { code } });
      const garbage = await call(server.url, 'POST', '/account/auth', { key: theirs, body: { code: 'code_zzzzzzzzzzzzzzzzzzzzzzzz' } });
      assert.equal(stolen.status, 400);
      assert.equal(stolen.body.code, 'CODE_INVALID');
      assert.deepEqual(stolen.body, garbage.body);
      await exchange(server, mine, code);
    });

    test("another app's account is 404 ACCOUNT_NOT_FOUND on every account route, like an unknown one", async () => {
      const id = await link(server, mine, 'user_good');
      await settle(server);
      const unknown = '0123456789abcdef01234567';
      const routes: [string, string][] = [
        ['GET', '/accounts/:id'],
        ['GET', '/v2/accounts/:id'],
        ['GET', '/v2/accounts/:id/balance'],
        ['GET', '/accounts/:id/transactions'],
        ['GET', '/v2/accounts/:id/transactions'],
        ['GET', '/accounts/:id/identity'],
        ['POST', '/accounts/:id/sync'],
        ['POST', '/v2/accounts/:id/sync'],
        ['POST', '/accounts/:id/unlink'],
        ['POST', '/v2/accounts/:id/unlink'],
      ];
      for (const [method, path] of routes) {
        const foreign = await call(server.url, method, path.replace(':id', id), { key: theirs });
        const none = await call(server.url, method, path.replace(':id', unknown), { key: theirs });
        assert.equal(foreign.status, 404, `${method} ${path}: ${foreign.text}`);
        assert.equal(foreign.body.code, 'ACCOUNT_NOT_FOUND', path);
        assert.deepEqual(normalised(foreign, id), normalised(none, unknown), path);
      }
      const still = await call(server.url, 'GET', `/v2/accounts/${id}`, { key: mine });
      assert.equal(still.status, 200, 'the unlink attempt changed nothing');
      assert.equal(still.body.data.meta.data_status, 'AVAILABLE');
      const unlinked = await eventsOf(server, id, 'mono.events.account_unlinked');
      assert.equal(unlinked.length, 0);
    });
  });
}
