// Attack: calling the partner API with no key, a guessed key, or a key that was rotated away or
// belongs to a deleted app. Every such call must be refused with 401 and reveal nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases, useServer } from '@relink/testkit';

for (const kind of databases()) {
  describe(`[${kind}] authentication`, () => {
    const server = useServer(kind);

    const unauthorised = (status: number, body: any) => {
      assert.equal(status, 401);
      assert.equal(body.status, 'failed');
      assert.equal(body.code, 'INVALID_API_KEY');
      assert.equal(body.data, null);
      assert.match(body.timestamp, /^\d{4}-\d\d-\d\dT/);
    };

    test('no key is 401 in the v2 envelope, naming the header', async () => {
      const res = await call(server.url, 'GET', '/v3/institutions');
      unauthorised(res.status, res.body);
      assert.match(res.body.message, /mono-sec-key/);
    });

    test('an unknown key of the right shape is 401', async () => {
      const res = await call(server.url, 'GET', '/v3/institutions', { key: 'test_sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
      unauthorised(res.status, res.body);
    });

    test('a key of the wrong shape is 401, as is an empty one', async () => {
      for (const key of ['nonsense', 'live_sk_', ' ']) {
        const res = await call(server.url, 'GET', '/v3/institutions', { key });
        unauthorised(res.status, res.body);
      }
    });

    test('a valid key works, and v1 routes refuse in the v1 failure shape', async () => {
      const app = await server.createApp();
      const ok = await call(server.url, 'GET', '/v3/institutions', { key: app.secretKey });
      assert.equal(ok.status, 200);
      const v1 = await call(server.url, 'GET', '/accounts/5f171a530295e231abca1153', { key: 'test_sk_wrong' });
      assert.equal(v1.status, 401);
      assert.deepEqual(Object.keys(v1.body).sort(), ['code', 'message', 'status']);
      assert.equal(v1.body.code, 'INVALID_API_KEY');
    });

    test('a rotated key stops working at once; the new one works', async () => {
      const app = await server.createApp('Rotating');
      const rotated = await server.services.apps.rotateKey(app.id);
      assert.ok(rotated);
      assert.notEqual(rotated.secretKey, app.secretKey);
      unauthorised(...statusBody(await call(server.url, 'GET', '/v3/institutions', { key: app.secretKey })));
      assert.equal((await call(server.url, 'GET', '/v3/institutions', { key: rotated.secretKey })).status, 200);
    });

    test("a deleted app's key is 401", async () => {
      const app = await server.createApp('Doomed');
      assert.equal((await call(server.url, 'GET', '/v3/institutions', { key: app.secretKey })).status, 200);
      assert.equal(await server.services.apps.delete(app.id), true);
      unauthorised(...statusBody(await call(server.url, 'GET', '/v3/institutions', { key: app.secretKey })));
    });

    test('keys are stored only as hashes', async () => {
      const app = await server.createApp('Hashed');
      const rows = await server.services.database.db.selectFrom('apps').selectAll().where('id', '=', app.id).execute();
      const stored = JSON.stringify(rows);
      assert.ok(!stored.includes(app.secretKey), 'secret key stored in clear');
      assert.ok(!stored.includes(app.webhookSecret), 'webhook secret stored in clear');
      const vault = JSON.stringify(await server.services.database.db.selectFrom('vault_secrets').selectAll().execute());
      assert.ok(!vault.includes(app.webhookSecret.slice(6)), 'webhook secret readable in the vault');
    });

    test('no log line carries a secret key', async () => {
      const app = await server.createApp('Logged');
      await call(server.url, 'GET', '/v3/institutions', { key: app.secretKey });
      await call(server.url, 'GET', '/v3/institutions', { key: `${app.secretKey}x` });
      const logs = server.logs.join('\n');
      assert.ok(logs.includes('"url":"/v3/institutions"'), 'requests are logged');
      assert.ok(!logs.includes(app.secretKey), 'a secret key reached the log');
    });
  });
}

function statusBody(res: { status: number; body: any }): [number, any] {
  return [res.status, res.body];
}
