// The console's apps and keys, checked where it matters: on the Partners API. An app created in the
// console answers with the key its page showed once; a key rotated there works at once and the old
// one gets 401; origins and the webhook endpoint set there are what the API reports; every action is
// in the audit log, which the console shows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases, useServer } from '@relink/testkit';
import { AUDIT_PAGE_SIZE } from '../../src/console/pages/audit.ts';
import { signedIn, visible } from '../support/console.ts';

for (const kind of databases()) {
  describe(`[${kind}] operator console: apps and keys`, () => {
    const server = useServer(kind, { logLevel: 'warn', env: { RELINK_WEBHOOK_ALLOW_LOOPBACK: 'false' } });
    const institutions = async (key: string) => (await call(server.url, 'GET', '/v3/institutions', { key })).status;

    test('create an app: its secret key is shown once and works; rotate it: the new key works, the old one stops', async () => {
      const operator = await signedIn(server, 'keys@example.com');
      await operator.get('/dashboard/apps');
      const created = await operator.post('/dashboard/apps', { name: 'Kudi Lend', mode: 'test' });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('cache-control'), 'no-store');
      const key = /test_sk_[0-9A-Za-z]{32}/.exec(created.text)?.[0] ?? assert.fail(created.text);
      assert.match(created.text, /whsec_[A-Za-z0-9+/=]+/);
      assert.equal(await institutions(key), 200);
      const app = (await server.services.apps.list()).find((a) => a.name === 'Kudi Lend')!;
      const page = await operator.get(`/dashboard/apps/${app.id}`);
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(app.publicKey));
      assert.match(visible(page.text), new RegExp(`…${key.slice(-4)}`));
      for (const path of ['/dashboard/apps', `/dashboard/apps/${app.id}`]) {
        const again = await operator.get(path);
        assert.ok(!again.text.includes(key), `${path} never shows the secret key again`);
      }

      const confirm = await operator.get(`/dashboard/apps/${app.id}/rotate-key`);
      assert.equal(confirm.status, 200);
      assert.match(visible(confirm.text), /stops working at once/);
      assert.equal(await institutions(key), 200, 'the confirmation page changes nothing');
      const rotated = await operator.post(`/dashboard/apps/${app.id}/rotate-key`, {});
      assert.equal(rotated.status, 200);
      const newKey = /test_sk_[0-9A-Za-z]{32}/.exec(rotated.text)?.[0] ?? assert.fail(rotated.text);
      assert.notEqual(newKey, key);
      assert.equal(await institutions(newKey), 200);
      assert.equal(await institutions(key), 401);
      assert.ok(!(await operator.get(`/dashboard/apps/${app.id}`)).text.includes(newKey));

      const live = await operator.post('/dashboard/apps', { name: 'Live one', mode: 'live' });
      assert.equal(live.status, 201, 'the test server has a master key from its environment');
      assert.match(live.text, /live_sk_[0-9A-Za-z]{32}/);
      const empty = await operator.post('/dashboard/apps', { name: '  ' });
      assert.equal(empty.status, 400);
      assert.match(visible(empty.text), /The name must be 1 to 100 characters/);
    });

    test('allowed origins: added and removed in the console, as GET /v2/connect/origins reports them; a malformed one is refused', async () => {
      const operator = await signedIn(server, 'origins@example.com');
      const app = await server.createApp('Origins app');
      const origins = async () => (await call(server.url, 'GET', '/v2/connect/origins', { key: app.secretKey })).body.data.origins as string[] | null;
      await operator.get(`/dashboard/apps/${app.id}`);
      const added = await operator.post(`/dashboard/apps/${app.id}/origins`, { origin: 'https://shop.example' });
      assert.equal(added.status, 303);
      assert.equal(added.location, `/dashboard/apps/${app.id}?done=origin-added`);
      assert.equal((await operator.post(`/dashboard/apps/${app.id}/origins`, { origin: 'https://two.example:8443' })).status, 303);
      assert.deepEqual(await origins(), ['https://shop.example', 'https://two.example:8443']);
      const page = await operator.get(`/dashboard/apps/${app.id}?done=origin-added`);
      assert.match(visible(page.text), /Origin added/);
      const bad = await operator.post(`/dashboard/apps/${app.id}/origins`, { origin: 'https://shop.example/path' });
      assert.equal(bad.status, 400);
      assert.match(visible(bad.text), /Invalid origin "https:\/\/shop\.example\/path"/);
      assert.equal((await operator.post(`/dashboard/apps/${app.id}/origins/remove`, { origin: 'https://shop.example' })).status, 303);
      assert.deepEqual(await origins(), ['https://two.example:8443']);
      assert.equal((await operator.post(`/dashboard/apps/${app.id}/origins/remove`, { origin: 'https://two.example:8443' })).status, 303);
      assert.equal(await origins(), null);
    });

    test('webhook URL and secret: set and rotated in the console, each new secret shown once; a refused URL says why', async () => {
      const operator = await signedIn(server, 'hooks@example.com');
      const app = await server.createApp('Hooks app');
      await operator.get(`/dashboard/apps/${app.id}`);
      const refused = await operator.post(`/dashboard/apps/${app.id}/webhook`, { url: 'http://127.0.0.1:9/hook' });
      assert.equal(refused.status, 400);
      assert.match(visible(refused.text), /That webhook URL is refused: the URL names 127\.0\.0\.1/);
      const set = await operator.post(`/dashboard/apps/${app.id}/webhook`, { url: 'https://hooks.example/relink' });
      assert.equal(set.status, 200);
      const secret = /whsec_[A-Za-z0-9+/=]+/.exec(set.text)?.[0] ?? assert.fail(set.text);
      assert.equal(await server.services.apps.webhookSecret(app.id), secret);
      const endpoint = (await call(server.url, 'GET', '/v2/webhooks/endpoint', { key: app.secretKey })).body.data;
      assert.equal(endpoint.url, 'https://hooks.example/relink');
      assert.ok(endpoint.previous_secret_expires_at, 'the previous secret signs for a while');
      assert.ok(!(await operator.get(`/dashboard/apps/${app.id}`)).text.includes(secret));

      assert.equal((await operator.get(`/dashboard/apps/${app.id}/rotate-webhook-secret`)).status, 200);
      const rotated = await operator.post(`/dashboard/apps/${app.id}/rotate-webhook-secret`, {});
      assert.equal(rotated.status, 200);
      const next = /whsec_[A-Za-z0-9+/=]+/.exec(rotated.text)?.[0] ?? assert.fail(rotated.text);
      assert.notEqual(next, secret);
      assert.equal(await server.services.apps.webhookSecret(app.id), next);
    });

    test('an unknown app is a 404 page; every action is in the audit log, paged, newest first', async () => {
      const operator = await signedIn(server, 'audit@example.com');
      const missing = await operator.get('/dashboard/apps/ffffffffffffffffffffffff');
      assert.equal(missing.status, 404);
      assert.match(visible(missing.text), /There is no app ffffffffffffffffffffffff/);
      assert.equal((await operator.post('/dashboard/apps/ffffffffffffffffffffffff/rotate-key', {})).status, 404);
      const audit = await operator.get('/dashboard/audit');
      assert.equal(audit.status, 200);
      const text = visible(audit.text);
      for (const action of [
        'app.created',
        'app.secret_key_rotated',
        'app.origin_added',
        'app.origin_removed',
        'app.webhook_url_set',
        'app.webhook_secret_rotated',
        'sign_in',
        'operator.setup',
        'operator.created',
      ]) {
        assert.ok(text.includes(action), `${action} in the audit log`);
      }
      assert.match(text, /keys@example\.com app\.secret_key_rotated/);
      assert.match(text, /cli operator\.created/);
      const { total } = await server.services.operators.audit({ page: 1, limit: 1 });
      for (let i = total; i <= AUDIT_PAGE_SIZE; i++) await server.services.operators.record('cli', 'test.filler', null, { i });
      const first = visible((await operator.get('/dashboard/audit')).text);
      assert.match(first, /Page 1 of 2/);
      assert.match(first, /test\.filler/);
      const second = await operator.get('/dashboard/audit?page=2');
      assert.match(visible(second.text), /Newer Page 2 of 2$/);
      assert.match(visible(second.text), /operator\.created/, 'the oldest entries are on the last page');
      assert.equal((await operator.get('/dashboard/audit?page=0')).status, 400);
    });
  });
}
