import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestServer, call, databases, useServer } from '@relink/testkit';

for (const kind of databases()) {
  describe(`[${kind}] envelope and errors`, () => {
    const server = useServer(kind);
    let key: string;
    before(async () => {
      key = (await server.createApp()).secretKey;
    });

    test('every response carries x-request-id, and a well-formed caller id is kept', async () => {
      const plain = await call(server.url, 'GET', '/v1/institutions');
      assert.match(plain.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{24}$/);
      const mine = await call(server.url, 'GET', '/nope', { headers: { 'x-request-id': 'trace-123' } });
      assert.equal(mine.headers.get('x-request-id'), 'trace-123');
      const hostile = await call(server.url, 'GET', '/v3/institutions', { headers: { 'x-request-id': 'a b;c' } });
      assert.match(hostile.headers.get('x-request-id') ?? '', /^req_/);
    });

    test('unknown routes are JSON 404s in the envelope of their generation', async () => {
      const v2 = await call(server.url, 'GET', '/v2/nothing-here');
      assert.equal(v2.status, 404);
      assert.equal(v2.body.status, 'failed');
      assert.equal(v2.body.code, 'ROUTE_NOT_FOUND');
      assert.equal(v2.body.data, null);
      assert.match(v2.body.message, /GET \/v2\/nothing-here/);
      const v1 = await call(server.url, 'POST', '/nothing', { body: {} });
      assert.equal(v1.status, 404);
      assert.deepEqual(Object.keys(v1.body).sort(), ['code', 'message', 'status']);
    });

    test('400 names each bad field', async () => {
      const res = await call(server.url, 'GET', '/v3/institutions?auth_method=carrier_pigeon&scope=everything', { key });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'INVALID_INPUT');
      assert.match(res.body.message, /query\.auth_method must be one of "internet_banking", "mobile_banking"/);
      assert.match(res.body.message, /query\.scope must be one of/);
    });

    test('malformed JSON is 400 INVALID_JSON', async () => {
      const res = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        raw: '{"institution": ',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'INVALID_JSON');
      assert.match(res.body.message, /not valid JSON/);
    });

    test('a body that is neither JSON nor a form is 415', async () => {
      const res = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        raw: 'institution=1',
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(res.status, 415);
      assert.equal(res.body.code, 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(res.body.message, /application\/json/);
      assert.match(res.body.message, /application\/x-www-form-urlencoded/);
    });

    test('a body over 1 MiB is 413', async () => {
      const res = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        raw: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.status, 413);
      assert.equal(res.body.code, 'PAYLOAD_TOO_LARGE');
    });

    test('an internal error is a 500 envelope with the request id and no stack', async () => {
      const broken = await startTestServer(kind);
      try {
        const app = await broken.createApp();
        await sql`alter table apps rename column secret_key_hash to secret_key_gone`.execute(broken.services.database.db);
        const res = await call(broken.url, 'GET', '/v3/institutions', { key: app.secretKey });
        assert.equal(res.status, 500);
        assert.equal(res.body.code, 'INTERNAL');
        assert.equal(res.body.status, 'failed');
        const requestId = res.headers.get('x-request-id')!;
        assert.ok(res.body.message.includes(requestId));
        assert.doesNotMatch(res.text, /apps|at .*\.ts|stack|sql/i);
        // Every line about a request names it by `reqId`, as docs/operations.md says.
        const lines = broken.logs.map((line) => JSON.parse(line)).filter((line) => line.reqId === requestId);
        assert.deepEqual(
          lines.map((line) => [line.level, line.msg]),
          [
            [50, 'unhandled error'],
            [30, 'request'],
          ],
        );
        assert.equal(lines[1].status, 500);
      } finally {
        await broken.stop();
      }
    });

    test('health is 200 while the database answers and 503 when it does not', async () => {
      const own = await startTestServer(kind);
      try {
        const ok = await call(own.url, 'GET', '/health');
        assert.equal(ok.status, 200);
        assert.deepEqual(ok.body, { status: 'ok', database: kind });
        await own.services.database.close();
        const down = await call(own.url, 'GET', '/health');
        assert.equal(down.status, 503);
        assert.equal(down.body.code, 'SERVICE_UNAVAILABLE');
        assert.ok(down.headers.get('retry-after'));
      } finally {
        await own.stop();
      }
    });
  });
}
