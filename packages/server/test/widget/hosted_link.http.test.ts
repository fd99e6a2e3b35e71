import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, type TestServer, OTP, PASSWORD, SANDBOX, exchange, link, settle } from '@relink/testkit';
import { ISO, eventsOf } from '../support/linking.ts';
import { createConnectApp, type TestApp, widget } from '../support/widget.ts';

for (const kind of databases()) {
  describe(`[${kind}] hosted links: POST /v2/accounts/initiate`, () => {
    let server: TestServer;
    let app: TestApp;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      app = await createConnectApp(server, 'Hosted partner');
    });
    after(() => server.stop());

    const initiate = (body: unknown, key = app.secretKey) => call(server.url, 'POST', '/v2/accounts/initiate', { key, body });
    const linkId = (monoUrl: string) => new URL(monoUrl).pathname.split('/').pop()!;

    test("answers Mono's documented data; mono_url is a Relink page", async () => {
      const res = await initiate({
        scope: 'auth',
        customer: { name: 'Ada Obi', email: 'ada@example.com' },
        meta: { ref: 'loan-991' },
        redirect_url: 'https://partner.example/back?x=1',
        institution: { id: SANDBOX, auth_method: 'internet_banking' },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'successful');
      const data = res.body.data;
      assert.deepEqual(
        Object.keys(data).sort(),
        ['account', 'auth_method', 'created_at', 'customer', 'institution', 'meta', 'mono_url', 'redirect_url', 'scope'].sort(),
      );
      assert.ok(data.mono_url.startsWith(`${server.url}/connect/link/link_`), data.mono_url);
      assert.match(data.customer, /^[0-9a-f]{24}$/);
      assert.equal(data.account, null);
      assert.deepEqual(data.meta, { ref: 'loan-991' });
      assert.equal(data.scope, 'auth');
      assert.equal(data.institution, SANDBOX);
      assert.equal(data.auth_method, 'internet_banking');
      assert.equal(data.redirect_url, 'https://partner.example/back?x=1');
      assert.match(data.created_at, ISO);
      const page = await call(server.url, 'GET', new URL(data.mono_url).pathname);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-security-policy')!, /frame-ancestors 'self'/);
      assert.match(page.text, /"mode":"hosted"/);
    });

    test('bad input is a 400 naming the field; an unknown account is 404; the public key is refused', async () => {
      for (const [body, pattern] of [
        [{ scope: 'auth' }, /customer/],
        [{ scope: 'auth', customer: { name: 'A', email: 'a@example.com' }, redirect_url: 'javascript:alert(1)' }, /redirect_url/],
        [{ scope: 'nope', customer: { id: 'x' } }, /scope/],
        [{ scope: 'reauth' }, /account/],
      ] as const) {
        const res = await initiate(body);
        assert.equal(res.status, 400, res.text);
        assert.match(res.body.message, pattern);
      }
      const unknown = await initiate({ scope: 'reauth', account: 'a'.repeat(24) });
      assert.equal(unknown.status, 404, unknown.text);
      assert.equal(unknown.body.code, 'ACCOUNT_NOT_FOUND');
      assert.equal((await initiate({ scope: 'auth', customer: { name: 'A', email: 'a@example.com' } }, app.publicKey)).status, 401);
    });

    test('a reauth link: background login, the OTP, then the redirect with a code for the same account', async () => {
      const id = await link(server, app.secretKey, 'user_otp', { customer: { name: 'Reauth Link', email: 'reauth-link@example.com' } });
      await settle(server);
      const reset = await call(server.url, 'POST', `/v2/sandbox/accounts/${id}/reset-login`, { key: app.secretKey, body: { reason: 'mfa_required' } });
      assert.equal(reset.status, 200, reset.text);
      const res = await initiate({ scope: 'reauth', account: id, meta: { ref: 'reauth-9' }, redirect_url: 'https://partner.example/back' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.data.scope, 'reauth');
      const page = await call(server.url, 'GET', new URL(res.body.data.mono_url).pathname);
      assert.equal(page.status, 200, page.text);
      assert.match(page.text, /"scope":"reauth"/);
      assert.ok(!page.text.includes(id), 'the hosted page carries no account id: the link names its account on the server');
      const started = await widget(server, app.publicKey, 'reauth', { link: linkId(res.body.data.mono_url) });
      assert.equal(started.body.responseCode, 102, started.text);
      assert.equal(started.body.data.next, 'commit');
      const done = await widget(server, app.publicKey, 'commit', { otp: OTP }, started.body.data.session.id);
      assert.equal(done.body.responseCode, 99, done.text);
      const redirect = new URL(done.body.data.redirect_url);
      assert.equal(redirect.searchParams.get('reference'), 'reauth-9');
      assert.equal(await exchange(server, app.secretKey, redirect.searchParams.get('code')!), id);
      const account = await call(server.url, 'GET', `/v2/accounts/${id}`, { key: app.secretKey });
      assert.equal(account.body.data.meta.reauth_required, false);
    });

    test('a link works once: it completes a link, meta.ref reaches the webhook event, then its page says used', async () => {
      const res = await initiate({
        scope: 'auth',
        customer: { name: 'Ada Obi', email: 'ada@example.com' },
        meta: { ref: 'loan-7' },
        redirect_url: 'https://partner.example/back',
      });
      const id = linkId(res.body.data.mono_url);
      const started = await widget(server, app.publicKey, 'session', { institution: SANDBOX, auth_method: 'internet_banking', link: id });
      assert.equal(started.status, 200, started.text);
      const session = started.body.data.session.id;
      assert.equal((await widget(server, app.publicKey, 'login', { username: 'user_otp', password: PASSWORD }, session)).body.responseCode, 102);
      const done = await widget(server, app.publicKey, 'commit', { otp: OTP }, session);
      assert.equal(done.body.responseCode, 99, done.text);
      const redirect = new URL(done.body.data.redirect_url);
      assert.equal(redirect.origin + redirect.pathname, 'https://partner.example/back');
      assert.equal(redirect.searchParams.get('code'), done.body.data.code);
      assert.equal(redirect.searchParams.get('reference'), 'loan-7');
      assert.equal(redirect.searchParams.get('status'), 'linked');
      const account = await exchange(server, app.secretKey, done.body.data.code);
      const [connected] = await eventsOf(server, account, 'mono.events.account_connected');
      assert.equal(connected!.parsed.data.meta.ref, 'loan-7');
      assert.equal(connected!.parsed.data.customer, res.body.data.customer);

      assert.equal((await call(server.url, 'GET', `/connect/link/${id}`)).status, 410);
      const again = await widget(server, app.publicKey, 'session', { institution: SANDBOX, auth_method: 'internet_banking', link: id });
      assert.equal(again.status, 410, again.text);
      assert.equal(again.body.code, 'LINK_USED');
      assert.match(again.body.message, /already used/);
    });

    test("a link expires after 24 hours; an unknown link is a 404; another app's public key cannot use a link", async () => {
      const res = await initiate({ scope: 'auth', customer: { name: 'Ada Obi', email: 'ada@example.com' } });
      const id = linkId(res.body.data.mono_url);
      const other = await createConnectApp(server, 'Link thief');
      const stolen = await widget(server, other.publicKey, 'session', { institution: SANDBOX, auth_method: 'internet_banking', link: id });
      assert.equal(stolen.status, 400, stolen.text);
      assert.equal((await call(server.url, 'GET', '/connect/link/link_doesnotexist')).status, 404);
      server.clock.advance(24 * 60 * 60_000);
      assert.equal((await call(server.url, 'GET', `/connect/link/${id}`)).status, 410);
    });

    test("the widget's reference becomes meta.ref on account_connected", async () => {
      const started = await widget(server, app.publicKey, 'session', { institution: SANDBOX, auth_method: 'internet_banking', reference: 'widget-ref-3' });
      const done = await widget(server, app.publicKey, 'login', { username: 'user_good', password: PASSWORD }, started.body.data.session.id);
      const account = await exchange(server, app.secretKey, done.body.data.code);
      const [connected] = await eventsOf(server, account, 'mono.events.account_connected');
      assert.equal(connected!.parsed.data.meta.ref, 'widget-ref-3');
    });
  });
}
