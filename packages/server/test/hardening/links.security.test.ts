// Attack: a forged Host header. Paging links were built from it, so with `Host: evil.example/x?`
// `next` pointed at evil.example, and a client that followed it sent its secret key there.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { databases, startTestServer, type TestServer } from '../helpers.ts';
import { link, settle } from '../linking/support.ts';

/** A GET with a Host header of our choosing (fetch will not send one). */
function getWithHost(base: string, path: string, key: string, host: string): Promise<any> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', headers: { host, 'mono-sec-key': key } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
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
          const res = await getWithHost(server.url, path, key, 'evil.example/x?');
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
    });
  }
}
