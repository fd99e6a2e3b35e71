// Seed 003 (Partners API reauth, v2): reauth session, reauth login, commit — every branch, over
// HTTP on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  call,
  databases,
  type HttpResult,
  OTP,
  PASSWORD,
  exchange,
  settle,
  type ReauthServer,
  linkedAccount,
  reauthSession,
  resetLogin,
  startReauthServer,
  stepOn,
} from '@relink/testkit';
import { CODE, ISO, SESSION_ID, assertV2StepFailure, eventsOf } from '../support/linking.ts';
import { account } from '../support/reauth.ts';

for (const kind of databases()) {
  describe(`[${kind}] re-authorisation, v2 session flow (seed 003)`, () => {
    let server: ReauthServer;
    let key: string;
    before(async () => {
      server = await startReauthServer(kind);
      key = (await server.createApp('v2 reauth partner')).secretKey;
    });
    after(() => server.stop());

    const envelope = (res: HttpResult) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['data', 'message', 'status', 'timestamp']);
      assert.equal(res.body.status, 'successful');
      assert.match(res.body.timestamp, ISO);
      return res.body.data;
    };
    const expect102 = (res: HttpResult, fields: string[], next: string) => {
      const data = envelope(res);
      assert.deepEqual(Object.keys(data), ['responseCode', 'session', 'userInput', 'next']);
      assert.equal(data.responseCode, 102);
      assert.match(data.session.id, SESSION_ID);
      assert.equal(data.session.expiresAt, server.clock.now() + 600_000);
      assert.deepEqual(
        data.userInput.form.map((f: { name: string }) => f.name),
        fields,
      );
      assert.equal(data.next, next);
      return data.session.id as string;
    };

    test('background success: {responseCode:99, code} inside data, exactly the seed’s shape; the code is the same account', async () => {
      const id = await linkedAccount(server, key, 'user_good');
      const res = await reauthSession(server, key, id);
      const data = envelope(res);
      assert.equal(res.body.message, 'Request completed successfully');
      assert.deepEqual(Object.keys(data), ['responseCode', 'code']);
      assert.equal(data.responseCode, 99);
      assert.match(data.code, CODE);
      assert.equal(await exchange(server, key, data.code, '/v2/accounts/auth'), id);
      assert.equal((await eventsOf(server, id, 'mono.events.account_reauthorized')).length, 1);
    });

    test('MFA: 102 with the OTP form and next /v2/connect/commit; the commit answers 99 at the top level', async () => {
      const id = await linkedAccount(server, key, 'user_otp');
      await resetLogin(server, key, id);
      const session = expect102(await reauthSession(server, key, id), ['otp'], '/v2/connect/commit');
      const done = await stepOn(server, key, '/v2/connect/commit', session, { otp: OTP });
      assert.equal(done.status, 200, done.text);
      assert.equal(done.body.responseCode, 99);
      assert.equal(await exchange(server, key, done.body.data.code), id);
      const meta = (await account(server, key, id)).body.data.meta;
      assert.equal(meta.reauth_required, false);
      assert.equal(meta.last_sync_error, null);
    });

    test('password changed: 102 with the login form and next /v2/connect/reauth/login; the new password gives 99', async () => {
      const id = await linkedAccount(server, key, 'user_multi');
      const { new_password } = await resetLogin(server, key, id, 'password_changed');
      const before = (await account(server, key, id)).body.data.meta;
      assert.equal(before.reauth_required, true);
      assert.match(before.last_sync_error, /rejected the stored credentials/);
      const session = expect102(await reauthSession(server, key, id), ['username', 'password'], '/v2/connect/reauth/login');
      const old = await stepOn(server, key, '/v2/connect/reauth/login', session, { username: 'user_multi', password: PASSWORD });
      assertV2StepFailure(old, 400, 'BANK_LOGIN_FAILED', /^The bank did not accept these login details$/);
      // user_multi has three accounts: the reauth picks the linked one itself, no 101.
      const done = await stepOn(server, key, '/v2/connect/reauth/login', session, { username: 'user_multi', password: new_password });
      assert.equal(done.status, 200, done.text);
      assert.deepEqual(Object.keys(done.body).sort(), ['data', 'message', 'responseCode', 'status', 'timestamp']);
      assert.equal(done.body.responseCode, 99);
      assert.equal(await exchange(server, key, done.body.data.code), id);
    });

    test('password changed on an MFA user: reauth login answers 102, the commit 99', async () => {
      const id = await linkedAccount(server, key, 'user_otp_multi');
      const { new_password } = await resetLogin(server, key, id, 'password_changed');
      const session = expect102(await reauthSession(server, key, id), ['username', 'password'], '/v2/connect/reauth/login');
      const otp = await stepOn(server, key, '/v2/connect/reauth/login', session, { username: 'user_otp_multi', password: new_password });
      assert.equal(otp.body.responseCode, 102, otp.text);
      assert.deepEqual(
        otp.body.data.userInput.form.map((f: { name: string }) => f.name),
        ['otp'],
      );
      const done = await stepOn(server, key, '/v2/connect/commit', session, { otp: OTP });
      assert.equal(done.body.responseCode, 99, done.text);
      assert.equal(await exchange(server, key, done.body.data.code), id);
    });

    test('three wrong OTPs fail the session; the account still needs reauth and a new session may start', async () => {
      const id = await linkedAccount(server, key, 'user_question');
      await resetLogin(server, key, id);
      const session = expect102(await reauthSession(server, key, id), ['answer'], '/v2/connect/commit');
      assertV2StepFailure(await stepOn(server, key, '/v2/connect/commit', session, { answer: 'red' }), 400, 'OTP_INVALID', /2 tries left/);
      assertV2StepFailure(await stepOn(server, key, '/v2/connect/commit', session, { answer: 'green' }), 400, 'OTP_INVALID', /1 try left/);
      const answers = server.bank.calls.answer;
      assertV2StepFailure(await stepOn(server, key, '/v2/connect/commit', session, { answer: 'pink' }), 400, 'OTP_ATTEMPTS_EXCEEDED');
      assertV2StepFailure(await stepOn(server, key, '/v2/connect/commit', session, { answer: 'blue' }), 400, 'OTP_ATTEMPTS_EXCEEDED');
      assert.equal(server.bank.calls.answer, answers + 1, 'the bank is not asked again after the third');
      assert.equal((await account(server, key, id)).body.data.meta.reauth_required, true);
      const again = expect102(await reauthSession(server, key, id), ['answer'], '/v2/connect/commit');
      const done = await stepOn(server, key, '/v2/connect/commit', again, { answer: 'Blue' });
      assert.equal(done.body.responseCode, 99, done.text);
    });

    // A different username must neither reach the bank nor tell an attacker that the linked
    // username differs: it answers exactly as a wrong password does, and costs as much.
    test('a login as a different bank user is refused before the bank, answered like a wrong password, and the account keeps its credentials', async () => {
      const id = await linkedAccount(server, key, 'user_otp');
      const { new_password } = await resetLogin(server, key, id, 'password_changed');
      const session = expect102(await reauthSession(server, key, id), ['username', 'password'], '/v2/connect/reauth/login');
      const logins = server.bank.calls.login;
      const other = await stepOn(server, key, '/v2/connect/reauth/login', session, { username: 'user_good', password: PASSWORD });
      assertV2StepFailure(other, 400, 'BANK_LOGIN_FAILED', /^The bank did not accept these login details$/);
      assert.equal(server.bank.calls.login, logins, 'the bank never saw it');
      // The right user still can, in the same session.
      const otp = await stepOn(server, key, '/v2/connect/reauth/login', session, { username: 'user_otp', password: new_password });
      assert.equal(otp.body.responseCode, 102, otp.text);
      const done = await stepOn(server, key, '/v2/connect/commit', session, { otp: OTP });
      assert.equal(await exchange(server, key, done.body.data.code), id);
    });

    test('reauth/login refuses a link session, and link steps keep working on reauth sessions’ ids only for their app', async () => {
      const created = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        body: {
          institution: '5f2d08be60b92e2888287000',
          auth_method: 'internet_banking',
          scope: 'financial_data',
          customer: { name: 'Ada Obi', email: 'ada@example.com' },
        },
      });
      const res = await stepOn(server, key, '/v2/connect/reauth/login', created.body.data.session.id, { username: 'user_good', password: PASSWORD });
      assertV2StepFailure(res, 400, 'INVALID_INPUT', /links a new account; log in with POST \/v2\/connect\/login/);
      assertV2StepFailure(
        await stepOn(server, key, '/v2/connect/reauth/login', 'session_doesnotexist0000000000', { username: 'a', password: 'b' }),
        404,
        'SESSION_NOT_FOUND',
      );
    });

    test('bad input: a missing account is named; an unlinked or another app’s account is 404', async () => {
      const missing = await call(server.url, 'POST', '/v2/connect/reauth/session', { key, body: {} });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.code, 'INVALID_INPUT');
      assert.match(missing.body.message, /account/);
      const id = await linkedAccount(server, key, 'user_good');
      const other = await server.createApp('another partner');
      for (const [k, target] of [
        [other.secretKey, id],
        [key, '5f171a530295e231abca1153'],
      ] as const) {
        const res = await call(server.url, 'POST', '/v2/connect/reauth/session', { key: k, body: { account: target } });
        assert.equal(res.status, 404, res.text);
        assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND');
      }
      const unlinked = await call(server.url, 'POST', `/v2/accounts/${id}/unlink`, { key });
      assert.equal(unlinked.status, 200, unlinked.text);
      const res = await reauthSession(server, key, id);
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND');
      await settle(server);
    });
  });
}
