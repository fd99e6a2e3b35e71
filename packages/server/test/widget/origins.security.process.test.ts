// An app that lists its origins stops other sites from framing its widget (clickjacking, and a
// look-alike page harvesting bank logins under the app's name): the page's frame-ancestors
// names only those origins and a referrer of another origin gets no widget.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, TEST_MASTER_KEY, type TestServer } from '@relink/testkit';
import { relink } from '../support/process.ts';
import { createConnectApp, type TestApp } from '../support/widget.ts';

for (const kind of databases()) {
  describe(`[${kind}] allowed origins for the widget`, () => {
    let server: TestServer;
    let app: TestApp;
    let other: TestApp;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      app = await createConnectApp(server, 'Origins partner');
      other = await createConnectApp(server, 'Other partner');
    });
    after(() => server.stop());

    const origins = (key: string, body?: unknown) => call(server.url, body === undefined ? 'GET' : 'PUT', '/v2/connect/origins', { key, body });
    const page = (key: string, referrer?: string) => call(server.url, 'GET', `/connect?${new URLSearchParams({ key, ...(referrer ? { referrer } : {}) })}`);

    test('set through the API: normalised, listed in frame-ancestors; other referrers get a 403 page', async () => {
      assert.deepEqual((await origins(app.secretKey)).body.data, { origins: null });
      const set = await origins(app.secretKey, { origins: ['https://shop.example', 'http://127.0.0.1:8080/', 'https://shop.example'] });
      assert.equal(set.status, 200, set.text);
      assert.deepEqual(set.body.data.origins, ['https://shop.example', 'http://127.0.0.1:8080']);
      assert.deepEqual((await origins(app.secretKey)).body.data.origins, ['https://shop.example', 'http://127.0.0.1:8080']);

      const allowed = await page(app.publicKey, 'https://shop.example/checkout');
      assert.equal(allowed.status, 200, allowed.text);
      assert.match(allowed.headers.get('content-security-policy')!, /frame-ancestors https:\/\/shop\.example http:\/\/127\.0\.0\.1:8080(;|$)/);
      for (const referrer of ['https://evil.example/shop.example', 'https://shop.example.evil.example/', undefined]) {
        const refused = await page(app.publicKey, referrer);
        assert.equal(refused.status, 403, `${referrer}: ${refused.status}`);
        assert.match(refused.text, /may not open the widget/);
        assert.match(refused.text, /"parentOrigin":null/, 'nothing is posted to a page that is not allowed');
      }
      // Another app's list is its own.
      assert.equal((await page(other.publicKey, 'https://evil.example/')).status, 200);
      assert.match((await page(other.publicKey, 'https://evil.example/')).headers.get('content-security-policy')!, /frame-ancestors \*/);

      const cleared = await origins(app.secretKey, { origins: [] });
      assert.equal(cleared.body.data.origins, null);
      assert.equal((await page(app.publicKey, 'https://anywhere.example/')).status, 200);
    });

    test('an origin with a path, another scheme or no host is refused; the public key cannot set origins', async () => {
      for (const bad of ['https://shop.example/path', 'ftp://shop.example', 'shop.example', 'javascript:alert(1)']) {
        const res = await origins(app.secretKey, { origins: [bad] });
        assert.equal(res.status, 400, `${bad}: ${res.text}`);
        assert.equal(res.body.code, 'INVALID_INPUT');
      }
      const res = await origins(app.publicKey, { origins: ['https://evil.example'] });
      assert.equal(res.status, 401);
    });

    test('relink connect origins sets, shows and clears them', async () => {
      const vars = { DATABASE_URL: server.db.url, RELINK_MASTER_KEY: TEST_MASTER_KEY };
      const cli = (args: string[]) => relink(['connect', 'origins', '--app', app.id, '--data', server.db.dataDir, ...args], vars);
      const set = await cli(['https://a.example', 'https://b.example:8443', '--json']);
      assert.equal(set.code, 0, set.stderr);
      assert.deepEqual(JSON.parse(set.stdout), { app: app.id, origins: ['https://a.example', 'https://b.example:8443'] });
      assert.equal((await page(app.publicKey, 'https://c.example/')).status, 403);
      const shown = await cli([]);
      assert.match(shown.stdout, /https:\/\/a\.example https:\/\/b\.example:8443/);
      const bad = await cli(['https://a.example/x']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /Invalid origin/);
      const cleared = await cli(['--clear']);
      assert.equal(cleared.code, 0, cleared.stderr);
      assert.match(cleared.stdout, /Any page may frame/);
      assert.equal((await page(app.publicKey, 'https://c.example/')).status, 200);
    });
  });
}
