import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { call, databases, startTestServer, type TestServer, exchange, link, OTP, PASSWORD } from '@relink/testkit';
import { fillAndEnter, onScreen, widgetFrame } from '@relink/testkit/browser';
import { inBrowser, shoot, type PartnerSite } from '../support/browser.ts';
import { createConnectApp, type TestApp } from '../support/widget.ts';

declare const window: any;
declare const document: any;

for (const kind of databases()) {
  describe(`[${kind}] the widget in a real browser, through Relink's connect.js`, () => {
    let server: TestServer;
    let app: TestApp;
    let site: PartnerSite;
    let browser: Browser;
    const parts = inBrowser(() => startTestServer(kind));
    before(async () => {
      ({ server, site, browser } = parts);
      app = await createConnectApp(server, 'Acme Loans');
    });

    async function openWidget(options: Record<string, unknown> = {}, width = 1000): Promise<Page> {
      const page = await browser.newPage({ viewport: { width, height: 760 } });
      await page.goto(`${site.url}/shop.html`);
      await page.evaluate(
        (o) => {
          window.connect = window.makeConnect(o);
          window.connect.setup();
          window.connect.open();
        },
        { key: app.publicKey, reference: 'order-42', ...options },
      );
      return page;
    }

    const accountNumber = async (id: string) =>
      (await call(server.url, 'GET', `/v2/accounts/${id}`, { key: app.secretKey })).body.data.account.account_number as string;

    test('user_otp links with its OTP; onSuccess gets a code the partner exchanges for the account', async () => {
      const page = await openWidget({}, 360);
      const frame = await widgetFrame(page);
      await onScreen(frame, 'institutions');
      await shoot(page, kind, '01-institutions');
      await frame.fill('input[name="search"]', 'sandbox bank');
      await frame.press('input[name="search"]', 'Enter');
      await onScreen(frame, 'login');
      await shoot(page, kind, '02-login');
      assert.deepEqual(await frame.$$eval('form[data-screen="login"] input', (inputs) => inputs.map((i) => (i as HTMLInputElement).name)), [
        'username',
        'password',
      ]);
      await fillAndEnter(frame, { username: 'user_otp', password: PASSWORD });
      await onScreen(frame, 'mfa');
      await shoot(page, kind, '03-otp');
      await fillAndEnter(frame, { otp: OTP });
      await onScreen(frame, 'success');
      assert.equal(await frame.textContent('[data-screen="success"] h1'), 'Account linked');
      assert.equal(await frame.textContent('[data-screen="success"] p'), 'Your Relink Sandbox Bank account is now linked.');
      // Relink keeps the login (encrypted) for later syncs: the footer says so, not that it goes only to the bank.
      assert.equal(await frame.textContent('footer'), 'Secured by Relink · Relink keeps your bank login encrypted to refresh your data for Acme Loans');
      await shoot(page, kind, '04-success');
      await frame.click('form[data-screen="success"] button');
      await page.waitForFunction(() => window.successes.length === 1);
      const [success] = await page.evaluate(() => window.successes);
      const id = await exchange(server, app.secretKey, success.code);
      assert.match(await accountNumber(id), /^\d{10}$/);
      assert.equal(await page.$('#mono-connect--frame-id'), null, 'the widget closes after success');

      const events = (await page.evaluate(() => window.events)) as { type: string; data: any }[];
      const types = events.map((e) => e.type);
      for (const expected of ['LOADED', 'OPENED', 'INSTITUTION_SELECTED', 'SUBMIT_CREDENTIALS', 'SUBMIT_MFA', 'ACCOUNT_LINKED', 'SUCCESS']) {
        assert.ok(types.includes(expected), `${expected} in ${types.join(', ')}`);
      }
      const selected = events.find((e) => e.type === 'INSTITUTION_SELECTED')!.data;
      assert.deepEqual(selected.institution, { id: '5f2d08be60b92e2888287000', name: 'Relink Sandbox Bank' });
      assert.equal(selected.reference, 'order-42');
      assert.equal(typeof selected.timestamp, 'number');
      assert.equal(events.find((e) => e.type === 'SUBMIT_MFA')!.data.mfaType, 'OTP');
      await page.close();
    });

    test('user_multi picks the second account by keyboard; the code exchanges to that account', async () => {
      const page = await openWidget({ selectedInstitution: { id: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' } });
      const frame = await widgetFrame(page);
      await onScreen(frame, 'login');
      await fillAndEnter(frame, { username: 'user_multi', password: PASSWORD });
      await onScreen(frame, 'accounts');
      await shoot(page, kind, '05-accounts');
      const second = await frame.$$eval('input[name="accountNumber"]', (inputs) => (inputs[1] as HTMLInputElement).value);
      await frame.focus('input[name="accountNumber"]:checked');
      await frame.press('input[name="accountNumber"]:checked', 'ArrowDown');
      await frame.press('input[name="accountNumber"]:checked', 'Enter');
      await onScreen(frame, 'success');
      await frame.press('form[data-screen="success"] button', 'Enter');
      await page.waitForFunction(() => window.successes.length === 1);
      const [success] = await page.evaluate(() => window.successes);
      assert.equal(await accountNumber(await exchange(server, app.secretKey, success.code)), second);
      const selected = (await page.evaluate(() => window.events)).find((e: any) => e.type === 'ACCOUNT_SELECTED');
      assert.equal(selected?.data.selectedAccountsCount, 1);
      await page.close();
    });

    test('a wrong OTP is told on the OTP form with the tries left; the third ends the attempt, and the widget offers to start again', async () => {
      const page = await openWidget({ selectedInstitution: { id: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' } });
      const frame = await widgetFrame(page);
      await fillAndEnter(frame, { username: 'user_otp', password: PASSWORD });
      await onScreen(frame, 'mfa');
      for (let i = 1; i <= 3; i++) {
        await fillAndEnter(frame, { otp: '00000' });
        if (i < 3) {
          const left = 3 - i;
          await frame.waitForSelector(
            `form[data-screen="mfa"] [role="alert"]:text-is("That code was not accepted. ${left} ${left === 1 ? 'try' : 'tries'} left.")`,
          );
          if (i === 1) await shoot(page, kind, '06-error-wrong-otp');
          assert.equal(await frame.inputValue('input[name="otp"]'), '');
          await frame.waitForFunction(() => document.activeElement?.getAttribute('name') === 'otp', undefined, { timeout: 5_000 }).catch(() => undefined);
          assert.equal(await frame.evaluate(() => document.activeElement?.getAttribute('name')), 'otp', 'focus is back in the code field');
        }
      }
      await onScreen(frame, 'error', 'too_many_attempts');
      assert.equal(
        await frame.textContent('[data-screen="error"] p'),
        'Relink Sandbox Bank did not accept the answer 3 times, so this attempt has stopped. Start again to get a new code.',
      );
      await shoot(page, kind, '07-error-too-many-otps');
      const errors = (await page.evaluate(() => window.events)).filter((e: any) => e.type === 'ERROR');
      assert.deepEqual(
        errors.map((e: any) => e.data.errorType),
        ['invalid_answer', 'invalid_answer', 'too_many_attempts'],
      );
      await frame.click('[data-screen="error"] button.primary');
      await onScreen(frame, 'login');
      assert.equal(await page.evaluate(() => window.successes.length), 0);
      await page.close();
    });

    test('the close button (and Escape) closes the widget: onClose, EXIT, and the frame is gone', async () => {
      const page = await openWidget();
      let frame = await widgetFrame(page);
      await frame.click('button[aria-label="Close"]');
      await page.waitForFunction(() => window.closes === 1);
      assert.equal(await page.$('#mono-connect--frame-id'), null);
      const exit = (await page.evaluate(() => window.events)).find((e: any) => e.type === 'EXIT');
      assert.equal(exit?.data.pageName, 'InstitutionSelector');

      await page.evaluate(() => window.connect.open());
      frame = await widgetFrame(page);
      await frame.press('input[name="search"]', 'Escape');
      await page.waitForFunction(() => window.closes === 2);
      const exits = (await page.evaluate(() => window.events)).filter((e: any) => e.type === 'EXIT');
      assert.deepEqual(
        exits.map((e: any) => e.data.pageName),
        ['InstitutionSelector', 'InstitutionSelector'],
        'Escape reports the screen it closed',
      );
      await page.close();
    });

    test('errors: a wrong password told on the login form (the username kept), bank down, locked, expired', async () => {
      const page = await openWidget({ selectedInstitution: { id: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' } });
      const frame = await widgetFrame(page);
      await fillAndEnter(frame, { username: 'user_good', password: 'wrong' });
      const alert = await frame.waitForSelector('form[data-screen="login"] [role="alert"]');
      assert.equal(await alert.textContent(), 'Relink Sandbox Bank did not accept these login details. Check them and try again.');
      assert.equal(await frame.inputValue('input[name="username"]'), 'user_good', 'the username stays');
      assert.equal(await frame.inputValue('input[name="password"]'), '', 'the password never does');
      await frame.waitForFunction(() => document.activeElement?.getAttribute('name') === 'password', undefined, { timeout: 5_000 }).catch(() => undefined);
      assert.equal(await frame.evaluate(() => document.activeElement?.getAttribute('name')), 'password');
      await shoot(page, kind, '08-error-wrong-password');
      const invalid = (await page.evaluate(() => window.events)).find((e: any) => e.type === 'ERROR');
      assert.deepEqual([invalid?.data.errorType, invalid?.data.pageName], ['invalid_credentials', 'Login']);
      await fillAndEnter(frame, { username: 'user_down', password: PASSWORD });
      await onScreen(frame, 'error', 'bank_unavailable');
      const down = (await page.evaluate(() => window.events)).find((e: any) => e.data.errorType === 'bank_unavailable');
      assert.equal(down?.data.pageName, 'Login', 'an error during a step belongs to the form it came from');
      await shoot(page, kind, '09-error-bank-down');
      await frame.click('[data-screen="error"] button.primary');
      // Try again starts a new session: the login form is typed into once it is back, not before.
      await onScreen(frame, 'login');
      await fillAndEnter(frame, { username: 'user_locked', password: PASSWORD });
      await onScreen(frame, 'error', 'account_locked');
      await shoot(page, kind, '10-error-locked');
      await frame.click('[data-screen="error"] button.primary');
      await onScreen(frame, 'login');
      server.clock.advance(11 * 60_000);
      await fillAndEnter(frame, { username: 'user_good', password: PASSWORD });
      await onScreen(frame, 'error', 'session_expired');
      await shoot(page, kind, '11-error-expired');
      await page.close();
    });

    test('one bank user’s failed logins: the third ends the attempt with the server’s count; the next attempt is paused', async () => {
      const page = await openWidget({ selectedInstitution: { id: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' } });
      const frame = await widgetFrame(page);
      const username = 'user_good+caps1';
      const errorCount = (n: number) => page.waitForFunction((n) => window.events.filter((e: any) => e.type === 'ERROR').length === n, n);
      await fillAndEnter(frame, { username, password: 'wrong1' });
      await errorCount(1);
      await fillAndEnter(frame, { password: 'wrong2' });
      await errorCount(2);
      assert.equal(await frame.inputValue('input[name="username"]'), username);
      assert.doesNotMatch((await frame.textContent('form[data-screen="login"] [role="alert"]'))!, /tr(y|ies) left/);
      await fillAndEnter(frame, { password: 'wrong3' });
      await onScreen(frame, 'error', 'too_many_attempts');
      assert.equal(
        await frame.textContent('[data-screen="error"] p'),
        'Relink Sandbox Bank did not accept the login details 3 times, so this attempt has stopped. Start again when you have the right details.',
      );
      await frame.click('[data-screen="error"] button.primary');
      await onScreen(frame, 'login');
      // Relink caps failed logins per bank user across attempts (3 a day): the right password now waits.
      await fillAndEnter(frame, { username, password: PASSWORD });
      await onScreen(frame, 'error', 'rate_limited');
      assert.equal(await frame.textContent('[data-screen="error"] h1'), 'Attempts paused for your security');
      assert.match((await frame.textContent('[data-screen="error"] p'))!, /Try again in about \d+ hours?\.$/);
      assert.deepEqual(await frame.$$eval('[data-screen="error"] button', (list) => list.map((b) => b.textContent)), ['Close']);
      await page.close();
    });

    test("Mono's own connect.js (npm @mono.co/connect.js), unmodified, links through Relink when its widget address is mapped to /connect", async () => {
      const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
      // The one change a partner makes in production is the widget address; here the browser maps it.
      await page.route(
        (url) => url.hostname === 'connect.mono.co',
        (route) => {
          const mapped = new URL(route.request().url());
          return route.fulfill({ status: 302, headers: { location: `${server.url}/connect${mapped.search}` } });
        },
      );
      await page.goto(`${site.url}/mono.html`);
      assert.equal(await page.evaluate(() => typeof window.Connect), 'function');
      await page.evaluate((key) => {
        window.connect = window.makeConnect({ key, reference: 'mono-ref-1', data: { customer: { name: 'Ada Obi', email: 'ada@example.com' } } });
        window.connect.setup();
        window.connect.open();
      }, app.publicKey);
      const frame = await widgetFrame(page);
      await onScreen(frame, 'institutions');
      assert.match(frame.url(), new RegExp(`^${server.url}/connect\\?key=${app.publicKey}&referrer=`));
      await frame.click('button[data-institution="5f2d08be60b92e2888287000"]');
      await onScreen(frame, 'login');
      await fillAndEnter(frame, { username: 'user_otp', password: PASSWORD });
      await onScreen(frame, 'mfa');
      await fillAndEnter(frame, { otp: OTP });
      await onScreen(frame, 'success');
      await frame.click('form[data-screen="success"] button');
      await page.waitForFunction(() => window.successes.length === 1 && window.closes === 1);
      const [success] = await page.evaluate(() => window.successes);
      const id = await exchange(server, app.secretKey, success.code);
      const account = await call(server.url, 'GET', `/v2/accounts/${id}`, { key: app.secretKey });
      assert.equal(account.status, 200);
      const types = (await page.evaluate(() => window.events)).map((e: any) => e.type);
      for (const expected of ['LOADED', 'INSTITUTION_SELECTED', 'SUBMIT_CREDENTIALS', 'SUBMIT_MFA', 'ACCOUNT_LINKED', 'SUCCESS']) {
        assert.ok(types.includes(expected), `${expected} in ${types.join(', ')}`);
      }
      await page.close();
    });

    test('a hosted link end to end: the page, the login, then the redirect back with code, reference and status', async () => {
      const created = await call(server.url, 'POST', '/v2/accounts/initiate', {
        key: app.secretKey,
        body: { scope: 'auth', customer: { name: 'Ada Obi', email: 'ada@example.com' }, meta: { ref: 'hosted-1' }, redirect_url: `${site.url}/done` },
      });
      assert.equal(created.status, 200, created.text);
      const page = await browser.newPage({ viewport: { width: 390, height: 760 } });
      await page.goto(created.body.data.mono_url);
      await page.waitForSelector('[data-screen="institutions"]');
      await shoot(page, kind, '13-hosted-link');
      await page.click('button[data-institution="5f2d08be60b92e2888287000"]');
      await page.waitForSelector('[data-screen="login"]');
      await page.fill('input[name="username"]', 'user_good');
      await page.fill('input[name="password"]', PASSWORD);
      await page.press('input[name="password"]', 'Enter');
      await page.waitForSelector('[data-screen="success"]');
      await page.click('form[data-screen="success"] button');
      await page.waitForURL((url) => url.pathname === '/done');
      const back = new URL(page.url());
      assert.equal(back.origin, site.origin);
      assert.equal(back.searchParams.get('reference'), 'hosted-1');
      assert.equal(back.searchParams.get('status'), 'linked');
      const id = await exchange(server, app.secretKey, back.searchParams.get('code')!);
      assert.match(await accountNumber(id), /^\d{10}$/);
      await page.goto(created.body.data.mono_url);
      await page.waitForSelector('[data-screen="error"]');
      assert.match((await page.textContent('h1'))!, /already used/);
      await page.close();
    });

    test('re-authorises an account put in reauth_required by the sandbox: background login, then only the OTP', async () => {
      const first = await openWidget({ selectedInstitution: { id: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' } });
      let frame = await widgetFrame(first);
      await fillAndEnter(frame, { username: 'user_otp', password: PASSWORD });
      await onScreen(frame, 'mfa');
      await fillAndEnter(frame, { otp: OTP });
      await onScreen(frame, 'success');
      await frame.click('form[data-screen="success"] button');
      await first.waitForFunction(() => window.successes.length === 1);
      const id = await exchange(server, app.secretKey, (await first.evaluate(() => window.successes))[0].code);
      await first.close();

      const reset = await call(server.url, 'POST', `/v2/sandbox/accounts/${id}/reset-login`, { key: app.secretKey, body: { reason: 'mfa_required' } });
      assert.equal(reset.status, 200, reset.text);
      const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
      await page.goto(`${site.url}/shop.html`);
      await page.evaluate(
        ([key, account]) => {
          window.connect = window.makeConnect({ key });
          window.connect.reauthorise(account);
          window.connect.open();
        },
        [app.publicKey, id],
      );
      frame = await widgetFrame(page);
      await onScreen(frame, 'mfa');
      assert.equal(await frame.textContent('[data-screen="mfa"] .lead'), 'Relink Sandbox Bank sent you a code to reconnect your account to Acme Loans.');
      await shoot(page, kind, '15-reauth-otp');
      await fillAndEnter(frame, { otp: OTP });
      await onScreen(frame, 'success');
      assert.equal(await frame.textContent('[data-screen="success"] h1'), 'Account reconnected');
      await frame.click('form[data-screen="success"] button');
      await page.waitForFunction(() => window.successes.length === 1);
      assert.equal(await exchange(server, app.secretKey, (await page.evaluate(() => window.successes))[0].code), id);
      const account = await call(server.url, 'GET', `/v2/accounts/${id}`, { key: app.secretKey });
      assert.equal(account.body.data.meta.reauth_required, false);
      await page.close();
    });

    test('the security question screen is the bank challenge, rendered from its form', async () => {
      const page = await openWidget({ selectedInstitution: { id: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' } });
      const frame = await widgetFrame(page);
      await fillAndEnter(frame, { username: 'user_question', password: PASSWORD });
      await onScreen(frame, 'mfa');
      await shoot(page, kind, '12-security-question');
      const names = await frame.$$eval('form[data-screen="mfa"] input', (inputs) => inputs.map((i) => (i as HTMLInputElement).name));
      assert.equal(names.length, 1);
      await fillAndEnter(frame, { [names[0]!]: 'blue' });
      await onScreen(frame, 'success');
      await page.close();
    });

    test("test mode's login hint names a password a reset-login changed, and the plain one again after the sandbox reset", async () => {
      const HINT = 'Test mode: log in as user_good, user_otp (OTP 12345) or user_multi, password pass_good.';
      const note = async () => {
        const page = await openWidget({ selectedInstitution: { id: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' } });
        const frame = await widgetFrame(page);
        await onScreen(frame, 'login');
        const text = await frame.textContent('[data-screen="login"] .note');
        await page.close();
        return text;
      };
      assert.equal(await note(), HINT);
      const id = await link(server, app.secretKey, 'user_good');
      const reset = await call(server.url, 'POST', `/v2/sandbox/accounts/${id}/reset-login`, { key: app.secretKey, body: { reason: 'password_changed' } });
      assert.equal(reset.body.data.new_password, 'pass_changed1', reset.text);
      const changed = `${HINT} Changed by a reset-login: user_good's is now pass_changed1 (relink sandbox reset puts pass_good back).`;
      assert.equal(await note(), changed);

      // Re-authorising that account, the login form carries the same hint: the password to type is in it.
      const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
      await page.goto(`${site.url}/shop.html`);
      await page.evaluate(
        ([key, account]) => {
          window.connect = window.makeConnect({ key });
          window.connect.reauthorise(account);
          window.connect.open();
        },
        [app.publicKey, id],
      );
      const frame = await widgetFrame(page);
      await onScreen(frame, 'login');
      assert.equal(await frame.textContent('[data-screen="login"] .note'), changed);
      await fillAndEnter(frame, { username: 'user_good', password: 'pass_changed1' });
      await onScreen(frame, 'success');
      await page.close();

      assert.equal((await call(server.url, 'POST', '/v2/sandbox/reset', { key: app.secretKey })).status, 200);
      assert.equal(await note(), HINT);
    });
  });
}
