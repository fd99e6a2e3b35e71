import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, databases, ANSWER, BUSINESS, OBJECT_ID, OTP, PASSWORD, SANDBOX, exchange, useServer } from '@relink/testkit';
import { CODE, SESSION_ID, assertV1StepFailure, step, v1Session } from '../support/linking.ts';

for (const kind of databases()) {
  describe(`[${kind}] linking through v1`, () => {
    const server = useServer(kind);
    let app: { id: string; secretKey: string };
    let key: string;
    before(async () => {
      app = await server.createApp('v1 partner');
      key = app.secretKey;
    });

    const login = (session: string, username: string, password = PASSWORD) => step(server, key, 'v1', 'login', session, { username, password });
    const commit = (session: string, body: unknown) => step(server, key, 'v1', 'commit', session, body);

    const assert99 = (res: { status: number; body: any; text: string }) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body), ['status', 'responseCode', 'data']);
      assert.equal(res.body.status, 200);
      assert.equal(res.body.responseCode, 99);
      assert.deepEqual(Object.keys(res.body.data), ['code']);
      assert.match(res.body.data.code, CODE);
      return res.body.data.code as string;
    };

    const assert102 = (res: { status: number; body: any; text: string }, field: string) => {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 200);
      assert.equal(res.body.responseCode, 102);
      assert.deepEqual(Object.keys(res.body.data).sort(), ['form', 'title']);
      assert.equal(typeof res.body.data.title, 'string');
      assert.deepEqual(
        res.body.data.form.map((f: any) => f.name),
        [field],
      );
      assert.equal(res.body.data.form[0].type, 'elements.input');
    };

    const assert101 = (res: { status: number; body: any; text: string }) => {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 200);
      assert.equal(res.body.responseCode, 101);
      assert.deepEqual(Object.keys(res.body.data), ['accounts']);
      const accounts = res.body.data.accounts as any[];
      assert.equal(accounts.length, 3);
      accounts.forEach((a, index) => {
        assert.deepEqual(Object.keys(a).sort(), ['accountNumber', 'balance', 'currency', 'index', 'name', 'type']);
        assert.equal(a.index, index);
        assert.match(a.accountNumber, /^\d{10}$/);
        assert.equal(a.currency, 'NGN');
        assert.ok(Number.isInteger(a.balance));
      });
      assert.equal(new Set(accounts.map((a) => a.accountNumber)).size, 3);
      return accounts;
    };

    const accountNumberOf = async (id: string) => {
      const res = await call(server.url, 'GET', `/accounts/${id}`, { key });
      assert.equal(res.status, 200, res.text);
      return res.body.account.accountNumber as string;
    };

    test('a session answers the v1 session object with the institution login form', async () => {
      const before = server.clock.now();
      const res = await call(server.url, 'POST', '/v1/connect/session', { key, body: { app: app.id, institution: SANDBOX, auth_method: 'internet_banking' } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['app', 'auth_method', 'expiresAt', 'id', 'institution', 'message', 'status', 'ui']);
      assert.equal(res.body.status, 'successful');
      assert.equal(res.body.message, 'Session created successfully');
      assert.match(res.body.id, SESSION_ID);
      assert.equal(res.body.app, app.id);
      assert.equal(res.body.institution, SANDBOX);
      assert.equal(res.body.auth_method, 'internet_banking');
      assert.equal(res.body.expiresAt, before + 10 * 60_000);
      assert.deepEqual(
        res.body.ui.form.map((f: any) => f.name),
        ['username', 'password'],
      );
      assert.equal(res.body.ui.form[1].contentType, 'password');
    });

    test('body.app naming another app is refused', async () => {
      const other = await server.createApp('someone else');
      const res = await call(server.url, 'POST', '/v1/connect/session', {
        key,
        body: { app: other.id, institution: SANDBOX, auth_method: 'internet_banking' },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'INVALID_INPUT');
      assert.match(res.body.message, /body\.app/);
    });

    test('user_good: login answers 99 with a code that exchanges for a 24-hex account id', async () => {
      const session = await v1Session(server, key);
      const code = assert99(await login(session, 'user_good'));
      const id = await exchange(server, key, code);
      assert.match(id, OBJECT_ID);
    });

    test('user_good through mobile_banking and through the business bank', async () => {
      // A fresh app: the same bank account linked again for one app is the same account.
      const fresh = (await server.createApp('mobile partner')).secretKey;
      const mobile = await v1Session(server, fresh, SANDBOX, 'mobile_banking');
      const mobileLogin = await step(server, fresh, 'v1', 'login', mobile, { username: 'user_good', password: PASSWORD });
      const id = await exchange(server, fresh, assert99(mobileLogin));
      const v1 = await call(server.url, 'GET', `/accounts/${id}`, { key: fresh });
      assert.equal(v1.body.meta.auth_method, 'mobile_banking');

      const business = await v1Session(server, key, BUSINESS);
      const bizId = await exchange(server, key, assert99(await login(business, 'user_good')));
      const biz = await call(server.url, 'GET', `/accounts/${bizId}`, { key });
      assert.equal(biz.body.account.institution.type, 'BUSINESS_BANKING');
      assert.equal(biz.body.account.type, 'CURRENT_ACCOUNT');
    });

    test('user_multi: 101 lists three accounts; {account:<index>} links the chosen one', async () => {
      const session = await v1Session(server, key);
      const accounts = assert101(await login(session, 'user_multi'));
      const id = await exchange(server, key, assert99(await commit(session, { account: 1 })));
      assert.equal(await accountNumberOf(id), accounts[1].accountNumber);
    });

    test('user_otp: 102 asks the OTP, the right OTP answers 99', async () => {
      const session = await v1Session(server, key);
      assert102(await login(session, 'user_otp'), 'otp');
      await exchange(server, key, assert99(await commit(session, { otp: OTP })));
    });

    test('user_question: 102 asks the security question, the right answer gives 99', async () => {
      const session = await v1Session(server, key);
      assert102(await login(session, 'user_question'), 'answer');
      await exchange(server, key, assert99(await commit(session, { answer: ANSWER })));
    });

    test('user_otp_multi: 102, then 101, then 99 for the chosen account', async () => {
      const session = await v1Session(server, key);
      assert102(await login(session, 'user_otp_multi'), 'otp');
      const accounts = assert101(await commit(session, { otp: OTP }));
      const id = await exchange(server, key, assert99(await commit(session, { account: 2 })));
      assert.equal(await accountNumberOf(id), accounts[2].accountNumber);
    });

    test('an account index out of range is 400 naming body.account, and the session can still pick', async () => {
      const session = await v1Session(server, key);
      assert101(await login(session, 'user_multi'));
      assertV1StepFailure(await commit(session, { account: 3 }), 400, 'INVALID_INPUT', /body\.account/);
      // Not an index at all: never silently the first account.
      for (const account of [null, '', true, ' 1', [1], 1.5, -1]) {
        assertV1StepFailure(await commit(session, { account }), 400, 'INVALID_INPUT', /body\.account must be the index/);
      }
      assertV1StepFailure(
        await commit(session, { accountNumber: '0000000000' }),
        400,
        'INVALID_INPUT',
        /body\.account is required.*body\.accountNumber is not a field/,
      );
      assert99(await commit(session, { account: '0' }));
    });

    test('user_locked: 400 saying the account is locked, and the session is over', async () => {
      const session = await v1Session(server, key);
      assertV1StepFailure(await login(session, 'user_locked', 'anything'), 400, 'BANK_LOGIN_FAILED', /locked/);
      assertV1StepFailure(await login(session, 'user_good'), 400, 'SESSION_FAILED', /locked.*start a new session/);
    });

    test('user_down: 400 connection error, and the same session can be retried', async () => {
      const session = await v1Session(server, key);
      assertV1StepFailure(await login(session, 'user_down', 'anything'), 400, 'BANK_CONNECTION_ERROR', /connection error.*unreachable/i);
      assert99(await login(session, 'user_good'));
    });

    test('a wrong password: 400 invalid credentials; the user may retry, and the third failure ends the session', async () => {
      const session = await v1Session(server, key);
      assertV1StepFailure(await login(session, 'user_good', 'pass_bad'), 400, 'BANK_LOGIN_FAILED', /Invalid credentials/);
      assert99(await login(session, 'user_good'));

      const other = await v1Session(server, key);
      assertV1StepFailure(await login(other, 'user_good', 'x1'), 400, 'BANK_LOGIN_FAILED', /Invalid credentials/);
      assertV1StepFailure(await login(other, 'nobody', 'x2'), 400, 'BANK_LOGIN_FAILED', /Invalid credentials/);
      assertV1StepFailure(await login(other, 'user_good', 'x3'), 400, 'BANK_LOGIN_FAILED', /3 failed logins/);
      assertV1StepFailure(await login(other, 'user_good'), 400, 'SESSION_FAILED');
    });
  });
}
