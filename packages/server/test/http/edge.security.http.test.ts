// Attack: requests that never reach a route — bytes HTTP does not allow, broken percent-encoding,
// over-long ids, huge or dribbled headers. Each used to get Fastify's or Node's own answer (no
// envelope, no x-request-id, a socket closed without `Connection: close`), or held a connection
// open for 83 s. Every answer is in the envelope of its generation with a catalogue code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, type TestServer } from '@relink/testkit';
import { raw, type RawAnswer } from './raw.ts';

function assertEnvelope(answer: RawAnswer | { status: number; body: any; headers: Headers }, status: number, code: string, kind: 'v1' | 'v2') {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  const requestId = answer.headers instanceof Headers ? answer.headers.get('x-request-id') : answer.headers['x-request-id'];
  assert.match(requestId ?? '', /^req_[0-9a-f]{24}$/);
  assert.equal(answer.body?.status, 'failed');
  assert.equal(answer.body?.code, code);
  if (kind === 'v2') assert.equal(answer.body.data, null);
  else assert.deepEqual(Object.keys(answer.body).sort(), ['code', 'message', 'status']);
}

for (const kind of databases()) {
  describe(`[${kind}] answers before any route runs`, () => {
    let server: TestServer;
    let key: string;
    before(async () => {
      server = await startTestServer(kind, { env: { RELINK_HEADERS_TIMEOUT_MS: '300', RELINK_REQUEST_TIMEOUT_MS: '600' } });
      key = (await server.createApp()).secretKey;
    });
    after(() => server.stop());

    test('a path that is not valid percent-encoding is 400 INVALID_INPUT', async () => {
      assertEnvelope(await call(server.url, 'GET', '/v2/accounts/%ZZ', { key }), 400, 'INVALID_INPUT', 'v2');
      assertEnvelope(await call(server.url, 'GET', '/accounts/%E0%A4%A', { key }), 400, 'INVALID_INPUT', 'v1');
    });

    test('a 101-character id is 400 INVALID_INPUT, not a bare 414', async () => {
      const res = await call(server.url, 'GET', `/v2/accounts/${'a'.repeat(101)}`, { key });
      assertEnvelope(res, 400, 'INVALID_INPUT', 'v2');
      assert.match(res.body.message, /longer than 100/);
    });

    test('bytes HTTP does not allow in the request line: 400 in the envelope, then Connection: close', async () => {
      const answer = await raw(server.url, [
        Buffer.concat([Buffer.from('GET /v3/institutions?q='), Buffer.from([0xc3, 0xa9, 0x01]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]),
      ]);
      assertEnvelope(answer, 400, 'INVALID_INPUT', 'v2');
      assert.equal(answer.headers.connection, 'close');
      const v1 = await raw(server.url, ['GET /accounts/x HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n']);
      assertEnvelope(v1, 400, 'INVALID_INPUT', 'v1');
    });

    test('percent-encoded UTF-8 in a query string is read as text', async () => {
      const res = await call(server.url, 'GET', '/v3/institutions?scope=financial_data&bank_code=%C3%A9', { key });
      assert.equal(res.status, 200, res.text);
    });

    test('headers over 16 KiB are 431 HEADERS_TOO_LARGE', async () => {
      const answer = await raw(server.url, [`GET /v2/accounts/x HTTP/1.1\r\nHost: x\r\nx-pad: ${'a'.repeat(20_000)}\r\n\r\n`]);
      assertEnvelope(answer, 431, 'HEADERS_TOO_LARGE', 'v2');
      assert.equal(answer.headers.connection, 'close');
    });

    test('headers dribbled line by line are cut off with 408 REQUEST_TIMEOUT', async () => {
      const lines = ['GET /v2/accounts/x HTTP/1.1\r\n', ...Array.from({ length: 60 }, (_, i) => `x-slow-${i}: 1\r\n`)];
      const answer = await raw(server.url, lines, 250);
      assertEnvelope(answer, 408, 'REQUEST_TIMEOUT', 'v2');
      assert.equal(answer.headers.connection, 'close');
    });

    test('the server still answers normally on a fresh connection', async () => {
      assert.equal((await call(server.url, 'GET', '/v3/institutions', { key })).status, 200);
    });
  });
}
