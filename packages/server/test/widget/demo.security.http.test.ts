// Attack: the demo page exchanges codes on the server as the partner's backend would, so a
// public key and a code leaked from someone else's session (a redirect URL, a log) would buy
// the account holder's name and number. The exchange works only for a code from the session
// that very page load started (an HttpOnly, one-time, short-lived demo cookie), once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, type HttpResult, startTestServer, type TestServer, PASSWORD, SANDBOX } from '@relink/testkit';
import { step, v2Session } from '../support/linking.ts';
import { createConnectApp, type TestApp, widget } from '../support/widget.ts';

const MINUTE = 60_000;

for (const kind of databases()) {
  describe(`[${kind}] /connect/demo/exchange: only the page's own session, once`, () => {
    let server: TestServer;
    let sandbox: TestApp;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      sandbox = await createConnectApp(server, 'Sandbox');
    });
    after(() => server.stop());

    /** Loads the demo page as a browser does; returns its cookie (`relink_demo=…`) and the header that set it. */
    const loadDemo = async () => {
      const res = await call(server.url, 'GET', '/connect/demo');
      assert.equal(res.status, 200, res.text);
      const header = res.headers.get('set-cookie') ?? '';
      const cookie = /^(relink_demo=[^;]+)/.exec(header)?.[1];
      assert.ok(cookie, `the page sets its demo cookie: ${header}`);
      return { cookie, header };
    };
    /** A widget session as the widget page starts it (the browser sends the cookie along), logged in: its code. */
    const linkWith = async (cookie: string | undefined, username = 'user_good') => {
      const started = await widget(
        server,
        sandbox.publicKey,
        'session',
        { institution: SANDBOX, auth_method: 'internet_banking' },
        undefined,
        cookie ? { cookie } : {},
      );
      assert.equal(started.status, 200, started.text);
      const done = await widget(server, sandbox.publicKey, 'login', { username, password: PASSWORD }, started.body.data.session.id, cookie ? { cookie } : {});
      assert.equal(done.body.responseCode, 99, done.text);
      return done.body.data.code as string;
    };
    const exchange = (code: string, cookie?: string) =>
      call(server.url, 'POST', '/connect/demo/exchange', { body: { code }, headers: cookie ? { cookie } : {} });
    const refused = (res: HttpResult, status: number, code: string, what: string) => {
      assert.equal(res.status, status, `${what}: ${res.text}`);
      assert.equal(res.body.status, 'failed', what);
      assert.equal(res.body.code, code, what);
      assert.ok(res.headers.get('x-request-id'), what);
      assert.ok(!/account/i.test(JSON.stringify(Object.keys(res.body))), `${what}: no account in the answer`);
    };
    /** The partner can still exchange a code the demo refused: the refusal spent nothing. */
    const stillThePartners = async (code: string) => {
      const res = await call(server.url, 'POST', '/account/auth', { key: sandbox.secretKey, body: { code } });
      assert.equal(res.status, 200, res.text);
    };

    test('the page load binds its own session: its code exchanges once, and the account number is masked', async () => {
      const { cookie, header } = await loadDemo();
      assert.match(header, /HttpOnly/i);
      assert.match(header, /SameSite=Strict/i);
      assert.match(header, /Path=\//);
      assert.match(header, /Max-Age=\d+/);
      const code = await linkWith(cookie);
      const res = await exchange(code, cookie);
      assert.equal(res.status, 200, res.text);
      const shown = res.body.account;
      const account = await call(server.url, 'GET', `/v2/accounts/${shown.id}`, { key: sandbox.secretKey });
      const number: string = account.body.data.account.account_number;
      assert.match(shown.accountNumber, new RegExp(`^•+${number.slice(-4)}$`));
      assert.ok(!res.text.includes(number), 'the full account number is not shown');
      assert.equal(shown.name, account.body.data.account.name);

      refused(await exchange(code, cookie), 403, 'FORBIDDEN', 'the same demo value again');
    });

    test("a code from a session the page did not start gets nothing, and stays the partner's", async () => {
      const { cookie } = await loadDemo();
      const fromWidget = await linkWith(undefined);
      refused(await exchange(fromWidget, cookie), 400, 'CODE_INVALID', "another widget session's code with a fresh demo value");
      refused(await exchange(fromWidget), 403, 'FORBIDDEN', 'no demo value at all');
      await stillThePartners(fromWidget);

      const linked = await v2Session(server, sandbox.secretKey);
      const fromPartner = (await step(server, sandbox.secretKey, 'v2', 'login', linked, { username: 'user_good', password: PASSWORD })).body.data.code;
      refused(await exchange(fromPartner, cookie), 400, 'CODE_INVALID', "a partner session's code");
      await stillThePartners(fromPartner);

      // The page's own session is still bound: nothing above spent the demo value.
      assert.equal((await exchange(await linkWith(cookie), cookie)).status, 200);
    });

    test("one page load's demo value does not open another page load's session", async () => {
      const a = await loadDemo();
      const b = await loadDemo();
      const codeOfB = await linkWith(b.cookie);
      refused(await exchange(codeOfB, a.cookie), 400, 'CODE_INVALID', "page A with page B's code");
      assert.equal((await exchange(codeOfB, b.cookie)).status, 200);
    });

    test('a made-up, old or spent demo value gets nothing', async () => {
      const code = await linkWith(undefined);
      for (const cookie of ['relink_demo=', 'relink_demo=made-up', `relink_demo=${'A'.repeat(43)}`])
        refused(await exchange(code, cookie), 403, 'FORBIDDEN', cookie);
      await stillThePartners(code);

      // Old: the page was loaded 16 minutes ago (a demo value lives 15); the session and code are fresh.
      const old = await loadDemo();
      server.clock.advance(12 * MINUTE);
      const late = await linkWith(old.cookie);
      server.clock.advance(4 * MINUTE);
      refused(await exchange(late, old.cookie), 403, 'FORBIDDEN', 'a demo value past its 15 minutes');
      await stillThePartners(late);

      // Spent: after one exchange, another session started from the same page load is not bound.
      const spent = await loadDemo();
      assert.equal((await exchange(await linkWith(spent.cookie), spent.cookie)).status, 200);
      const again = await linkWith(spent.cookie);
      refused(await exchange(again, spent.cookie), 403, 'FORBIDDEN', 'a spent demo value');
      await stillThePartners(again);
    });

    test("a session another app's widget started with the demo cookie is not the demo's", async () => {
      const { cookie } = await loadDemo();
      const other = await createConnectApp(server, 'Another test app');
      const started = await widget(server, other.publicKey, 'session', { institution: SANDBOX, auth_method: 'internet_banking' }, undefined, { cookie });
      const done = await widget(server, other.publicKey, 'login', { username: 'user_good', password: PASSWORD }, started.body.data.session.id, { cookie });
      assert.equal(done.body.responseCode, 99, done.text);
      refused(await exchange(done.body.data.code, cookie), 400, 'CODE_INVALID', "another app's code");
      assert.equal((await call(server.url, 'POST', '/account/auth', { key: other.secretKey, body: { code: done.body.data.code } })).status, 200);
      // The page's own session still works afterwards: the other app's session bound nothing.
      assert.equal((await exchange(await linkWith(cookie), cookie)).status, 200);
    });
  });
}
