// Attack: reading /metrics from elsewhere (request rates by route, institutions, the webhook
// backlog and the process's internals tell an outsider about the partners' traffic), through a
// proxy on the same machine, or by guessing the token. Without RELINK_METRICS_TOKEN only this
// machine's own requests are answered; with it, only the token, compared in constant time, and
// failed guesses count against the address like a wrong API key.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, type TestServer } from '@relink/testkit';
import { parseExposition, valueOf } from '../support/prometheus.ts';

const TOKEN = 'c0ffee'.repeat(8);
/** An address outside this machine (TEST-NET-3), given to Fastify's in-process `inject`: no packet is sent anywhere. */
const REMOTE = '203.0.113.7';

/** GET /metrics in process, as if from `remoteAddress`. */
async function scrapeFrom(server: TestServer, remoteAddress: string, headers: Record<string, string> = {}) {
  const res = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });
  return {
    status: res.statusCode,
    headers: res.headers,
    text: res.body,
    body: String(res.headers['content-type']).startsWith('application/json') ? res.json() : undefined,
  };
}

/** The v2 failure envelope, with its catalogue code. */
function assertRefused(res: Awaited<ReturnType<typeof scrapeFrom>>, status: number, code: string) {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'data', 'message', 'status', 'timestamp']);
  assert.equal(res.body.status, 'failed');
  assert.equal(res.body.code, code);
  assert.equal(res.body.data, null);
  assert.ok(!res.text.includes('relink_'), 'no series in a refusal');
}

for (const kind of databases()) {
  describe(`[${kind}] /metrics without a token: this machine only`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(kind, { env: { RELINK_TRUST_PROXY: 'loopback' } });
    });
    after(() => server.stop());

    test('loopback clients, IPv4, IPv6 and IPv4-mapped, are answered', async () => {
      for (const address of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1']) {
        const res = await scrapeFrom(server, address);
        assert.equal(res.status, 200, `${address}: ${res.text}`);
        parseExposition(res.text);
      }
      assert.equal((await call(server.url, 'GET', '/metrics')).status, 200, "the tests' own calls come from loopback");
    });

    test('a remote client is refused 403 FORBIDDEN in the v2 envelope, saying how to open it', async () => {
      for (const address of [REMOTE, '10.0.0.5', '::ffff:203.0.113.7', '2001:db8::1']) {
        const res = await scrapeFrom(server, address);
        assertRefused(res, 403, 'FORBIDDEN');
        assert.match(res.body.message, /RELINK_METRICS_TOKEN/);
      }
    });

    test('a request a proxy on this machine passed on is not local, whatever RELINK_TRUST_PROXY believes', async () => {
      const passedOn: Record<string, string>[] = [
        { 'x-forwarded-for': REMOTE },
        { 'x-forwarded-for': '127.0.0.1' },
        { forwarded: `for=${REMOTE}` },
        { 'x-real-ip': REMOTE },
      ];
      for (const headers of passedOn) {
        assertRefused(await scrapeFrom(server, '127.0.0.1', headers), 403, 'FORBIDDEN');
      }
    });

    test('a bearer token is no use when none is configured', async () => {
      assertRefused(await scrapeFrom(server, REMOTE, { authorization: `Bearer ${TOKEN}` }), 403, 'FORBIDDEN');
    });

    test('the route is not in the Partners API description', async () => {
      const doc = (await call(server.url, 'GET', '/openapi.json')).body;
      assert.ok(!Object.hasOwn(doc.paths, '/metrics'));
    });
  });

  describe(`[${kind}] /metrics with RELINK_METRICS_TOKEN`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(kind, { env: { RELINK_METRICS_TOKEN: TOKEN, RELINK_AUTH_FAILURES_PER_MINUTE: '3' } });
    });
    after(() => server.stop());

    test('the token opens it from anywhere; the scheme is case-insensitive', async () => {
      for (const [address, scheme] of [
        [REMOTE, 'Bearer'],
        ['127.0.0.1', 'bearer'],
        ['2001:db8::2', 'BEARER'],
      ] as const) {
        const res = await scrapeFrom(server, address, { authorization: `${scheme} ${TOKEN}` });
        assert.equal(res.status, 200, res.text);
        parseExposition(res.text);
      }
    });

    test('no token, a wrong one, a near one or another scheme: 401 INVALID_API_KEY with a Bearer challenge, loopback included', async () => {
      const tries: Record<string, string>[] = [
        {},
        { authorization: '' },
        { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
        { authorization: `Bearer ${TOKEN}0` },
        { authorization: `Bearer ${TOKEN.toUpperCase()}` },
        { authorization: `Basic ${Buffer.from(`relink:${TOKEN}`).toString('base64')}` },
        { authorization: `Bearer ${TOKEN} ${TOKEN}` },
        { authorization: TOKEN },
      ];
      for (const [i, headers] of tries.entries()) {
        // A fresh address each time, so the per-address limit below does not answer first.
        const res = await scrapeFrom(server, i % 2 === 0 ? `127.0.0.${10 + i}` : `198.51.100.${10 + i}`, headers);
        assertRefused(res, 401, 'INVALID_API_KEY');
        assert.equal(res.headers['www-authenticate'], 'Bearer realm="relink-metrics"');
        assert.ok(!res.text.includes(TOKEN), 'the answer never shows the token');
      }
      assert.ok(!server.logs.some((line) => line.includes(TOKEN)), 'nor does the log');
    });

    test('guessing from one address: after 3 failures it is 429 even with the right token, counted in relink_rate_limited_total', async () => {
      const guesser = '198.51.100.99';
      const auth = { authorization: `Bearer ${TOKEN}` };
      const before = parseExposition((await scrapeFrom(server, REMOTE, auth)).text);
      for (let i = 0; i < 3; i++) assertRefused(await scrapeFrom(server, guesser, { authorization: `Bearer guess-${i}` }), 401, 'INVALID_API_KEY');
      const limited = await scrapeFrom(server, guesser, auth);
      assertRefused(limited, 429, 'RATE_LIMITED');
      assert.match(String(limited.headers['retry-after']), /^[1-9]\d*$/);
      assert.match(limited.body.message, /metrics token/);
      const after = parseExposition((await scrapeFrom(server, REMOTE, auth)).text);
      const moved = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
      assert.equal(moved('relink_rate_limited_total', { limit: 'auth_failures' }), 1);
      assert.equal(moved('relink_http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status: '401' }), 3);
      assert.equal(moved('relink_http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status: '429' }), 1);
    });
  });
}
