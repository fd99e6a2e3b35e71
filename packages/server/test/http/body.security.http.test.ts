// Attack: a crafted body. JSON nested thousands of levels deep overflowed the stack in the
// idempotency hook (a 500 on every route without an object schema first); and a retry whose
// keys came out in another order was refused as a different request.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, databases, useServer } from '@relink/testkit';

const SANDBOX_BANK = '5f2d08be60b92e2888287000';
const ACCOUNT = '0123456789abcdef01234567';
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

for (const kind of databases()) {
  describe(`[${kind}] hostile bodies`, () => {
    const server = useServer(kind);
    let key: string;
    before(async () => {
      key = (await server.createApp()).secretKey;
    });

    test('a body nested 5,000 deep is 400 INVALID_JSON on every POST, with or without Idempotency-Key', async () => {
      const posts = [
        '/v2/connect/session',
        '/v1/connect/session',
        '/v2/connect/login',
        '/v2/connect/commit',
        '/v1/connect/login',
        '/v1/connect/commit',
        '/account/auth',
        `/v2/accounts/${ACCOUNT}/sync`,
        `/v2/accounts/${ACCOUNT}/unlink`,
        `/accounts/${ACCOUNT}/sync`,
        `/accounts/${ACCOUNT}/unlink`,
        '/v2/webhooks/secret/rotate',
        '/v2/webhooks/events/evt_x/replay',
        '/v2/webhooks/deliveries/dlv_x/replay',
        '/v2/sandbox/webhooks/fire',
      ];
      for (const path of posts) {
        for (const [i, body] of [deep(5000), `{"a":${deep(40)}}`].entries()) {
          const headers = { 'content-type': 'application/json', 'x-session-id': 'session_x', 'idempotency-key': `deep-${i}-${path}` };
          const res = await call(server.url, 'POST', path, { key, raw: body, headers });
          assert.equal(res.status, 400, `${path}: ${res.text}`);
          assert.equal(res.body.code, 'INVALID_JSON', path);
          assert.match(res.body.message, /nested more than 32 levels/);
          assert.ok(res.headers.get('x-request-id'));
        }
      }
    });

    test('values a database cannot store (a NUL character, a number that is not finite) are 400, not 500', async () => {
      const cases: [string, string, unknown?][] = [
        ['GET', '/v2/webhooks/events?limit=1e400'],
        ['GET', '/v2/webhooks/deliveries?page=Infinity'],
        ['GET', '/v2/webhooks/deliveries/%00'],
        ['GET', '/v2/webhooks/deliveries?event_id=evt_%00'],
        [
          'POST',
          '/v2/connect/session',
          { institution: SANDBOX_BANK, auth_method: 'internet_banking', customer: { name: 'Ada\u0000', email: 'a@example.com' } },
        ],
        ['POST', '/account/auth', { code: 'code_\u0000' }],
      ];
      for (const [method, path, body] of cases) {
        const res = await call(server.url, method, path, { key, ...(body ? { body } : {}) });
        assert.equal(res.status, 400, `${method} ${path}: ${res.text}`);
        assert.equal(res.body.code, 'INVALID_INPUT');
        assert.match(res.body.message, /NUL character|finite number/);
      }
      const infinite = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        raw: `{"institution":"${SANDBOX_BANK}","auth_method":"internet_banking","n":1e999}`,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(infinite.status, 400, infinite.text);
    });

    test('an honest body nested 32 deep is still read', async () => {
      let meta: unknown = 'x';
      for (let i = 0; i < 30; i++) meta = { m: meta };
      const res = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        body: { institution: SANDBOX_BANK, auth_method: 'internet_banking', meta },
      });
      assert.notEqual(res.body?.code, 'INVALID_JSON', res.text);
    });

    test('the same body with its keys in another order replays under one Idempotency-Key', async () => {
      const headers = { 'idempotency-key': 'reordered-1', 'content-type': 'application/json' };
      const first = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        headers,
        raw: `{"institution":"${SANDBOX_BANK}","auth_method":"internet_banking","customer":{"name":"Ada","email":"ada@example.com"}}`,
      });
      assert.equal(first.status, 200, first.text);
      const again = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        headers,
        raw: `{"customer":{"email":"ada@example.com","name":"Ada"},"auth_method":"internet_banking","institution":"${SANDBOX_BANK}"}`,
      });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(again.text, first.text);
      const other = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        headers,
        raw: `{"customer":{"email":"bob@example.com","name":"Ada"},"auth_method":"internet_banking","institution":"${SANDBOX_BANK}"}`,
      });
      assert.equal(other.status, 409, 'a different value is still a different request');
    });
  });
}
