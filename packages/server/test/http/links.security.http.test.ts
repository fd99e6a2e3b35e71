// Attack: a forged Host header. Paging links were built from it, so with `Host: evil.example/x?`
// `next` pointed at evil.example, and a client that followed it sent its secret key there. A
// hosted link's mono_url was too, so the page a partner sent its customer to (and the customer
// typed a bank password into) could be anyone's.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { databases, startTestServer, type TestServer, link, settle } from '@relink/testkit';

/** A request with a Host header of our choosing (fetch will not send one). */
function withHost(base: string, method: string, path: string, key: string, host: string, body?: unknown): Promise<any> {
  const { hostname, port } = new URL(base);
  const headers: Record<string, string> = { host, 'mono-sec-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text), text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

for (const kind of databases()) {
  for (const publicUrl of [undefined, 'https://relink.example.com/api']) {
    describe(`[${kind}] paging links ${publicUrl ? 'with' : 'without'} RELINK_PUBLIC_URL`, () => {
      let server: TestServer;
      let key: string;
      let id: string;
      before(async () => {
        const started = await startTestServer(kind, publicUrl ? { env: { RELINK_PUBLIC_URL: publicUrl } } : {});
        // server.url is RELINK_PUBLIC_URL when set; the requests go to the loopback address it listens on.
        server = { ...started, url: `http://127.0.0.1:${(started.app.server.address() as AddressInfo).port}` };
        key = (await server.createApp()).secretKey;
        id = await link(server, key, 'user_good');
        await settle(server);
      });
      after(() => server.stop());

      test('next and previous ignore the Host header', async () => {
        for (const path of [`/accounts/${id}/transactions?limit=5&page=2`, `/v2/accounts/${id}/transactions?limit=5&page=2`]) {
          const res = await withHost(server.url, 'GET', path, key, 'evil.example/x?');
          assert.equal(res.status, 200);
          const paging = res.body.paging ?? res.body.meta;
          for (const href of [paging.next, paging.previous]) {
            assert.ok(href, 'both links present');
            assert.doesNotMatch(href, /evil/);
            const expected = `${publicUrl ?? ''}${path.split('?')[0]}?`;
            assert.ok(href.startsWith(expected), `${href} starts with ${expected}`);
          }
        }
      });

      test("a hosted link's mono_url is on RELINK_PUBLIC_URL or the listening address, never the Host header", async () => {
        for (const host of ['evil.example', 'evil.example:8443', `evil.example/x?`]) {
          const res = await withHost(server.url, 'POST', '/v2/accounts/initiate', key, host, {
            scope: 'auth',
            customer: { name: 'Ada Obi', email: 'ada@example.com' },
          });
          assert.equal(res.status, 200, res.text);
          const expected = `${publicUrl ?? server.url}/connect/link/link_`;
          assert.ok(res.body.data.mono_url.startsWith(expected), `${res.body.data.mono_url} starts with ${expected}`);
        }
      });
    });
  }
}
