import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, databases, OTP, PASSWORD, SANDBOX, useServer } from '@relink/testkit';
import { v2Session } from '../support/linking.ts';
import { createConnectApp, type TestApp, widget, widgetSession } from '../support/widget.ts';

for (const kind of databases()) {
  describe(`[${kind}] the widget API's keys`, () => {
    const server = useServer(kind);
    let app: TestApp;
    let other: TestApp;
    before(async () => {
      app = await createConnectApp(server, 'Partner A');
      other = await createConnectApp(server, 'Partner B');
    });

    const start = (key: string | undefined, extra: Record<string, string> = {}) =>
      widget(server, key, 'session', { institution: SANDBOX, auth_method: 'internet_banking' }, undefined, extra);

    // A secret key in a browser is a leaked secret key: the widget API refuses it outright.
    test('a secret key is refused where the public key is expected', async () => {
      for (const res of [await start(app.secretKey), await start(undefined, { 'mono-sec-key': app.secretKey })]) {
        assert.equal(res.status, 401, res.text);
        assert.equal(res.body.code, 'INVALID_API_KEY');
        assert.match(res.body.message, /public key/);
      }
    });

    // The public key is printed in every partner page: it must open nothing of the Partners API.
    test('a public key is refused where the secret key is expected', async () => {
      for (const [method, path, body] of [
        ['POST', '/v2/connect/session', { institution: SANDBOX, auth_method: 'internet_banking' }],
        ['POST', '/account/auth', { code: 'code_000000000000000000000000' }],
        ['GET', '/v2/webhooks/events', undefined],
      ] as const) {
        const res = await call(server.url, method, path, { key: app.publicKey, body });
        assert.equal(res.status, 401, `${path}: ${res.text}`);
        assert.equal(res.body.code, 'INVALID_API_KEY');
      }
    });

    test('a missing, unknown or deleted app public key is refused', async () => {
      const gone = await createConnectApp(server, 'Deleted');
      await server.services.apps.delete(gone.id);
      for (const key of [undefined, 'test_pk_' + 'x'.repeat(32), gone.publicKey]) {
        const res = await start(key);
        assert.equal(res.status, 401, res.text);
        assert.equal(res.body.code, 'INVALID_API_KEY');
      }
    });

    // A session id seen in one partner's page must not let another partner's key drive it.
    test("another app's public key cannot touch a session, and cannot exchange its code", async () => {
      const session = await widgetSession(server, app.publicKey);
      const login = await widget(server, other.publicKey, 'login', { username: 'user_good', password: PASSWORD }, session);
      assert.equal(login.status, 404, login.text);
      assert.equal(login.body.code, 'SESSION_NOT_FOUND');

      const otp = await widgetSession(server, app.publicKey);
      assert.equal((await widget(server, app.publicKey, 'login', { username: 'user_otp', password: PASSWORD }, otp)).body.responseCode, 102);
      const commit = await widget(server, other.publicKey, 'commit', { otp: OTP }, otp);
      assert.equal(commit.status, 404, commit.text);
      const done = await widget(server, app.publicKey, 'commit', { otp: OTP }, otp);
      assert.equal(done.body.responseCode, 99, done.text);
      const stolen = await call(server.url, 'POST', '/account/auth', { key: other.secretKey, body: { code: done.body.data.code } });
      assert.equal(stolen.status, 400, stolen.text);
      assert.equal(stolen.body.code, 'CODE_INVALID');
    });

    test('a session the partner started with its secret key is not a widget session', async () => {
      const session = await v2Session(server, app.secretKey);
      const res = await widget(server, app.publicKey, 'login', { username: 'user_good', password: PASSWORD }, session);
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body.code, 'SESSION_NOT_FOUND');
    });

    // NIST SP 800-63B §5.2.2: a widget session caps guesses exactly like the Partners API.
    test('the third wrong OTP fails the session; no fourth guess reaches the bank', async () => {
      const session = await widgetSession(server, app.publicKey);
      assert.equal((await widget(server, app.publicKey, 'login', { username: 'user_otp', password: PASSWORD }, session)).body.responseCode, 102);
      for (const [i, code] of (['OTP_INVALID', 'OTP_INVALID', 'OTP_ATTEMPTS_EXCEEDED'] as const).entries()) {
        const res = await widget(server, app.publicKey, 'commit', { otp: '00000' }, session);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.code, code);
        assert.equal(res.body.sessionOpen, i < 2);
        if (i === 0) assert.match(res.body.message, /2 tries left/);
      }
      const fourth = await widget(server, app.publicKey, 'commit', { otp: OTP }, session);
      assert.equal(fourth.status, 400, fourth.text);
      assert.equal(fourth.body.code, 'OTP_ATTEMPTS_EXCEEDED');
    });

    test('the third wrong password fails the session', async () => {
      const session = await widgetSession(server, app.publicKey);
      for (let i = 0; i < 3; i++) {
        const res = await widget(server, app.publicKey, 'login', { username: 'user_good', password: 'wrong' }, session);
        assert.equal(res.body.code, 'BANK_LOGIN_FAILED', res.text);
        assert.equal(res.body.sessionOpen, i < 2);
      }
      const right = await widget(server, app.publicKey, 'login', { username: 'user_good', password: PASSWORD }, session);
      assert.equal(right.status, 400, right.text);
      assert.equal(right.body.code, 'SESSION_FAILED');
    });
  });
}
