// Attack: a public key is printed in every partner page, so anyone may hold it and call the
// widget's API without end: sessions by the thousand from one address, guessed public keys, or
// a crowd of addresses on one key. Every route under /v2/connect/widget/ counts per client
// address (tight) and per public key (well above normal use), answering 429 RATE_LIMITED with
// Retry-After in the v2 envelope; a failed public-key authentication counts against the address
// like a failed secret key. The neighbouring address and the neighbouring app are unaffected.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { call, databases, startTestServer, type TestServer, SANDBOX } from '@relink/testkit';
import { routeTable } from '../support/surface.ts';
import { createConnectApp, type TestApp } from '../support/widget.ts';

const MINUTE = 60_000;
const START = { institution: SANDBOX, auth_method: 'internet_banking' };

/** A request from another loopback address (127.0.0.2, …): "another client" without leaving the machine. */
async function from(address: string, base: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const dispatcher = new Agent({ localAddress: address });
  try {
    const res = await request(base + path, {
      dispatcher,
      method: method as 'GET' | 'POST',
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(text || 'null') as any, text };
  } finally {
    await dispatcher.close();
  }
}

function assertLimited(res: { status: number; body: any; headers: Record<string, unknown> }, message: RegExp, what = '') {
  assert.equal(res.status, 429, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.code, 'RATE_LIMITED', what);
  assert.match(res.body.message, message, what);
  assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/, what);
  assert.ok(res.headers['x-request-id'], what);
}

for (const kind of databases()) {
  describe(`[${kind}] limits on the public-key routes`, () => {
    let server: TestServer;
    let app: TestApp;
    before(async () => {
      server = await startTestServer(kind, {
        logLevel: 'warn',
        env: { RELINK_WIDGET_ADDRESS_REQUESTS_PER_MINUTE: '5', RELINK_WIDGET_KEY_REQUESTS_PER_MINUTE: '12', RELINK_AUTH_FAILURES_PER_MINUTE: '3' },
      });
      app = await createConnectApp(server, 'Widget partner');
    });
    after(() => server.stop());

    const start = (address: string, key = app.publicKey) => from(address, server.url, 'POST', '/v2/connect/widget/session', { 'x-public-key': key }, START);
    /** Each test starts in a fresh minute, so the windows of the tests before it are over. */
    const nextMinute = () => server.clock.set((Math.floor(server.clock.now() / MINUTE) + 1) * MINUTE);

    test('per address: the 6th widget request in a minute is 429 with Retry-After on every widget route; another address is unaffected; the minute ends', async () => {
      nextMinute();
      for (let i = 0; i < 5; i++) assert.equal((await start('127.0.0.2')).status, 200);
      const limited = await start('127.0.0.2');
      assertLimited(limited, /widget requests from this address/, 'the 6th');
      assert.equal(limited.body.status, 'failed', 'the v2 envelope');
      assert.equal(limited.body.data, null);
      assert.ok(Number(limited.headers['retry-after']) <= 60);

      // Every widget route, read from the route table: one added later is covered with no line more.
      const widgetRoutes = routeTable(server).filter((r) => r.path.startsWith('/v2/connect/widget/'));
      assert.ok(widgetRoutes.length >= 4, JSON.stringify(widgetRoutes));
      for (const route of widgetRoutes) {
        assertLimited(
          await from('127.0.0.2', server.url, route.method, route.path, { 'x-public-key': app.publicKey, 'x-session-id': 'session_x' }, {}),
          /from this address/,
          route.path,
        );
      }
      assertLimited(await from('127.0.0.2', server.url, 'GET', '/connect/demo'), /from this address/, 'the demo page mints a value per load: limited too');

      assert.equal((await start('127.0.0.3')).status, 200, 'another address');
      server.clock.advance(MINUTE);
      assert.equal((await start('127.0.0.2')).status, 200, 'the next minute');
    });

    test("per public key: the app's 13th widget request in a minute is 429 from any address; another app's key is unaffected; the minute ends", async () => {
      nextMinute();
      const other = await createConnectApp(server, 'Neighbour');
      for (const address of ['127.0.0.4', '127.0.0.5', '127.0.0.6']) for (let i = 0; i < 4; i++) assert.equal((await start(address)).status, 200, address);
      assertLimited(await start('127.0.0.7'), /widget requests with this app's public key/, 'a fresh address, the key spent');
      assert.equal((await start('127.0.0.7', other.publicKey)).status, 200, "another app's key from the same address");
      server.clock.advance(MINUTE);
      assert.equal((await start('127.0.0.7')).status, 200, 'the next minute');
    });

    test('a missing or unknown public key counts as a failed authentication of the address: then even a good key is 429 from it, also on the Partners API', async () => {
      nextMinute();
      const unknown = `test_pk_${'x'.repeat(32)}`;
      assert.equal((await from('127.0.0.8', server.url, 'POST', '/v2/connect/widget/session', {}, START)).status, 401);
      for (let i = 0; i < 2; i++) assert.equal((await start('127.0.0.8', unknown)).status, 401);
      const blocked = await start('127.0.0.8');
      assertLimited(blocked, /missing or invalid public key from this address/, 'a good key after 3 failures');
      assertLimited(
        await from('127.0.0.8', server.url, 'GET', '/v3/institutions', { 'mono-sec-key': app.secretKey }),
        /from this address/,
        'the same address on the Partners API',
      );
      assert.equal((await start('127.0.0.9')).status, 200, 'another address');
    });

    test('the widget page looks keys up too: unknown keys there count against the address, which then gets a 429 page', async () => {
      nextMinute();
      const raw = async (address: string, key: string) => {
        const dispatcher = new Agent({ localAddress: address });
        try {
          const res = await request(`${server.url}/connect?key=${encodeURIComponent(key)}`, { dispatcher });
          return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
        } finally {
          await dispatcher.close();
        }
      };
      for (let i = 0; i < 3; i++) assert.equal((await raw('127.0.0.14', `test_pk_guess${i}`)).status, 401);
      const blocked = await raw('127.0.0.14', app.publicKey);
      assert.equal(blocked.status, 429);
      assert.match(String(blocked.headers['retry-after']), /^[1-9]\d*$/);
      assert.match(blocked.text, /Too many attempts/);
      assert.ok(!blocked.text.includes(app.publicKey), 'the page says nothing about the key');
      assertLimited(await start('127.0.0.14'), /public key from this address/, 'the widget API from that address');
      assert.equal((await raw('127.0.0.15', app.publicKey)).status, 200, 'another address');
    });

    test('the partner routes keep their own budgets: a widget at its limit leaves the secret key working', async () => {
      nextMinute();
      const busy = await createConnectApp(server, 'Busy widget');
      for (const address of ['127.0.0.10', '127.0.0.11', '127.0.0.12']) for (let i = 0; i < 4; i++) await start(address, busy.publicKey);
      assertLimited(await start('127.0.0.13', busy.publicKey), /public key/);
      const partner = await call(server.url, 'POST', '/v2/connect/session', { key: busy.secretKey, body: START });
      assert.equal(partner.status, 200, partner.text);
    });
  });
}
