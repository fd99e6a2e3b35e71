// The sandbox bank's way back: a password a reset-login changed is shown where the sandbox users
// are (the widget page's hint, the demo page), and POST /v2/sandbox/reset puts every sandbox
// bank user of the database back as the bank began.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, SANDBOX, linkedAccount, reauthSession, resetLogin, startReauthServer, type ReauthServer } from '@relink/testkit';
import { createConnectApp, type TestApp } from '../support/widget.ts';

/** The configuration the widget page embeds. */
function configOf(html: string) {
  const match = /<script type="application\/json" id="relink-connect-config">(.*?)<\/script>/s.exec(html);
  assert.ok(match, 'the page embeds its configuration');
  return JSON.parse(match[1]!);
}

for (const kind of databases()) {
  describe(`[${kind}] sandbox reset`, () => {
    let server: ReauthServer;
    let app: TestApp;
    let liveKey: string;
    before(async () => {
      server = await startReauthServer(kind);
      app = await createConnectApp(server, 'Sandbox');
      liveKey = (await server.createApp('Live', { live: true })).secretKey;
    });
    after(() => server.stop());

    const widgetPasswords = async () => configOf((await call(server.url, 'GET', `/connect?key=${app.publicKey}`)).text).sandboxPasswords;
    const demoPage = async () => (await call(server.url, 'GET', '/connect/demo')).text;
    const reset = (key: string) => call(server.url, 'POST', '/v2/sandbox/reset', { key });

    test('a changed password is shown where the sandbox users are; reset puts pass_good back, and a reauth with it goes through', async () => {
      assert.deepEqual(await widgetPasswords(), []);
      assert.doesNotMatch(await demoPage(), /id="changed"/);
      const id = await linkedAccount(server, app.secretKey, 'user_good');
      assert.equal((await resetLogin(server, app.secretKey, id, 'password_changed')).new_password, 'pass_changed1');
      // Each reset changes it again, so the password a reauth saved stops working each time.
      assert.equal((await resetLogin(server, app.secretKey, id, 'password_changed')).new_password, 'pass_changed2');
      assert.deepEqual(await widgetPasswords(), [{ institution: SANDBOX, username: 'user_good', password: 'pass_changed2' }]);
      const demo = await demoPage();
      assert.match(
        demo,
        /<td><code>user_good<\/code><\/td><td><s><code>pass_good<\/code><\/s><br>now <code>pass_changed2<\/code> at Relink Sandbox Bank<\/td>/,
      );
      assert.match(demo, /id="changed">.*npx relink sandbox reset/);
      // The stored login (pass_good) no longer works at the bank: the reauth asks for the password.
      const asked = await reauthSession(server, app.secretKey, id);
      assert.equal(asked.body.data.responseCode, 102, asked.text);

      assertFailure(await reset(liveKey), 403, 'FORBIDDEN');
      const done = await reset(app.secretKey);
      assert.equal(done.status, 200, done.text);
      assert.deepEqual(done.body.data, { users: 1 });
      assert.equal(done.body.message, 'The sandbox bank is back as it began');
      assert.deepEqual(await widgetPasswords(), []);
      assert.doesNotMatch(await demoPage(), /id="changed"|pass_changed/);
      assert.deepEqual((await reset(app.secretKey)).body.data, { users: 0 }, 'nothing left to undo');

      // pass_good works again at the bank: a new reauth's background login with the stored login goes through.
      const cancelled = await call(server.url, 'POST', '/v2/connect/cancel', { key: app.secretKey, headers: { 'x-session-id': asked.body.data.session.id } });
      assert.equal(cancelled.status, 200, cancelled.text);
      const again = await reauthSession(server, app.secretKey, id);
      assert.equal(again.body.data.responseCode, 99, again.text);
    });

    test('reset also ends a forced OTP: an mfa_required user logs in without one again', async () => {
      const id = await linkedAccount(server, app.secretKey, 'user_multi');
      await resetLogin(server, app.secretKey, id, 'mfa_required');
      assert.deepEqual(await widgetPasswords(), [], 'a forced OTP changes no password');
      assert.deepEqual((await reset(app.secretKey)).body.data, { users: 1 });
      assert.equal((await reauthSession(server, app.secretKey, id)).body.data.responseCode, 99);
    });
  });
}

function assertFailure(res: { status: number; body: { code?: string } }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.code, code);
}
