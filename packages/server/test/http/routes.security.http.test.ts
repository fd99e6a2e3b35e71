// Attack: reaching a route without the right key — none, a malformed one, the app's public key,
// another app's key, a live key on a sandbox helper — to read or change another app's data.
// The matrix is generated from the route table and /openapi.json: every operation, every cell.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, type TestServer, link, PASSWORD, settle, type Receiver, setEndpoint, startReceiver } from '@relink/testkit';
import { step, v2Session } from '../support/linking.ts';
import { fire } from '../support/webhooks.ts';
import { asOpenApi, assertFailure, type Operation, operations, routeTable } from '../support/surface.ts';

/** The only operations open without a key (docs/contract.md conventions and Relink's pages), each with why that is safe. */
const OPEN: Record<string, string> = {
  'GET /health': 'liveness: says nothing about any app',
  'GET /v1/institutions': "Mono's public list of banks",
  'GET /coverage': 'the same list, as coverage',
  'GET /connect': 'the widget page: for a public key it shows the app name and the banks, and holds no data',
  'GET /connect/link/{id}': "a hosted link's page: the link id (about 100 random bits) is the credential the partner sent its user; single use, 24 hours",
  'GET /v2/statements/{token}':
    "a built statement's file: the URL's 256-bit token is the credential its app was given, stored only hashed, gone with the job (1 hour by default); a key sent with it must be the owner's (test/statements/statements.security.http.test.ts)",
};
/** Served but not in /openapi.json: pages and assets for people and browsers, each with why it is safe open. */
const UNDESCRIBED: Record<string, string> = {
  'GET /openapi.json': 'the API description itself',
  'GET /metrics':
    "the operator's, not the Partners API's: a bearer token (RELINK_METRICS_TOKEN) or, without one, this machine's own requests only (test/metrics/metrics.security.http.test.ts)",
  'GET /connect.js': 'a static script, the same for everyone',
  'GET /connect/widget.js': 'a static script, the same for everyone',
  'GET /connect/widget.css': 'a static stylesheet, the same for everyone',
  'GET /connect/demo.js': 'a static script, the same for everyone',
  'GET /connect/demo': "a page for a test-mode app: the sandbox users, the app's public key, and an HttpOnly one-time demo cookie",
  'POST /connect/demo/exchange':
    "exchanges only a code of the session that the same page load started, with that load's one-time cookie, once (test/widget/demo.security.http.test.ts)",
};
/** Swagger UI under /docs: the description above, rendered. */
const DOCS = /^\/docs(\/|$)/;
/** The operator console: every page needs a console session, but these (test/console/auth.security.http.test.ts). */
const CONSOLE = /^\/dashboard(\/|$)/;
const CONSOLE_OPEN: [RegExp, string][] = [
  [/^(GET|POST) \/dashboard\/sign-in$/, 'the sign-in form: limited per email and per address, CSRF-checked'],
  [/^(GET|POST) \/dashboard\/setup\/\{token\}$/, 'a set-up link: its 256-bit token, once, for 24 hours, is the credential'],
  [/^GET \/dashboard\/assets\/console\.[0-9a-f]{12}\.css$/, 'the stylesheet, the same for everyone'],
];
const SANDBOX_HELPERS = new Set([
  'GET /v2/connect/sandbox',
  'POST /v2/sandbox/webhooks/fire',
  'POST /v2/sandbox/accounts/{id}/reset-login',
  'POST /v2/sandbox/reset',
]);
/**
 * Operations behind the secret key. The widget's API takes the public key instead: its matrix
 * is the public-key test below (and test/widget/widget_api.security.http.test.ts, step by step).
 */
const bySecretKey = (op: Operation) => op.secured && !op.publicKey;

