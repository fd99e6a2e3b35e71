import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, databases, useServer } from '@relink/testkit';
import { createConnectApp, type TestApp } from '../support/widget.ts';

const PARTNER = 'https://shop.example';

function configOf(html: string) {
  const match = /<script type="application\/json" id="relink-connect-config">(.*?)<\/script>/s.exec(html);
  assert.ok(match, 'the page embeds its configuration');
  return JSON.parse(match[1]!);
}

for (const kind of databases()) {
  describe(`[${kind}] GET /connect, the widget page`, () => {
    const server = useServer(kind);
    let app: TestApp;
    before(async () => {
      app = await createConnectApp(server, 'Acme </script><b>Loans</b>');
    });

    const page = (query: Record<string, string>) => call(server.url, 'GET', `/connect?${new URLSearchParams(query)}`);

    test("reads connect.js's query string; the referrer's origin is the only postMessage target", async () => {
      const res = await page({
        key: app.publicKey,
        referrer: `${PARTNER}/checkout?step=2`,
        version: '2023-12-14',
        scope: 'auth',
        data: JSON.stringify({ customer: { name: 'Ada Obi', email: 'ada@example.com' } }),
        reference: 'order-7',
        selectedInstitution: JSON.stringify({ id: '5f2d08be60b92e2888287000', auth_method: 'mobile_banking' }),
      });
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
      const config = configOf(res.text);
      assert.equal(config.key, app.publicKey);
      assert.equal(config.parentOrigin, PARTNER);
      assert.equal(config.reference, 'order-7');
      assert.deepEqual(config.customer, { name: 'Ada Obi', email: 'ada@example.com' });
      assert.deepEqual(config.selectedInstitution, { id: '5f2d08be60b92e2888287000', authMethod: 'mobile_banking' });
      assert.equal(config.problem, null);
      assert.ok(config.institutions.length >= 2);
      assert.ok(!res.text.includes('</script><b>'), 'the app name cannot close the script element');
      const csp = res.headers.get('content-security-policy')!;
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /connect-src 'self'/);
      assert.match(csp, /frame-ancestors \*/);
      assert.ok(!/https?:\/\/(?!shop)/.test(res.text.replace(config.parentOrigin, '')), 'nothing loads from another host');
    });

    test('data.account opens on re-authorisation; the legacy reauth_token too', async () => {
      const reauthPage = await page({ key: app.publicKey, data: JSON.stringify({ account: 'a'.repeat(24) }) });
      const byAccount = configOf(reauthPage.text);
      assert.equal(byAccount.scope, 'reauth');
      assert.match(reauthPage.text, /<title>[^<]* · Reconnect your bank account<\/title>/);
      assert.match((await page({ key: app.publicKey })).text, /<title>[^<]* · Link your bank account<\/title>/);
      assert.equal(byAccount.account, 'a'.repeat(24));
      const byToken = configOf((await page({ key: app.publicKey, reauth_token: 'VwxcfeLRZvq1UlD5WiuN' })).text);
      assert.equal(byToken.reauthToken, 'VwxcfeLRZvq1UlD5WiuN');
    });

    test('a secret key, an unknown key or unreadable data render an explanation, not a widget', async () => {
      for (const [query, status] of [
        [{ key: app.secretKey }, 401],
        [{ key: 'test_pk_unknown' }, 401],
        [{}, 401],
        [{ key: app.publicKey, data: '{not json' }, 400],
      ] as const) {
        const res = await page(query);
        assert.equal(res.status, status, res.text);
        const config = configOf(res.text);
        assert.ok(config.problem?.title, JSON.stringify(config));
        assert.ok(!res.text.includes(app.secretKey), 'a secret key is never echoed');
      }
    });

    test('the OpenAPI document says the widget API takes the public key', async () => {
      const { body } = await call(server.url, 'GET', '/openapi.json');
      assert.deepEqual(body.paths['/v2/connect/widget/session'].post.security, [{ publicKey: [] }]);
      assert.deepEqual(body.paths['/v2/accounts/initiate'].post.security, [{ monoSecKey: [] }]);
      assert.deepEqual(body.paths['/connect'].get.security, []);
    });

    test('connect.js, the widget script and stylesheet are served from this server, with ETags', async () => {
      for (const [path, type] of [
        ['/connect.js', /javascript/],
        ['/connect/widget.js', /javascript/],
        ['/connect/widget.css', /css/],
      ] as const) {
        const res = await call(server.url, 'GET', path);
        assert.equal(res.status, 200, path);
        assert.match(res.headers.get('content-type')!, type);
        assert.ok(res.text.length > 500);
        const again = await call(server.url, 'GET', path, { headers: { 'if-none-match': res.headers.get('etag')! } });
        assert.equal(again.status, 304);
      }
      assert.match((await call(server.url, 'GET', '/connect.js')).text, /mono\.connect\.widget\.account_linked/);
    });
  });
}
