import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databases } from '@relink/testkit';
import { linkThroughApi, relinkCall, startStack, type Stack } from './support.ts';

/** "Reconnect without the widget" through the app's pages, as HTML forms post them. */
for (const kind of databases()) {
  describe(`[${kind}] Kudi Lend: reconnect without the widget`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack(kind);
    });
    after(async () => stack?.stop());

    test('a bank login that still works reconnects at once (responseCode 99): no form, straight back healthy', async () => {
      const { visitor } = await linkThroughApi(stack, 'ada', 'user_good');
      const started = await visitor.send('POST', '/reconnect/start');
      assert.equal(started.status, 303);
      assert.equal(started.location, '/');
      const home = await visitor.send('GET', '/');
      assert.match(home.text, /Your bank account is reconnected/);
      assert.doesNotMatch(home.text, /id="reauth-banner"/);
    });

    test('three wrong OTPs end the attempt with a clear page; a new attempt with the right OTP heals the account', async () => {
      const { visitor, accountId } = await linkThroughApi(stack, 'tunde', 'user_otp');
      assert.equal((await relinkCall(stack, 'POST', `/v2/sandbox/accounts/${accountId}/reset-login`, { reason: 'mfa_required' })).status, 200);
      assert.match((await visitor.send('GET', '/')).text, /id="reauth-banner"/);

      const started = await visitor.send('POST', '/reconnect/start');
      assert.equal(started.location, '/reconnect');
      const form = await visitor.send('GET', '/reconnect');
      assert.match(form.text, /<label for="field-otp">Enter the 5-digit OTP<\/label>/);
      assert.match(form.text, /<input id="field-otp" name="otp" type="password" autocomplete="one-time-code" required inputmode="numeric"/);
      assert.equal((await visitor.send('POST', '/reconnect/start')).location, '/reconnect', 'going back and starting again resumes the same attempt');
      for (const left of [2, 1]) {
        const wrong = await visitor.send('POST', '/reconnect', { form: { otp: '00000' } });
        assert.match(wrong.text, new RegExp(`did not accept that answer \\(Invalid OTP; ${left} tr(y|ies) left\\)`));
        assert.match(wrong.text, /id="reconnect-form"/);
      }
      const third = await visitor.send('POST', '/reconnect', { form: { otp: '00000' } });
      assert.match(third.text, /We could not reconnect your account/);
      assert.doesNotMatch(third.text, /id="reconnect-form"/);
      assert.equal(stack.partner.db.users.get('tunde')!.reauthRequired, true);
      assert.equal((await visitor.send('GET', '/reconnect')).location, '/', 'the ended attempt is forgotten');

      assert.equal((await visitor.send('POST', '/reconnect/start')).location, '/reconnect');
      const done = await visitor.send('POST', '/reconnect', { form: { otp: '12345', extra: 'not sent to Relink' } });
      assert.equal(done.location, '/');
      assert.equal(stack.partner.db.users.get('tunde')!.reauthRequired, false);
      assert.equal((await relinkCall(stack, 'GET', `/v2/accounts/${accountId}`)).body.data.meta.reauth_required, false);
    });

    test('while another reconnect of the account is live (the widget, another window), the app says so', async () => {
      const { visitor, accountId } = await linkThroughApi(stack, 'ada', 'user_otp');
      await relinkCall(stack, 'POST', `/v2/sandbox/accounts/${accountId}/reset-login`, { reason: 'mfa_required' });
      const elsewhere = await relinkCall(stack, 'POST', '/v2/connect/reauth/session', { account: accountId });
      assert.equal(elsewhere.body.data.responseCode, 102);
      const started = await visitor.send('POST', '/reconnect/start');
      assert.equal(started.status, 200);
      assert.match(started.text, /already under way/);
    });

    test('signed-out visitors are sent to sign in; the panel, the codes and the reauth token need a session', async () => {
      const anonymous = await fetch(`${stack.partner.url}/panel`, { headers: { accept: 'application/json' } });
      assert.equal(anonymous.status, 401);
      const start = await fetch(`${stack.partner.url}/reconnect/start`, { method: 'POST', redirect: 'manual' });
      assert.equal(start.status, 401);
      const code = await fetch(`${stack.partner.url}/link/code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"code":"code_x"}',
      });
      assert.equal(code.status, 401);
      const token = await fetch(`${stack.partner.url}/reconnect/token`, { method: 'POST' });
      assert.equal(token.status, 401);
    });
  });
}
