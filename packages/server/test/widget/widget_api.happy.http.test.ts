import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, databases, ANSWER, OTP, PASSWORD, SANDBOX, exchange, useServer } from '@relink/testkit';
import { SANDBOX_CREDENTIALS } from '../../src/connectors/sandbox/index.ts';
import { CODE, SESSION_ID } from '../support/linking.ts';
import { createConnectApp, type TestApp, widget, widgetSession } from '../support/widget.ts';

for (const kind of databases()) {
  describe(`[${kind}] the widget API, with the app public key`, () => {
    const server = useServer(kind);
    let app: TestApp;
    before(async () => {
      app = await createConnectApp(server);
    });

    const accountNumber = async (id: string) => (await call(server.url, 'GET', `/v2/accounts/${id}`, { key: app.secretKey })).body.data.account.account_number;

    test('a session answers the login form; user_otp links with its OTP and the secret key exchanges the code', async () => {
      const res = await widget(server, app.publicKey, 'session', {
        institution: SANDBOX,
        auth_method: 'internet_banking',
        customer: { name: 'Ada Obi', email: 'ada@example.com' },
        reference: 'order-1',
      });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.data.session.id, SESSION_ID);
      assert.deepEqual(res.body.data.session.institution, { id: SANDBOX, name: 'Relink Sandbox Bank' });
      assert.deepEqual(
        res.body.data.ui.form.map((f: any) => f.name),
        ['username', 'password'],
      );
      const session = res.body.data.session.id;

      const login = await widget(server, app.publicKey, 'login', { username: 'user_otp', password: PASSWORD }, session);
      assert.equal(login.status, 200, login.text);
      assert.equal(login.body.responseCode, 102);
      assert.deepEqual(
        login.body.data.userInput.form.map((f: any) => f.name),
        ['otp'],
      );

      const commit = await widget(server, app.publicKey, 'commit', { otp: OTP }, session);
      assert.equal(commit.status, 200, commit.text);
      assert.equal(commit.body.responseCode, 99);
      assert.match(commit.body.data.code, CODE);
      const id = await exchange(server, app.secretKey, commit.body.data.code);
      assert.match(await accountNumber(id), /^\d{10}$/);
    });

    test('user_multi: 101 with three accounts; the chosen one is the one linked', async () => {
      const session = await widgetSession(server, app.publicKey);
      const login = await widget(server, app.publicKey, 'login', { username: 'user_multi', password: PASSWORD }, session);
      assert.equal(login.body.responseCode, 101, login.text);
      const chosen = login.body.data.accounts[2].accountNumber;
      const commit = await widget(server, app.publicKey, 'commit', { accountNumber: chosen }, session);
      assert.equal(commit.body.responseCode, 99, commit.text);
      assert.equal(await accountNumber(await exchange(server, app.secretKey, commit.body.data.code)), chosen);
    });

    test('every sandbox user behaves through the widget as through the Partners API', async () => {
      const expected: Record<string, string> = {
        user_good: '99',
        user_multi: '101 99',
        user_otp: '102 99',
        user_question: '102 99',
        user_otp_multi: '102 101 99',
        user_locked: 'BANK_LOGIN_FAILED',
        user_down: 'BANK_CONNECTION_ERROR',
        user_slow: '99',
        user_salary: '99',
        user_gig: '99',
        user_noincome: '99',
        user_expiring: '99',
        user_unknown: 'BANK_LOGIN_FAILED',
      };
      assert.deepEqual(SANDBOX_CREDENTIALS.map((c) => c.values.username).sort(), Object.keys(expected).sort());
      for (const { values } of SANDBOX_CREDENTIALS) {
        const session = await widgetSession(server, app.publicKey);
        let res = await widget(server, app.publicKey, 'login', values, session);
        const seen: string[] = [];
        for (let i = 0; i < 4 && res.status === 200; i++) {
          seen.push(String(res.body.responseCode));
          if (res.body.responseCode === 99) break;
          const body =
            res.body.responseCode === 101
              ? { accountNumber: res.body.data.accounts[0].accountNumber }
              : res.body.data.userInput.form[0].name === 'otp'
                ? { otp: OTP }
                : { [res.body.data.userInput.form[0].name]: ANSWER };
          res = await widget(server, app.publicKey, 'commit', body, session);
        }
        if (res.status !== 200) seen.push(res.body.code);
        assert.equal(seen.join(' '), expected[values.username], `${values.username}: ${res.text}`);
      }
    });

    test('a wrong password says the session is still open; a locked account says it is not', async () => {
      const session = await widgetSession(server, app.publicKey);
      const wrong = await widget(server, app.publicKey, 'login', { username: 'user_good', password: 'nope' }, session);
      assert.equal(wrong.status, 400, wrong.text);
      assert.equal(wrong.body.code, 'BANK_LOGIN_FAILED');
      assert.equal(wrong.body.responseCode, 400);
      assert.equal(wrong.body.sessionOpen, true);
      const locked = await widget(server, app.publicKey, 'login', { username: 'user_locked', password: PASSWORD }, session);
      assert.equal(locked.body.code, 'BANK_LOGIN_FAILED', locked.text);
      assert.equal(locked.body.sessionOpen, false);
    });
  });
}
