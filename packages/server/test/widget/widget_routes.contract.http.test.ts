// The widget's API is declared once, in the contract (contract/operations/widget.ts), and the
// browser's client takes its types from there: that holds only while every route the server
// serves under /v2/connect/widget/ is one of those operations, registered from it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OPERATIONS, WIDGET_OPERATIONS } from '@relink/contract';
import { call, databases, useServer } from '@relink/testkit';
import { asOpenApi, routeTable } from '../support/surface.ts';

const WIDGET_API = '/v2/connect/widget/';

for (const kind of databases().slice(0, 1)) {
  describe(`[${kind}] the widget API is the contract's widget operations`, () => {
    const server = useServer(kind);

    test('every route under /v2/connect/widget/ is a widget operation, and every widget operation is served', () => {
      const served = routeTable(server)
        .filter((route) => route.path.startsWith(WIDGET_API))
        .map((route) => `${route.method} ${route.path}`)
        .sort();
      const declared = Object.values(WIDGET_OPERATIONS)
        .map((op) => `${op.method} ${op.path}`)
        .sort();
      assert.deepEqual(served, declared);
      assert.ok(declared.length >= 5, `${declared.length} widget operations`);
    });

    test('each is registered from its operation: its summary, and the public key, in /openapi.json', async () => {
      const { body } = await call(server.url, 'GET', '/openapi.json');
      for (const [name, op] of Object.entries(WIDGET_OPERATIONS)) {
        assert.equal(op.auth, 'public', name);
        const described = body.paths[asOpenApi(op.path)]?.[op.method.toLowerCase()];
        assert.ok(described, `${name}: ${op.method} ${op.path} is in the document`);
        assert.equal(described.summary, op.summary, name);
        assert.deepEqual(described.security, [{ publicKey: [] }], name);
      }
    });

    test('the Partners API operations (what the SDK calls with the secret key) hold none of them', () => {
      for (const [name, op] of Object.entries(OPERATIONS)) assert.ok(!op.path.startsWith(WIDGET_API) && !(name in WIDGET_OPERATIONS), name);
    });
  });
}
