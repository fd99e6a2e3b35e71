// Seed 000 (Partners API reauth, v1): token, session with the token, commit. Each request is
// sent as the seed's curl sends it, against a real server on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, PASSWORD, SANDBOX, exchange, settle, type ReauthServer, linkedAccount, resetLogin, startReauthServer, stepOn } from '@relink/testkit';
import { CODE, SESSION_ID, assertV1StepFailure, eventsOf } from '../support/linking.ts';
import { account, reauthToken } from '../support/reauth.ts';

for (const kind of databases()) {
  describe(`[${kind}] re-authorisation, v1 token flow (seed 000)`, () => {
    let server: ReauthServer;
    let key: string;
    let appId: string;
    before(async () => {
      server = await startReauthServer(kind);
      const app = await server.createApp('v1 reauth partner');
      key = app.secretKey;
      appId = app.id;
    });
    after(() => server.stop());

    const session = (body: string) =>
      call(server.url, 'POST', '/v1/connect/session', { key, raw: body, headers: { accept: 'application/json', 'content-type': 'application/json' } });

    test('MFA: token, session answers reauth 102 with the OTP form, the seed’s {"otp":1234} is a wrong answer, 12345 commits to 99', async () => {
      const id = await linkedAccount(server, key, 'user_otp');
      await resetLogin(server, key, id, 'mfa_required');

      // 1. The seed's curl: POST, Accept and the key, no body and no content-type.
      const tokenRes = await call(server.url, 'POST', `/accounts/${id}/reauthorise`, { key, headers: { accept: 'application/json' } });
      assert.equal(tokenRes.status, 200, tokenRes.text);
      assert.deepEqual(Object.keys(tokenRes.body), ['token']);
      assert.match(tokenRes.body.token, /^[0-9A-Za-z]{20}$/);

      // 2. A session from the token: Relink logs in in the background and the bank wants an OTP.
      const logins = server.bank.calls.login;
      const created = await session(`{"reauth_token":"${tokenRes.body.token}"}`);
      assert.equal(created.status, 200, created.text);
      assert.deepEqual(Object.keys(created.body), ['status', 'message', 'id', 'app', 'institution', 'auth_method', 'expiresAt', 'ui', 'reauth']);
      assert.equal(created.body.status, 'successful');
      assert.equal(created.body.message, 'Session created successfully');
      assert.match(created.body.id, SESSION_ID);
      assert.equal(created.body.app, appId);
      assert.equal(created.body.institution, SANDBOX);
      assert.equal(created.body.auth_method, 'internet_banking');
      assert.equal(created.body.expiresAt, server.clock.now() + 600_000);
      assert.deepEqual(
        created.body.ui.form.map((f: { name: string }) => f.name),
        ['otp'],
      );
      assert.deepEqual(created.body.reauth, { response_code: 102, message: created.body.ui.title });
      assert.equal(server.bank.calls.login, logins + 1, 'one background login');

      const syncedBefore = (await account(server, key, id)).body.data.meta.last_synced_at;
      server.clock.advance(1_000);
      // 3. The seed's commit, verbatim: the OTP as a JSON number. 1234 is not the sandbox's OTP.
      const commit = (raw: string) =>
        call(server.url, 'POST', '/v1/connect/commit', {
          key,
          raw,
          headers: { accept: 'application/json', 'content-type': 'application/json', 'x-session-id': created.body.id },
        });
      assertV1StepFailure(await commit('{"otp":1234}'), 400, 'OTP_INVALID', /Invalid OTP; 2 tries left/);
      const done = await commit('{"otp":12345}');
      assert.equal(done.status, 200, done.text);
      assert.deepEqual(Object.keys(done.body), ['status', 'responseCode', 'data']);
      assert.equal(done.body.status, 200);
      assert.equal(done.body.responseCode, 99);
      assert.deepEqual(Object.keys(done.body.data), ['code']);
      assert.match(done.body.data.code, CODE);

      // The code gives the same account, healthy again; account_reauthorized, then fresh data.
      assert.equal(await exchange(server, key, done.body.data.code), id);
      assert.equal((await account(server, key, id)).body.data.meta.reauth_required, false);
      assert.equal((await eventsOf(server, id, 'mono.events.account_reauthorized')).length, 1);
      await settle(server);
      const after = (await account(server, key, id)).body.data.meta;
      assert.equal(after.data_status, 'AVAILABLE');
      assert.ok(Date.parse(after.last_synced_at) > Date.parse(syncedBefore), 'a sync ran after the reauth');
      const last = (await eventsOf(server, id, 'mono.events.account_updated')).at(-1)!.parsed.data.meta;
      assert.equal(last.sync_status, 'SUCCESSFUL');
    });

    test('background success: a healthy account’s token session answers reauth 99 with the code, no user input', async () => {
      const id = await linkedAccount(server, key, 'user_good');
      const created = await session(JSON.stringify({ reauth_token: await reauthToken(server, key, id), app: appId }));
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.reauth.response_code, 99);
      assert.match(created.body.reauth.code, CODE);
      assert.equal(await exchange(server, key, created.body.reauth.code), id);
      // The session is done: a commit on it is a conflict, not a new reauth.
      assertV1StepFailure(await stepOn(server, key, '/v1/connect/commit', created.body.id, { otp: '12345' }), 409, 'SESSION_COMPLETED');
    });

    test('password changed: reauth 400 with the login form; the old password fails, the new one links back', async () => {
      const id = await linkedAccount(server, key, 'user_good');
      const reset = await resetLogin(server, key, id, 'password_changed');
      assert.equal(reset.username, 'user_good');
      assert.match(reset.new_password ?? '', /^pass_/);
      const created = await session(JSON.stringify({ reauth_token: await reauthToken(server, key, id) }));
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.reauth.response_code, 400);
      assert.match(created.body.reauth.message, /Invalid credentials/);
      assert.deepEqual(
        created.body.ui.form.map((f: { name: string }) => f.name),
        ['username', 'password'],
      );
      assertV1StepFailure(
        await stepOn(server, key, '/v1/connect/login', created.body.id, { username: 'user_good', password: PASSWORD }),
        400,
        'BANK_LOGIN_FAILED',
      );
      const done = await stepOn(server, key, '/v1/connect/login', created.body.id, { username: 'user_good', password: reset.new_password });
      assert.equal(done.status, 200, done.text);
      assert.equal(done.body.responseCode, 99);
      assert.equal(await exchange(server, key, done.body.data.code), id);
      // The new password is what later syncs log in with.
      server.clock.advance(25 * 3_600_000);
      const logins = server.bank.calls.login;
      await settle(server);
      const meta = (await account(server, key, id)).body.data.meta;
      assert.equal(meta.reauth_required, false, JSON.stringify(meta));
      assert.equal(meta.last_sync_error, null);
      assert.ok(server.bank.calls.login > logins, 'the scheduled sync logged in again, with the new password');
    });

    test('tokens: single use, 10 minutes, bound to their app; unknown accounts get none', async () => {
      // user_good's password was changed above: the bank's state is shared by every test here.
      const id = await linkedAccount(server, key, 'user_multi');
      const other = await server.createApp('another partner');
      const token = await reauthToken(server, key, id);
      const refused = (res: Awaited<ReturnType<typeof session>>) => {
        assert.equal(res.status, 400, res.text);
        assert.deepEqual(res.body, { status: 'failed', message: res.body.message, code: 'TOKEN_INVALID' });
        assert.match(res.body.message, /reauth_token/);
      };
      // Another app's key cannot spend it, and trying does not burn it.
      refused(await call(server.url, 'POST', '/v1/connect/session', { key: other.secretKey, body: { reauth_token: token } }));
      const first = await session(JSON.stringify({ reauth_token: token }));
      assert.equal(first.status, 200, first.text);
      refused(await session(JSON.stringify({ reauth_token: token })));
      const late = await reauthToken(server, key, id);
      server.clock.advance(600_000);
      refused(await session(JSON.stringify({ reauth_token: late })));
      refused(await session(JSON.stringify({ reauth_token: 'VwxcfeLRZvq1UlD5WiuN' })));

      for (const target of ['5f171a530295e231abca1153', id]) {
        const res = await call(server.url, 'POST', `/accounts/${target}/reauthorise`, { key: other.secretKey });
        assert.equal(res.status, 404, res.text);
        assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND');
      }
      const v2 = await call(server.url, 'POST', `/v2/accounts/${id}/reauthorise`, { key });
      assert.equal(v2.status, 200, v2.text);
      assert.match(v2.body.token, /^[0-9A-Za-z]{20}$/);
      assert.deepEqual(Object.keys(v2.body.data).sort(), ['expires_at', 'token']);
      assert.equal(v2.body.data.token, v2.body.token);
    });

    test('a session needs either a reauth_token or institution and auth_method, and says so', async () => {
      const res = await session('{}');
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'INVALID_INPUT');
      assert.match(res.body.message, /body\.institution is required; body\.auth_method is required \(or send body\.reauth_token/);
      assert.match((await session('{"reauth_token":""}')).body.message, /reauth_token/);
    });
  });
}