for (const kind of databases()) {
  describe(`[${kind}] route security matrix`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let ops: Operation[];
    const owner = { id: '', key: '', publicKey: '', account: '', customer: '', event: '', delivery: '', session: '', code: '', job: '', statementJob: '' };
    let otherKey: string;
    let liveKey: string;

    before(async () => {
      // Hundreds of deliberate 401s from one address: the per-address limit has its own test.
      server = await startTestServer(kind, { env: { RELINK_AUTH_FAILURES_PER_MINUTE: '0' } });
      receiver = await startReceiver();
      const app = (await server.createApp('Owner')) as unknown as { id: string; secretKey: string; publicKey: string };
      owner.id = app.id;
      owner.key = app.secretKey;
      owner.publicKey = app.publicKey;
      assert.match(owner.publicKey, /^test_pk_/);
      otherKey = (await server.createApp('Other')).secretKey;
      liveKey = (await server.createApp('Live', { live: true })).secretKey;
      await setEndpoint(server, owner.key, receiver.url);
      owner.account = await link(server, owner.key, 'user_good');
      owner.customer = (await call(server.url, 'GET', `/v2/accounts/${owner.account}`, { key: owner.key })).body.data.customer.id;
      await settle(server);
      const realtime = await call(server.url, 'GET', `/v2/accounts/${owner.account}/balance`, { key: owner.key, headers: { 'x-realtime': 'true' } });
      owner.job = realtime.headers.get('x-job-id')!;
      assert.match(owner.job, /^[0-9a-f]{24}$/, realtime.text);
      const fired = await fire(server, owner.key, owner.account);
      owner.event = fired.event_id;
      owner.delivery = fired.delivery_id!;
      owner.session = await v2Session(server, owner.key);
      const linked = await v2Session(server, owner.key);
      owner.code = (await step(server, owner.key, 'v2', 'login', linked, { username: 'user_good', password: PASSWORD })).body.data.code;
      owner.statementJob = (await call(server.url, 'GET', `/accounts/${owner.account}/statement?output=pdf`, { key: owner.key })).body.id;
      ops = await operations(server);
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    /** The operation's request, aimed at the owner's resources. */
    const aim = (op: Operation, key: string | undefined) => {
      const id = op.path.includes('/webhooks/events/')
        ? owner.event
        : op.path.includes('/webhooks/deliveries/')
          ? owner.delivery
          : op.path.startsWith('/v2/customers/')
            ? owner.customer
            : owner.account;
      const path = op.path.replace('{id}', id).replace('{jobId}', op.path.includes('/statement/jobs/') ? owner.statementJob : owner.job);
      const headers: Record<string, string> = { 'x-session-id': owner.session };
      const body =
        op.method === 'GET'
          ? undefined
          : op.path.endsWith('/auth')
            ? { code: owner.code }
            : op.path === '/v2/sandbox/webhooks/fire'
              ? { event: 'mono.events.account_updated', account: owner.account }
              : op.path === '/v2/webhooks/endpoint'
                ? { url: receiver.url }
                : op.method === 'PATCH' && op.path === '/v2/customers/{id}'
                  ? { address: '1 Matrix Road, Lagos' }
                  : op.path.endsWith('/session')
                    ? { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' }
                    : op.path.endsWith('/login')
                      ? { username: 'user_good', password: PASSWORD }
                      : {};
      return call(server.url, op.method, path, { ...(key === undefined ? {} : { key }), headers, ...(body === undefined ? {} : { body }) });
    };

    test('every route Fastify serves is described in /openapi.json or listed with why it is safe, and only the listed ones are open', () => {
      const described = new Set(ops.map((op) => `${op.method} ${op.path}`));
      const served = routeTable(server)
        .filter((r) => !DOCS.test(r.path) && !CONSOLE.test(r.path))
        .map((r) => `${r.method} ${asOpenApi(r.path)}`);
      assert.ok(served.length >= 30, `only ${served.length} routes found`);
      for (const route of served) {
        assert.ok(
          described.has(route) || Object.hasOwn(UNDESCRIBED, route),
          `${route} is served but neither in /openapi.json nor listed in UNDESCRIBED with the reason it is safe`,
        );
      }
      for (const route of Object.keys(UNDESCRIBED)) assert.ok(served.includes(route) && !described.has(route), `${route}: a stale UNDESCRIBED entry`);
      for (const op of described) assert.ok(served.includes(op), `${op} is described but not served`);
      for (const op of ops) assert.equal(op.secured, !Object.hasOwn(OPEN, `${op.method} ${op.path}`), `${op.method} ${op.path}`);
    });

    test('every console route but sign-in, set-up and the stylesheet sends a caller without a console session to sign in, and does nothing', async () => {
      const routes = routeTable(server)
        .filter((r) => CONSOLE.test(r.path))
        .map((r) => `${r.method} ${asOpenApi(r.path)}`);
      assert.ok(routes.length >= 15, `only ${routes.length} console routes found`);
      const apps = (await server.services.apps.list()).length;
      // Aimed at the owner's real app, account and delivery, as an attacker holding the partner page's public key and those ids would.
      const idFor = (path: string) =>
        path.startsWith('/dashboard/apps/')
          ? owner.id
          : path.startsWith('/dashboard/accounts/')
            ? owner.account
            : path.includes('/deliveries/')
              ? owner.delivery
              : 'ffffffffffffffffffffffff';
      const credentials: Record<string, string>[] = [
        {},
        { cookie: 'relink_console=forged-session-value' },
        { cookie: `relink_console=${'A'.repeat(43)}` },
        { cookie: `relink_console=${owner.publicKey}` },
        { 'x-public-key': owner.publicKey },
        { 'mono-sec-key': owner.publicKey },
      ];
      for (const route of routes) {
        if (CONSOLE_OPEN.some(([pattern]) => pattern.test(route))) continue;
        const [method, path] = route.split(' ') as [string, string];
        for (const given of credentials) {
          const form = {
            raw: 'name=x&origin=https://x.example&url=https://x.example&ids=' + owner.delivery,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          };
          const res = await call(server.url, method, path.replace(/\{\w+\}/g, idFor(path)), {
            ...(method === 'POST' ? { raw: form.raw } : {}),
            headers: { ...given, ...(method === 'POST' ? form.headers : {}) },
          });
          assert.equal(res.status, 303, `${route} with ${JSON.stringify(given)}`);
          assert.equal(res.headers.get('location'), '/dashboard/sign-in', route);
        }
      }
      assert.equal((await server.services.apps.list()).length, apps, 'no app was made');
      // Nothing of the owner's changed: its key works, its account is linked, no operator action was recorded.
      assert.equal((await call(server.url, 'GET', `/v2/accounts/${owner.account}`, { key: owner.key })).status, 200);
      assert.deepEqual((await server.services.operators.audit({ page: 1, limit: 10 })).items, []);
    });

    test('no key, a malformed key, a wrong key, and the public key: 401 INVALID_API_KEY on every secured operation', async () => {
      for (const op of ops.filter(bySecretKey)) {
        const what = `${op.method} ${op.path}`;
        for (const key of [
          undefined,
          '',
          'garbage',
          'test_sk_',
          `test_sk_${'0'.repeat(32)}`,
          `live_sk_${'A'.repeat(32)}`,
          owner.key.toUpperCase(),
          owner.publicKey,
        ]) {
          assertFailure(await aim(op, key), 401, 'INVALID_API_KEY', `${what} with ${JSON.stringify(key)}`);
        }
      }
    });

    test("another app's key (test or live) never reads or changes the owner's resources", async () => {
      for (const key of [otherKey, liveKey]) {
        for (const op of ops.filter(bySecretKey)) {
          const what = `${op.method} ${op.path} (${key === liveKey ? 'live' : 'test'} key of another app)`;
          const res = await aim(op, key);
          assert.ok(res.status < 500, `${what}: ${res.text}`);
          if (key === liveKey && SANDBOX_HELPERS.has(`${op.method} ${op.path}`)) {
            assertFailure(res, 403, 'FORBIDDEN', what);
          } else if (op.path.includes('{id}')) {
            assertFailure(res, 404, /_NOT_FOUND$/, what);
          } else if (/\/(login|commit)$/.test(op.path)) {
            assertFailure(res, 404, 'SESSION_NOT_FOUND', what);
          } else if (op.path.endsWith('/auth')) {
            assertFailure(res, 400, 'CODE_INVALID', what);
          }
          // A refusal may echo what the caller sent; an answer must hold none of the owner's ids.
          if (res.status < 300) {
            for (const secret of [owner.account, owner.customer, owner.event, owner.delivery, owner.session, owner.code, owner.job, owner.statementJob])
              assert.ok(!res.text.includes(secret), `${what} shows ${secret}`);
          }
        }
      }
      // And everything is still the owner's: the account is linked, its customer there, the code unused.
      assert.equal((await call(server.url, 'GET', `/v2/accounts/${owner.account}`, { key: owner.key })).status, 200);
      assert.equal((await call(server.url, 'GET', `/v2/customers/${owner.customer}`, { key: owner.key })).status, 200);
      assert.equal((await call(server.url, 'POST', '/account/auth', { key: owner.key, body: { code: owner.code } })).status, 200);
    });

    // The widget's operations take the public key, which sits in every partner page: with none,
    // a malformed one, a secret key, or another app's public key, they touch nothing of the owner.
    test('the public-key operations: no key, a bad key or a secret key is 401; another app’s public key reaches none of the owner’s sessions or accounts', async () => {
      const publicOps = ops.filter((op) => op.publicKey);
      assert.deepEqual(
        publicOps.map((op) => `${op.method} ${op.path}`).filter((route) => !route.startsWith('POST /v2/connect/widget/')),
        [],
        'every public-key operation is a widget operation',
      );
      assert.ok(publicOps.length >= 5, `${publicOps.length} public-key operations`);
      const other = (await server.createApp('Other widget')) as unknown as { publicKey: string };
      const widgetSession = (
        await call(server.url, 'POST', '/v2/connect/widget/session', {
          headers: { 'x-public-key': owner.publicKey },
          body: { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' },
        })
      ).body.data.session.id as string;
      const aimPublic = (op: Operation, key: string | undefined, extra: Record<string, string> = {}) => {
        const body = op.path.endsWith('/session')
          ? { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' }
          : op.path.endsWith('/reauth')
            ? { account: owner.account }
            : op.path.endsWith('/login')
              ? { username: 'user_good', password: PASSWORD }
              : op.path.endsWith('/cancel')
                ? undefined
                : {};
        const headers: Record<string, string> = { 'x-session-id': widgetSession, ...extra };
        if (key !== undefined) headers['x-public-key'] = key;
        return call(server.url, op.method, op.path, { headers, ...(body === undefined ? {} : { body }) });
      };
      for (const op of publicOps) {
        const what = `${op.method} ${op.path}`;
        for (const key of [undefined, '', 'garbage', `test_pk_${'0'.repeat(32)}`, owner.key, owner.publicKey.toUpperCase()]) {
          assertFailure(await aimPublic(op, key), 401, 'INVALID_API_KEY', `${what} with ${JSON.stringify(key)}`);
        }
        assertFailure(await aimPublic(op, undefined, { 'mono-sec-key': owner.key }), 401, 'INVALID_API_KEY', `${what} with the secret key in mono-sec-key`);
        const res = await aimPublic(op, other.publicKey);
        assert.ok(res.status < 500, `${what}: ${res.text}`);
        if (op.path.endsWith('/reauth')) assertFailure(res, 404, 'ACCOUNT_NOT_FOUND', `${what} with another app's public key`);
        else if (!op.path.endsWith('/session')) assertFailure(res, 404, 'SESSION_NOT_FOUND', `${what} with another app's public key`);
        else assert.ok(!res.text.includes(widgetSession) && !res.text.includes(owner.account), `${what} shows the owner's ids`);
      }
      // The owner's widget session is untouched: its login still works with the owner's public key.
      const login = await call(server.url, 'POST', '/v2/connect/widget/login', {
        headers: { 'x-public-key': owner.publicKey, 'x-session-id': widgetSession },
        body: { username: 'user_good', password: PASSWORD },
      });
      assert.equal(login.body.responseCode, 99, login.text);
    });

    test('a live key on a sandbox helper is 403 even for its own resources', async () => {
      for (const op of ops.filter((o) => SANDBOX_HELPERS.has(`${o.method} ${o.path}`))) {
        assertFailure(await aim(op, liveKey), 403, 'FORBIDDEN', `${op.method} ${op.path}`);
      }
    });

    test('the owner reaches every secured operation with its secret key (nothing above was a blanket refusal)', async () => {
      const unlinkLast = (o: Operation) => (o.path.endsWith('/unlink') ? 1 : 0);
      for (const op of ops.filter(bySecretKey).sort((x, y) => unlinkLast(x) - unlinkLast(y))) {
        if (op.path.endsWith('/unlink')) owner.account = await link(server, owner.key, 'user_good');
        const res = await aim(op, owner.key);
        assert.ok(res.status < 500 && res.status !== 401 && res.status !== 403 && res.status !== 404, `${op.method} ${op.path}: ${res.status} ${res.text}`);
      }
    });
  });
}
