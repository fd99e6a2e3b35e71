import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases, useServer } from '@relink/testkit';

/** The contract's endpoints (docs/contract.md) that exist so far, as OpenAPI paths. */
export const CONTRACT_ROUTES: [string, string][] = [
  ['get', '/v1/institutions'],
  ['get', '/coverage'],
  ['get', '/v3/institutions'],
  ['get', '/health'],
  ['post', '/v1/connect/session'],
  ['post', '/v1/connect/login'],
  ['post', '/v1/connect/commit'],
  ['post', '/v2/connect/session'],
  ['post', '/v2/connect/login'],
  ['post', '/v2/connect/commit'],
  ['get', '/v2/connect/sandbox'],
  ['post', '/account/auth'],
  ['post', '/v2/accounts/auth'],
  ['get', '/accounts/{id}'],
  ['get', '/v2/accounts/{id}'],
  ['get', '/v2/accounts/{id}/balance'],
  ['get', '/accounts/{id}/transactions'],
  ['get', '/v2/accounts/{id}/transactions'],
  ['get', '/accounts/{id}/identity'],
  ['post', '/accounts/{id}/sync'],
  ['post', '/v2/accounts/{id}/sync'],
  ['get', '/v2/accounts/{id}/jobs/{jobId}'],
  ['post', '/accounts/{id}/unlink'],
  ['post', '/v2/accounts/{id}/unlink'],
  ['get', '/v2/webhooks/events'],
  ['post', '/v2/webhooks/events/{id}/replay'],
  ['get', '/v2/webhooks/deliveries'],
  ['get', '/v2/webhooks/deliveries/{id}'],
  ['post', '/v2/webhooks/deliveries/{id}/replay'],
  ['get', '/v2/webhooks/endpoint'],
  ['put', '/v2/webhooks/endpoint'],
  ['post', '/v2/webhooks/secret/rotate'],
  ['post', '/v2/sandbox/webhooks/fire'],
  ['post', '/accounts/{id}/reauthorise'],
  ['post', '/v2/accounts/{id}/reauthorise'],
  ['post', '/v2/connect/reauth/session'],
  ['post', '/v2/connect/reauth/login'],
  ['post', '/v2/sandbox/accounts/{id}/reset-login'],
  ['post', '/v2/sandbox/reset'],
  ['get', '/v2/accounts/{id}/identity'],
];

/** Re-authorisation's routes: each documents an example a reader can copy. */
const REAUTH_ROUTES: [string, string][] = [
  ['post', '/v1/connect/session'],
  ['post', '/accounts/{id}/reauthorise'],
  ['post', '/v2/accounts/{id}/reauthorise'],
  ['post', '/v2/connect/reauth/session'],
  ['post', '/v2/connect/reauth/login'],
  ['post', '/v2/sandbox/accounts/{id}/reset-login'],
];

for (const kind of databases().slice(0, 1)) {
  describe(`[${kind}] OpenAPI`, () => {
    const server = useServer(kind);

    test('the document is OpenAPI 3.1 and lists every contract route with a summary and responses', async () => {
      const res = await call(server.url, 'GET', '/openapi.json');
      assert.equal(res.status, 200);
      assert.equal(res.body.openapi, '3.1.0');
      for (const [method, path] of CONTRACT_ROUTES) {
        const operation = res.body.paths[path]?.[method];
        assert.ok(operation, `${method.toUpperCase()} ${path} is in the document`);
        assert.ok(operation.summary, `${method.toUpperCase()} ${path} has a summary`);
        assert.ok(operation.responses?.['200'] ?? operation.responses?.['201'], `${method.toUpperCase()} ${path} documents its success`);
      }
    });

    test('every re-authorisation route is tagged and shows an example of its request or answer', async () => {
      const { body } = await call(server.url, 'GET', '/openapi.json');
      for (const [method, path] of REAUTH_ROUTES) {
        const operation = body.paths[path][method];
        assert.ok(operation.tags.includes('Re-authorisation'), `${path} is tagged`);
        // The document carries them on the media type: `example`, or named `examples`.
        const shown = (media: any) => (media?.example === undefined ? 0 : 1) + Object.keys(media?.examples ?? {}).length;
        const examples = shown(operation.responses['200'].content['application/json']) + shown(operation.requestBody?.content?.['application/json']);
        assert.ok(examples > 0, `${method.toUpperCase()} ${path} has an example`);
      }
    });

    test('routes behind a key say so; open routes do not', async () => {
      const { body } = await call(server.url, 'GET', '/openapi.json');
      assert.deepEqual(body.paths['/v3/institutions'].get.security, [{ monoSecKey: [] }]);
      assert.deepEqual(body.paths['/v1/institutions'].get.security, []);
      assert.equal(body.components.securitySchemes.monoSecKey.name, 'mono-sec-key');
    });

    test('every documented operation is served', async () => {
      const { body } = await call(server.url, 'GET', '/openapi.json');
      for (const [path, operations] of Object.entries<any>(body.paths)) {
        for (const method of Object.keys(operations)) {
          const concrete = path.replace(/\{[^}]+\}/g, '5f171a530295e231abca1153');
          const res = await call(server.url, method.toUpperCase(), concrete);
          assert.notEqual(res.body?.code, 'ROUTE_NOT_FOUND', `${method} ${path} is documented but not served`);
        }
      }
    });

    test('browsable docs are served at /docs', async () => {
      const res = await fetch(`${server.url}/docs/`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /swagger-ui/i);
    });
  });
}
