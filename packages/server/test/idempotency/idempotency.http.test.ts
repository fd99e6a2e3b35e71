import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, databases, useServer } from '@relink/testkit';

const SANDBOX_BANK = '5f2d08be60b92e2888287000';
const sessionBody = { institution: SANDBOX_BANK, auth_method: 'internet_banking' };

for (const kind of databases()) {
  describe(`[${kind}] Idempotency-Key`, () => {
    const server = useServer(kind);
    let key: string;
    before(async () => {
      key = (await server.createApp()).secretKey;
    });

    const sessions = async () => (await server.services.database.db.selectFrom('sessions').select('id').execute()).length;

    test('a repeat with the same key and body replays the first answer, with no second effect', async () => {
      const before = await sessions();
      const headers = { 'idempotency-key': 'create-1' };
      const first = await call(server.url, 'POST', '/v2/connect/session', { key, body: sessionBody, headers });
      const second = await call(server.url, 'POST', '/v2/connect/session', { key, body: sessionBody, headers });
      assert.equal(first.status, 200);
      assert.equal(second.status, 200);
      assert.equal(second.text, first.text);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.equal(await sessions(), before + 1);
    });

    test('the same key with another body is 409', async () => {
      const headers = { 'idempotency-key': 'create-2' };
      assert.equal((await call(server.url, 'POST', '/v2/connect/session', { key, body: sessionBody, headers })).status, 200);
      const other = await call(server.url, 'POST', '/v2/connect/session', { key, body: { ...sessionBody, auth_method: 'mobile_banking' }, headers });
      assert.equal(other.status, 409);
      assert.equal(other.body.code, 'IDEMPOTENCY_CONFLICT');
    });

    test('failures are replayed too, and keys are per app', async () => {
      const headers = { 'idempotency-key': 'bad-1' };
      const bad = { institution: 'nope', auth_method: 'internet_banking' };
      const first = await call(server.url, 'POST', '/v2/connect/session', { key, body: bad, headers });
      assert.equal(first.status, 404);
      const again = await call(server.url, 'POST', '/v2/connect/session', { key, body: bad, headers });
      assert.equal(again.status, 404);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      const otherApp = (await server.createApp('Other')).secretKey;
      const theirs = await call(server.url, 'POST', '/v2/connect/session', { key: otherApp, body: sessionBody, headers });
      assert.equal(theirs.status, 200, "another app's identical key is its own");
    });

    test('concurrent duplicates produce one effect', async () => {
      const before = await sessions();
      const headers = { 'idempotency-key': 'race-1' };
      const results = await Promise.all(Array.from({ length: 5 }, () => call(server.url, 'POST', '/v2/connect/session', { key, body: sessionBody, headers })));
      for (const r of results) assert.ok(r.status === 200 || (r.status === 409 && r.body.code === 'IDEMPOTENCY_CONFLICT'), `status ${r.status}`);
      assert.equal(await sessions(), before + 1);
      const ids = new Set(results.filter((r) => r.status === 200).map((r) => r.body.data.session.id));
      assert.equal(ids.size, 1);
    });

    test('after 24 h a key may be used again', async () => {
      const headers = { 'idempotency-key': 'old-1' };
      const first = await call(server.url, 'POST', '/v2/connect/session', { key, body: sessionBody, headers });
      server.clock.advance(24 * 60 * 60_000 + 1);
      const later = await call(server.url, 'POST', '/v2/connect/session', { key, body: sessionBody, headers });
      assert.equal(later.status, 200);
      assert.equal(later.headers.get('idempotent-replayed'), null);
      assert.notEqual(later.body.data.session.id, first.body.data.session.id);
    });

    test('a retried webhook secret rotation replays the same secret, which is never stored in the clear', async () => {
      const app = await server.createApp('Rotating', { webhookUrl: 'https://partner.example/hooks' });
      const headers = { 'idempotency-key': 'rotate-1' };
      const first = await call(server.url, 'POST', '/v2/webhooks/secret/rotate', { key: app.secretKey, headers });
      const again = await call(server.url, 'POST', '/v2/webhooks/secret/rotate', { key: app.secretKey, headers });
      assert.equal(first.status, 200);
      const secret: string = first.body.data.webhook_secret;
      assert.ok(secret.length > 0);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(again.body.data.webhook_secret, secret);
      const rows = await server.services.database.db.selectFrom('idempotency_keys').select('response_body').execute();
      assert.ok(rows.length > 0);
      for (const row of rows) assert.ok(!(row.response_body ?? '').includes(secret), 'the secret is stored sealed');
    });

    test('expired keys are swept, with the sealed answers they held', async () => {
      const app = await server.createApp('Sweeping', { webhookUrl: 'https://partner.example/hooks' });
      await call(server.url, 'POST', '/v2/webhooks/secret/rotate', { key: app.secretKey, headers: { 'idempotency-key': 'rotate-sweep' } });
      const db = server.services.database.db;
      const sealedCount = async () => (await db.selectFrom('vault_secrets').select('id').where('purpose', '=', 'idempotent-response').execute()).length;
      assert.ok((await sealedCount()) > 0);
      server.clock.advance(24 * 60 * 60_000 + 60_001);
      await call(server.url, 'POST', '/v2/connect/session', { key, body: sessionBody, headers: { 'idempotency-key': 'after-expiry' } });
      const left = await db.selectFrom('idempotency_keys').select('key').execute();
      assert.deepEqual(
        left.map((r) => r.key),
        ['after-expiry'],
      );
      assert.equal(await sealedCount(), 0);
    });

    test('a key longer than 255 characters is 400', async () => {
      const res = await call(server.url, 'POST', '/v2/connect/session', { key, body: sessionBody, headers: { 'idempotency-key': 'k'.repeat(256) } });
      assert.equal(res.status, 400);
      assert.match(res.body.message, /Idempotency-Key/);
    });
  });
}
