// Every data route, v1 and v2, says whether the data it answers waits for a re-authorisation:
// an account the bank stopped answering keeps its last synced data, and nothing passes it off
// as fresh.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, linkedAccount, resetLogin, startTestServer, type TestServer } from '@relink/testkit';
import { ISO } from '../support/linking.ts';

/** Each data route and where its `meta` sits in the answer. */
const ROUTES: { path: (id: string) => string; meta: (body: any) => any }[] = [
  { path: (id) => `/accounts/${id}`, meta: (body) => body.meta },
  { path: (id) => `/v2/accounts/${id}`, meta: (body) => body.data.meta },
  { path: (id) => `/v2/accounts/${id}/balance`, meta: (body) => body.meta },
  { path: (id) => `/v2/accounts/${id}/identity`, meta: (body) => body.meta },
  { path: (id) => `/accounts/${id}/identity`, meta: (body) => body.meta },
  { path: (id) => `/v2/accounts/${id}/transactions`, meta: (body) => body.meta },
  { path: (id) => `/accounts/${id}/transactions`, meta: (body) => body.meta },
];

for (const kind of databases()) {
  describe(`[${kind}] data routes and re-authorisation`, () => {
    let server: TestServer;
    let key: string;
    before(async () => {
      server = await startTestServer(kind);
      key = (await server.createApp()).secretKey;
    });
    after(() => server.stop());

    const get = (path: string) => call(server.url, 'GET', path, { key });
    /** Every data route's answer, minus the envelope's timestamp and the meta under test. */
    const answers = async (id: string) => {
      const out: Record<string, unknown> = {};
      for (const route of ROUTES) {
        const res = await get(route.path(id));
        assert.equal(res.status, 200, `${route.path(id)}: ${res.text}`);
        const { timestamp: _, ...rest } = res.body;
        out[route.path(id)] = { rest, meta: route.meta(res.body) };
      }
      return out as Record<string, { rest: any; meta: any }>;
    };

    test('a healthy account: every data route answers meta.reauth_required false and when it was synced', async () => {
      const id = await linkedAccount(server, key, 'user_good+healthy');
      for (const [path, { meta }] of Object.entries(await answers(id))) {
        assert.equal(meta.reauth_required, false, path);
        assert.match(meta.last_synced_at, ISO, path);
      }
    });

    test('an account waiting for reauth: every route answers the same stored data with meta.reauth_required true', async () => {
      const id = await linkedAccount(server, key, 'user_good+waiting');
      const before = await answers(id);
      await resetLogin(server, key, id, 'password_changed');
      const waiting = await answers(id);
      for (const route of ROUTES) {
        const path = route.path(id);
        const { meta, rest } = waiting[path]!;
        assert.equal(meta.reauth_required, true, path);
        assert.equal(meta.last_synced_at, before[path]!.meta.last_synced_at, `${path}: the data is the last sync's`);
        // Nothing else changed but the flag (and, in the v2 details, why the last sync failed).
        const comparable = (body: any) => {
          const copy = structuredClone(body);
          if (copy.data?.meta) delete copy.data.meta.last_sync_error;
          return JSON.stringify(copy);
        };
        const flipped = comparable(before[path]!.rest).replace('"reauth_required":false', '"reauth_required":true');
        assert.equal(comparable(rest), flipped, path);
      }
      assert.match(waiting[`/v2/accounts/${id}`]!.rest.data.meta.last_sync_error, /password was changed/);
    });

    test('a sync asked of an account waiting for reauth answers Mono’s REAUTHORISATION_REQUIRED, v1 and v2', async () => {
      const id = await linkedAccount(server, key, 'user_good+sync');
      await resetLogin(server, key, id);
      for (const path of [`/v2/accounts/${id}/sync`, `/accounts/${id}/sync`]) {
        const res = await call(server.url, 'POST', path, { key });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.status, 'failed');
        assert.equal(res.body.code, 'REAUTHORISATION_REQUIRED');
        assert.match(res.body.message, /needs re-authorisation/);
      }
    });
  });
}
