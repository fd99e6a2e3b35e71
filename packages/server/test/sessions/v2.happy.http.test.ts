import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, databases, type HttpResult, ANSWER, OTP, PASSWORD, SANDBOX, exchange, useServer } from '@relink/testkit';
import { CODE, ISO, SESSION_ID, assertV2StepFailure, step, v2Session } from '../support/linking.ts';

for (const kind of databases()) {
  describe(`[${kind}] linking through v2`, () => {
    const server = useServer(kind);
    let key: string;
    before(async () => {
      key = (await server.createApp('v2 partner')).secretKey;
    });

    const login = (session: string, username: string, password = PASSWORD) => step(server, key, 'v2', 'login', session, { username, password });
    const commit = (session: string, body: unknown) => step(server, key, 'v2', 'commit', session, body);

    const envelope = (res: HttpResult, responseCode: number) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['data', 'message', 'responseCode', 'status', 'timestamp']);
      assert.equal(res.body.status, 'successful');
      assert.equal(typeof res.body.message, 'string');
      assert.match(res.body.timestamp, ISO);
      assert.equal(res.body.responseCode, responseCode);
    };
    const assert99 = (res: HttpResult) => {
      envelope(res, 99);
      assert.deepEqual(Object.keys(res.body.data), ['code']);
      assert.match(res.body.data.code, CODE);
      return res.body.data.code as string;
    };
    const assert102 = (res: HttpResult, field: string) => {
      envelope(res, 102);
      assert.deepEqual(Object.keys(res.body.data), ['userInput']);
      assert.deepEqual(Object.keys(res.body.data.userInput).sort(), ['form', 'title']);
      assert.deepEqual(
        res.body.data.userInput.form.map((f: any) => f.name),
        [field],
      );
    };
    const assert101 = (res: HttpResult) => {
      envelope(res, 101);
      const accounts = res.body.data.accounts as any[];
      assert.equal(accounts.length, 3);
      for (const a of accounts) {
        assert.deepEqual(Object.keys(a).sort(), ['accountNumber', 'balance', 'currency', 'name', 'status', 'type']);
        assert.match(a.accountNumber, /^\d{10}$/);
        assert.equal(a.status, 'active');
        assert.ok(Number.isInteger(a.balance));
      }
      return accounts;
    };
    const numberOf = async (id: string) => {
      const res = await call(server.url, 'GET', `/v2/accounts/${id}`, { key });
      assert.equal(res.status, 200, res.text);
      return res.body.data.account.account_number as string;
    };

    test('a session answers data.session and the login form', async () => {
      const before = server.clock.now();
      const res = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        body: { institution: SANDBOX, auth_method: 'internet_banking', scope: 'financial_data', customer: { name: 'Ada Obi', email: 'ada@example.com' } },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'successful');
      assert.match(res.body.timestamp, ISO);
      assert.deepEqual(Object.keys(res.body.data).sort(), ['session', 'ui']);
      const { session, ui } = res.body.data;
      assert.deepEqual(Object.keys(session).sort(), ['expiresAt', 'id', 'institution', 'scope']);
      assert.match(session.id, SESSION_ID);
      assert.equal(session.scope, 'financial_data');
      assert.equal(session.expiresAt, before + 10 * 60_000);
      assert.deepEqual(session.institution, { id: SANDBOX, name: 'Relink Sandbox Bank', identifier: 'relink.connections.sandbox_bank' });
      assert.deepEqual(
        ui.form.map((f: any) => f.name),
        ['username', 'password'],
      );
    });

    test('user_good: 99 at login; the code exchanges at /v2/accounts/auth', async () => {
      const session = await v2Session(server, key);
      const id = await exchange(server, key, assert99(await login(session, 'user_good')), '/v2/accounts/auth');
      const account = await call(server.url, 'GET', `/v2/accounts/${id}`, { key });
      assert.equal(account.body.data.account.id, id);
    });

    test('user_multi: 101 lists three accounts; {accountNumber} links that one', async () => {
      const session = await v2Session(server, key);
      const accounts = assert101(await login(session, 'user_multi'));
      const id = await exchange(server, key, assert99(await commit(session, { accountNumber: accounts[2].accountNumber })));
      assert.equal(await numberOf(id), accounts[2].accountNumber);
    });

    test('user_otp: 102 carries the OTP form as data.userInput, then 99', async () => {
      const session = await v2Session(server, key);
      assert102(await login(session, 'user_otp'), 'otp');
      await exchange(server, key, assert99(await commit(session, { otp: OTP })));
    });

    test('user_question: 102 security question, then 99 (the answer is case-insensitive)', async () => {
      const session = await v2Session(server, key);
      assert102(await login(session, 'user_question'), 'answer');
      await exchange(server, key, assert99(await commit(session, { answer: ANSWER.toUpperCase() })));
    });

    test('user_otp_multi: 102, 101, then 99', async () => {
      const session = await v2Session(server, key);
      assert102(await login(session, 'user_otp_multi'), 'otp');
      const accounts = assert101(await commit(session, { otp: OTP }));
      const id = await exchange(server, key, assert99(await commit(session, { accountNumber: accounts[1].accountNumber })));
      assert.equal(await numberOf(id), accounts[1].accountNumber);
    });

    test('an accountNumber that was not offered is 400 INVALID_INPUT listing the offered ones', async () => {
      const session = await v2Session(server, key);
      const accounts = assert101(await login(session, 'user_multi'));
      const res = await commit(session, { accountNumber: '0000000000' });
      assertV2StepFailure(res, 400, 'INVALID_INPUT', /body\.accountNumber must be one of the offered accounts/);
      for (const a of accounts) assert.ok(res.body.message.includes(a.accountNumber));
      assertV2StepFailure(await commit(session, { account: 0 }), 400, 'INVALID_INPUT', /body\.accountNumber is required/);
      assertV2StepFailure(await commit(session, { accountNumber: [accounts[0].accountNumber] }), 400, 'INVALID_INPUT', /body\.accountNumber must be one of/);
      assert99(await commit(session, { accountNumber: accounts[0].accountNumber }));
    });

    test('user_locked, user_down and a wrong password are failed envelopes with responseCode 400 saying why', async () => {
      assertV2StepFailure(await login(await v2Session(server, key), 'user_locked', 'x'), 400, 'BANK_LOGIN_FAILED', /locked/);
      assertV2StepFailure(await login(await v2Session(server, key), 'user_down', 'x'), 400, 'BANK_CONNECTION_ERROR', /connection error/i);
      assertV2StepFailure(await login(await v2Session(server, key), 'user_good', 'wrong'), 400, 'BANK_LOGIN_FAILED', /Invalid credentials/);
    });

    test('a customer given by id links under that customer', async () => {
      const first = await v2Session(server, key, { name: 'Tunde Bello', email: 'Tunde@Example.com' });
      const firstId = await exchange(server, key, assert99(await login(first, 'user_good')));
      const customer = (await call(server.url, 'GET', `/v2/accounts/${firstId}`, { key })).body.data.customer.id;
      assert.match(customer, /^[0-9a-f]{24}$/);

      const again = await v2Session(server, key, { name: 'Tunde Bello', email: 'tunde@example.com' });
      assert102(await login(again, 'user_question'), 'answer');
      const second = await exchange(server, key, assert99(await commit(again, { answer: ANSWER })));
      assert.equal((await call(server.url, 'GET', `/v2/accounts/${second}`, { key })).body.data.customer.id, customer, 'email matches case-insensitively');

      const byId = await v2Session(server, key, { id: customer });
      assert102(await login(byId, 'user_otp'), 'otp');
      const third = await exchange(server, key, assert99(await commit(byId, { otp: OTP })));
      assert.equal((await call(server.url, 'GET', `/v2/accounts/${third}`, { key })).body.data.customer.id, customer);

      const unknown = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        body: { institution: SANDBOX, auth_method: 'internet_banking', scope: 'financial_data', customer: { id: '0'.repeat(24) } },
      });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.code, 'INVALID_INPUT');
    });
  });
}
