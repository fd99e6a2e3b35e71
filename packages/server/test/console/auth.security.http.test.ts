// Attack: taking over the operator console. The console can create apps and rotate every key, so
// whoever gets in owns every partner's integration. These tests hold the doors: a set-up link works
// once and only for a day; a password is checked against a limited number of guesses per email and
// per address, shared through the database; the answer for an unknown email is the wrong password's;
// a form posted from another site, or without its page's token, changes nothing; a session ends when
// idle, at its absolute limit and at sign-out; and no page is cached, framed or able to run a script.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databases, useServer } from '@relink/testkit';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, SETUP_TTL_MS, SIGN_IN_LIMITS } from '../../src/operators/service.ts';
import { addOperator, ConsoleClient, PASSWORD, signedIn, visible } from '../support/console.ts';

for (const kind of databases()) {
  describe(`[${kind}] operator console: sign-in and its defences`, () => {
    const server = useServer(kind, { logLevel: 'info' });

    test('a page needs a session: anyone else is sent to sign in; the sign-in page carries the security headers', async () => {
      const client = new ConsoleClient(server.url);
      for (const path of ['/dashboard', '/dashboard/apps', '/dashboard/audit', '/dashboard/apps/0123456789abcdef01234567']) {
        const page = await client.get(path);
        assert.equal(page.status, 303, path);
        assert.equal(page.location, '/dashboard/sign-in', path);
      }
      const post = await client.post('/dashboard/apps', { name: 'sneaky' }, { csrf: 'x' });
      assert.equal(post.status, 303);
      assert.deepEqual(await server.services.apps.list(), []);
      const signIn = await client.get('/dashboard/sign-in');
      assert.equal(signIn.status, 200);
      const csp = signIn.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'none'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"]) {
        assert.ok(csp.split('; ').includes(directive), `${directive} in ${csp}`);
      }
      assert.doesNotMatch(csp, /script-src|unsafe-inline/, 'no script may run at all');
      assert.equal(signIn.headers.get('cache-control'), 'no-store');
      assert.equal(signIn.headers.get('x-frame-options'), 'DENY');
      assert.equal(signIn.headers.get('referrer-policy'), 'same-origin', 'a set-up link never leaves in a Referer to another site');
      assert.doesNotMatch(signIn.text, /<script|style=/i, 'no inline script or style for the policy to refuse');
      // The stylesheet named by the page is long-cached under its content hash.
      const href = /<link rel="stylesheet" href="(\/dashboard\/assets\/console\.[0-9a-f]{12}\.css)">/.exec(signIn.text)?.[1] ?? assert.fail(signIn.text);
      const css = await fetch(server.url + href);
      assert.equal(css.status, 200);
      assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    });

    test('a set-up link works once: the password is set, the link then says it is used, and only a hash is stored', async () => {
      const client = new ConsoleClient(server.url);
      const path = await addOperator(server, 'Once@Example.com');
      const token = path.split('/').pop()!;
      const form = await client.get(path);
      assert.equal(form.status, 200);
      assert.match(visible(form.text), /You are setting the password of once@example\.com/);
      const short = await client.post(path, { password: 'short', confirm: 'short' });
      assert.equal(short.status, 400);
      assert.match(visible(short.text), /at least 12 characters/);
      const mismatch = await client.post(path, { password: PASSWORD, confirm: `${PASSWORD}!` });
      assert.equal(mismatch.status, 400);
      assert.match(visible(mismatch.text), /The two passwords are not the same/);
      const done = await client.post(path, { password: PASSWORD, confirm: PASSWORD });
      assert.equal(done.status, 303);
      assert.equal(done.location, '/dashboard/sign-in?done=set-up');
      assert.equal((await client.get(path)).status, 410);
      const again = await client.post(path, { password: 'another long password', confirm: 'another long password' });
      assert.equal(again.status, 410);
      const row = await server.services.database.db.selectFrom('operators').selectAll().where('email', '=', 'once@example.com').executeTakeFirstOrThrow();
      assert.match(row.password_hash ?? '', /^scrypt\$15\$8\$3\$[A-Za-z0-9_-]{43}\$[A-Za-z0-9_-]{43}$/);
      assert.ok(!JSON.stringify(row).includes(token) && !JSON.stringify(row).includes(PASSWORD), 'neither the token nor the password is stored');
      const logs = server.logs.join('');
      assert.ok(!logs.includes(token) && !logs.includes(PASSWORD), 'nor logged');
      assert.ok(logs.includes('"/dashboard/setup/[redacted]"'), 'the request lines name the page without its token');
      // The first password works, the one tried on the spent link does not.
      const signIn = new ConsoleClient(server.url);
      await signIn.get('/dashboard/sign-in');
      assert.equal((await signIn.post('/dashboard/sign-in', { email: 'once@example.com', password: 'another long password' })).status, 401);
      assert.equal((await signIn.post('/dashboard/sign-in', { email: 'ONCE@example.com ', password: PASSWORD })).status, 303);
    });

    test('a set-up link expires after 24 hours; a reset ends every session and the old password', async () => {
      const client = new ConsoleClient(server.url);
      const path = await addOperator(server, 'late@example.com');
      server.clock.advance(SETUP_TTL_MS + 1);
      assert.equal((await client.get(path)).status, 410);
      assert.equal((await client.post(path, { password: PASSWORD, confirm: PASSWORD }, { csrf: 'x' })).status, 403, 'no token of that page');

      const operator = await signedIn(server, 'reset@example.com');
      assert.equal((await operator.get('/dashboard')).status, 200);
      const reset = (await server.services.operators.resetPassword('reset@example.com', 'cli'))!;
      assert.equal(reset.sessionsEnded, 1);
      const after = await operator.get('/dashboard');
      assert.equal(after.status, 303, 'the session ended');
      assert.ok(!operator.cookies.has('relink_console'), 'and its cookie is cleared');
      await operator.get('/dashboard/sign-in');
      assert.equal(
        (await operator.post('/dashboard/sign-in', { email: 'reset@example.com', password: PASSWORD })).status,
        401,
        'the old password no longer works',
      );
      const setup = new ConsoleClient(server.url);
      await setup.get(`/dashboard/setup/${reset.token}`);
      assert.equal(
        (await setup.post(`/dashboard/setup/${reset.token}`, { password: 'a brand new passphrase', confirm: 'a brand new passphrase' })).status,
        303,
      );
      await setup.get('/dashboard/sign-in');
      assert.equal((await setup.post('/dashboard/sign-in', { email: 'reset@example.com', password: 'a brand new passphrase' })).status, 303);
    });

    test('wrong passwords are limited per email, with the time to wait; an unknown email gets the same answer', async () => {
      await signedIn(server, 'guessed@example.com');
      const attacker = new ConsoleClient(server.url);
      await attacker.get('/dashboard/sign-in');
      const answers: string[] = [];
      for (let i = 0; i < SIGN_IN_LIMITS.perEmail; i++) {
        const page = await attacker.post('/dashboard/sign-in', { email: 'guessed@example.com', password: `guess number ${i}` });
        assert.equal(page.status, 401);
        answers.push(visible(page.text).replace(/guessed@example\.com/, 'EMAIL'));
      }
      const unknown = await attacker.post('/dashboard/sign-in', { email: 'nobody@example.com', password: 'guess number 0' });
      assert.equal(unknown.status, 401);
      assert.equal(visible(unknown.text).replace(/nobody@example\.com/, 'EMAIL'), answers[0], 'an unknown email reads like a wrong password');
      // The right password, too, is refused once the email's guesses are spent.
      const limited = await attacker.post('/dashboard/sign-in', { email: 'guessed@example.com', password: PASSWORD });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), String(SIGN_IN_LIMITS.windowMs / 1000));
      assert.match(visible(limited.text), /Too many failed sign-ins for this email or from your network\. Try again in 15 minutes\./);
      assert.ok(!attacker.cookies.has('relink_console'));
      // The count is in the database, so every instance shares it; it lapses after the window.
      const row = await server.services.database.db.selectFrom('operator_sign_in_failures').selectAll().where('subject', 'like', 'email:%').execute();
      assert.ok(row.some((r) => r.failures === SIGN_IN_LIMITS.perEmail));
      server.clock.advance(SIGN_IN_LIMITS.windowMs);
      assert.equal((await attacker.post('/dashboard/sign-in', { email: 'guessed@example.com', password: PASSWORD })).status, 303);
      const left = await server.services.database.db.selectFrom('operator_sign_in_failures').selectAll().execute();
      assert.ok(
        left.every((r) => r.window_start > server.clock.now() - SIGN_IN_LIMITS.windowMs),
        'counts whose window passed are deleted, so the table holds only live ones',
      );
      const audit = await server.services.operators.audit({ page: 1, limit: 50 });
      const actions = audit.items.filter((e) => e.actor === 'guessed@example.com').map((e) => e.action);
      assert.equal(actions.filter((a) => a === 'sign_in.failed').length, SIGN_IN_LIMITS.perEmail);
      assert.ok(actions.includes('sign_in.limited'));
    });

    test('guesses across many emails are limited per address', async () => {
      server.clock.advance(SIGN_IN_LIMITS.windowMs);
      const attacker = new ConsoleClient(server.url);
      await attacker.get('/dashboard/sign-in');
      for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i++) {
        assert.equal((await attacker.post('/dashboard/sign-in', { email: `user${i}@example.com`, password: 'a guess of a password' })).status, 401);
      }
      const limited = await attacker.post('/dashboard/sign-in', { email: 'another@example.com', password: 'a guess of a password' });
      assert.equal(limited.status, 429);
      server.clock.advance(SIGN_IN_LIMITS.windowMs);
    });

    test('a form without its token, with another session’s token, or from another site is refused with 403 and changes nothing', async () => {
      const operator = await signedIn(server, 'csrf@example.com');
      const other = await signedIn(server, 'other@example.com');
      await operator.get('/dashboard/apps');
      await other.get('/dashboard/apps');
      const attempts = [
        ['no token', { csrf: null }, /not sent from a page of this console, or the page is too old/],
        ['another session’s token', { csrf: other.csrf! }, /not sent from a page of this console/],
        ['a cross-site Origin', { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }, /sent from another site/],
        ['a foreign Origin alone', { headers: { origin: 'https://evil.example', 'sec-fetch-site': '' } }, /sent from another site/],
        ['Sec-Fetch-Site same-site', { headers: { 'sec-fetch-site': 'same-site' } }, /sent from another site/],
        ['Origin null from another site', { headers: { origin: 'null', 'sec-fetch-site': 'cross-site' } }, /sent from another site/],
      ] as const;
      for (const [what, options, message] of attempts) {
        const headers: Record<string, string> = Object.fromEntries(
          Object.entries((options as { headers?: Record<string, string> }).headers ?? {}).filter(([, v]) => v !== ''),
        );
        const refused = await operator.post('/dashboard/apps', { name: `csrf ${what}` }, { ...options, headers });
        assert.equal(refused.status, 403, what);
        assert.match(visible(refused.text), /Form refused/, what);
        assert.match(visible(refused.text), message, what);
        assert.equal(refused.headers.get('cache-control'), 'no-store');
      }
      const signOut = await operator.post('/dashboard/sign-out', {}, { csrf: null });
      assert.equal(signOut.status, 403, 'sign-out is a form like the others');
      assert.deepEqual(
        (await server.services.apps.list()).filter((a) => a.name.startsWith('csrf')),
        [],
      );
      // The sign-in form is protected as well: its token comes from a cookie set with the page.
      const stranger = new ConsoleClient(server.url);
      assert.equal((await stranger.post('/dashboard/sign-in', { email: 'csrf@example.com', password: PASSWORD }, { csrf: null })).status, 403);
      // With the page's token and the browser's own headers it goes through.
      const created = await operator.post('/dashboard/apps', { name: 'csrf fine' });
      assert.equal(created.status, 201);
    });

    test('a session ends after 2 idle hours, after 12 hours whatever, and at sign-out', async () => {
      const idle = await signedIn(server, 'idle@example.com');
      server.clock.advance(SESSION_IDLE_MS - 60_000);
      assert.equal((await idle.get('/dashboard')).status, 200, 'still within the idle time');
      server.clock.advance(SESSION_IDLE_MS - 60_000);
      assert.equal((await idle.get('/dashboard')).status, 200, 'each request moves the idle time on');
      server.clock.advance(SESSION_IDLE_MS);
      assert.equal((await idle.get('/dashboard')).status, 303, 'idle too long');

      const busy = await signedIn(server, 'busy@example.com');
      for (let spent = 0; spent < SESSION_ABSOLUTE_MS - 3_600_000; spent += 3_600_000) {
        server.clock.advance(3_600_000);
        assert.equal((await busy.get('/dashboard')).status, 200);
      }
      server.clock.advance(3_600_000);
      assert.equal((await busy.get('/dashboard')).status, 303, 'twelve hours after sign-in');

      const leaving = await signedIn(server, 'leaving@example.com');
      const cookie = leaving.cookies.get('relink_console')!;
      await leaving.get('/dashboard');
      const out = await leaving.post('/dashboard/sign-out', {});
      assert.equal(out.status, 303);
      assert.equal(out.location, '/dashboard/sign-in?done=signed-out');
      assert.ok(!leaving.cookies.has('relink_console'));
      // The old cookie, replayed, opens nothing: the row is gone.
      const replay = new ConsoleClient(server.url);
      replay.cookies.set('relink_console', cookie);
      assert.equal((await replay.get('/dashboard')).status, 303);
      const rows = await server.services.database.db.selectFrom('operator_sessions').selectAll().execute();
      assert.ok(!JSON.stringify(rows).includes(cookie), 'only hashes of session ids are stored');
    });

    test('names written by anyone render as text: an app or an operator called <script> runs nothing', async () => {
      const operator = await signedIn(server, 'escaping@example.com');
      await server.createApp('<script>alert(1)</script><img src=x onerror=alert(2)>');
      await operator.get('/dashboard/apps');
      const created = await operator.post('/dashboard/apps', { name: '"><script>alert(3)</script>' });
      assert.equal(created.status, 201);
      for (const path of ['/dashboard/apps', '/dashboard', '/dashboard/accounts', '/dashboard/webhooks', '/dashboard/audit']) {
        const page = await operator.get(path);
        assert.equal(page.status, 200, path);
        assert.doesNotMatch(page.text, /<script|<img/i, path);
        assert.equal(page.headers.get('cache-control'), 'no-store', path);
      }
      assert.match((await operator.get('/dashboard/apps')).text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;/);
      assert.match((await operator.get('/dashboard/audit')).text, /&quot;&gt;&lt;script&gt;alert\(3\)/);
    });
  });
}
