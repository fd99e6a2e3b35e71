// The widget during a re-authorisation, read as the person reads it, in a real browser against
// the real server: why they are asked to log in again, what they see when something stops the
// reconnection (never a raw id, never a new link's bank picker), and that closing the widget
// ends its session so opening it again starts cleanly.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import {
  call,
  databases,
  type HttpResult,
  waitFor,
  exchange,
  OTP,
  PASSWORD,
  linkedAccount,
  reauthSession,
  type ReauthServer,
  resetLogin,
  startReauthServer,
} from '@relink/testkit';
import { fillAndEnter, onScreen, widgetFrame } from '@relink/testkit/browser';
import { reauthToken } from '../support/reauth.ts';
import { inBrowser, shoot, type PartnerSite } from '../support/browser.ts';
import { createConnectApp, type TestApp } from '../support/widget.ts';

declare const window: any;
declare const document: any;

/** An account id (24 hex digits) or a session id: words a person must never be shown. */
const RAW_ID = /[0-9a-f]{24}|session_/;

for (const kind of databases()) {
  describe(`[${kind}] re-authorisation in the widget, as the person sees it`, () => {
    let server: ReauthServer;
    let app: TestApp;
    let site: PartnerSite;
    let browser: Browser;
    let tag = 0;
    /** A sandbox bank user of its own per test: the per-bank-user caps never meet across tests. */
    const user = (scenario: string) => `${scenario}+wr${++tag}`;

    const parts = inBrowser(() => startReauthServer(kind));
    before(async () => {
      ({ server, site, browser } = parts);
      app = await createConnectApp(server, 'Acme Loans');
    });

    /** The partner page, with the widget opened on re-authorisation of `target` (connect.js 2.x `reauthorise`, or 1.x `reauth_token`). */
    async function openReauth(target: { account: string } | { token: string }, page?: Page): Promise<{ page: Page; frame: Frame }> {
      if (!page) {
        page = await browser.newPage({ viewport: { width: 400, height: 760 } });
        await page.goto(`${site.url}/shop.html`);
      }
      await page.evaluate(
        ([key, account, token]) => {
          window.connect = window.makeConnect({ key });
          if (token) window.connect.setup({ reauth_token: token });
          else window.connect.reauthorise(account);
          window.connect.open();
        },
        [app.publicKey, 'account' in target ? target.account : null, 'token' in target ? target.token : null],
      );
      return { page, frame: await widgetFrame(page) };
    }

    /** Everything the widget shows as text, header to footer. */
    const shown = (frame: Frame) => frame.evaluate(() => document.body.innerText as string);
    const buttons = (frame: Frame) => frame.$$eval('[data-screen="error"] button', (list) => list.map((b) => b.textContent));
    /** The focused field's name, once focus reached `expected` (the widget moves it after rendering) or 5 s passed. */
    const focused = async (frame: Frame, expected: string) => {
      await frame.waitForFunction((name) => document.activeElement?.getAttribute('name') === name, expected, { timeout: 5_000 }).catch(() => undefined);
      return frame.evaluate(() => document.activeElement?.getAttribute('name'));
    };
    const errors = async (page: Page) => (await page.evaluate(() => window.events)).filter((e: any) => e.type === 'ERROR').map((e: any) => e.data);

    test('the bank took the saved login: the person is told why they log in, then reads "Account reconnected"', async () => {
      const username = user('user_good');
      const id = await linkedAccount(server, app.secretKey, username);
      const { page, frame } = await openReauth({ account: id });
      await onScreen(frame, 'login');
      assert.equal(
        await frame.textContent('[data-screen="login"] .lead'),
        'Acme Loans needs you to log in to Relink Sandbox Bank again to keep your account connected.',
      );
      assert.equal(await frame.inputValue('input[name="username"]'), '', 'nothing is filled in for the person');
      assert.equal(await focused(frame, 'username'), 'username');
      await shoot(page, kind, 'reauth-01-confirm-login');
      await fillAndEnter(frame, { username, password: PASSWORD });
      await onScreen(frame, 'success');
      assert.equal(await frame.textContent('[data-screen="success"] h1'), 'Account reconnected');
      assert.equal(await frame.textContent('[data-screen="success"] p'), 'Your Relink Sandbox Bank account is connected again.');
      await shoot(page, kind, 'reauth-02-reconnected');
      await frame.click('form[data-screen="success"] button');
      await page.waitForFunction(() => window.successes.length === 1);
      assert.equal(await exchange(server, app.secretKey, (await page.evaluate(() => window.successes))[0].code), id);
      await page.close();
    });

    test('the bank sent a code: a line says why; a wrong code is told on the form with the tries the server counts', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      await resetLogin(server, app.secretKey, id, 'mfa_required');
      const { page, frame } = await openReauth({ account: id });
      await onScreen(frame, 'mfa');
      const lead = 'Relink Sandbox Bank sent you a code to reconnect your account to Acme Loans.';
      assert.equal(await frame.textContent('[data-screen="mfa"] .lead'), lead);
      await fillAndEnter(frame, { otp: '00000' });
      const alert = await frame.waitForSelector('form[data-screen="mfa"] [role="alert"]');
      assert.equal(await alert.textContent(), 'That code was not accepted. 2 tries left.');
      assert.equal(await frame.textContent('[data-screen="mfa"] .lead'), lead, 'the reason stays');
      assert.equal(await frame.inputValue('input[name="otp"]'), '', 'the wrong code is cleared');
      assert.equal(await focused(frame, 'otp'), 'otp');
      assert.equal(await frame.getAttribute('input[name="otp"]', 'aria-invalid'), 'true');
      await shoot(page, kind, 'reauth-03-wrong-code');
      assert.deepEqual(
        (await errors(page)).map((e: any) => e.errorType),
        ['invalid_answer'],
      );
      await fillAndEnter(frame, { otp: OTP });
      await onScreen(frame, 'success');
      assert.equal(await frame.textContent('[data-screen="success"] h1'), 'Account reconnected');
      await page.close();
    });

    test('the bank refused the saved password: the person is told so; a wrong one is told on the form, then Relink pauses before a lockout', async () => {
      const username = user('user_good');
      const id = await linkedAccount(server, app.secretKey, username);
      await resetLogin(server, app.secretKey, id, 'password_changed');
      const { page, frame } = await openReauth({ account: id });
      await onScreen(frame, 'login');
      assert.equal(
        await frame.textContent('[data-screen="login"] .lead'),
        'Relink Sandbox Bank no longer accepts the login Acme Loans saved for this account. Log in with your current details.',
      );
      await shoot(page, kind, 'reauth-04-password-changed');
      await fillAndEnter(frame, { username, password: PASSWORD });
      const alert = await frame.waitForSelector('form[data-screen="login"] [role="alert"]');
      assert.equal(await alert.textContent(), 'Relink Sandbox Bank did not accept these login details. Check them and try again.');
      assert.doesNotMatch(await shown(frame), /tr(y|ies) left/, 'no count the server did not give');
      assert.equal(await frame.inputValue('input[name="username"]'), username, 'the username stays');
      assert.equal(await frame.inputValue('input[name="password"]'), '', 'the password never does');
      assert.equal(await focused(frame, 'password'), 'password');
      await shoot(page, kind, 'reauth-05-wrong-password');
      // The start's own login with the old password and this one spent the public share (2): Relink pauses.
      await fillAndEnter(frame, { password: 'not-it-either' });
      await onScreen(frame, 'error', 'rate_limited');
      assert.equal(await frame.textContent('[data-screen="error"] h1'), 'Attempts paused for your security');
      assert.match(
        (await frame.textContent('[data-screen="error"] p'))!,
        /to keep your bank from locking your account, new attempts are paused\. Try again in about \d+ hours?\.$/,
      );
      assert.deepEqual(await buttons(frame), ['Close']);
      await shoot(page, kind, 'reauth-06-paused');
      assert.deepEqual(
        (await errors(page)).map((e: any) => e.errorType),
        ['invalid_credentials', 'rate_limited'],
      );
      await frame.click('[data-screen="error"] button');
      await page.waitForFunction(() => window.closes === 1);
      await page.close();
    });

    test('Escape and the close button end the widget’s session: the account is free at once, and opening the widget again starts cleanly', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      /** The partner's own start: refused (409) while a session holds the account; once it goes through, the partner ends it again. */
      const partnerStart = () => reauthSession(server, app.secretKey, id);
      const untilFree = async () => {
        let started: HttpResult | undefined;
        await waitFor(async () => (started = await partnerStart()).status === 200, 5_000, 'the account to be free');
        const ended = await call(server.url, 'POST', '/v2/connect/cancel', { key: app.secretKey, headers: { 'x-session-id': started!.body.data.session.id } });
        assert.equal(ended.status, 200, ended.text);
      };
      // Opened with a reauth token, the widget's session is the partner's: nothing supersedes it but its end.
      const opened = await openReauth({ token: await reauthToken(server, app.secretKey, id) });
      const page = opened.page;
      let frame = opened.frame;
      await onScreen(frame, 'mfa');
      assert.equal((await partnerStart()).status, 409, 'the open widget holds the account');
      await frame.press('input[name="otp"]', 'Escape');
      await page.waitForFunction(() => window.closes === 1);
      await untilFree();

      ({ frame } = await openReauth({ token: await reauthToken(server, app.secretKey, id) }, page));
      await onScreen(frame, 'mfa');
      assert.equal((await partnerStart()).status, 409);
      await frame.click('button[aria-label="Close"]');
      await page.waitForFunction(() => window.closes === 2);
      await untilFree();

      ({ frame } = await openReauth({ token: await reauthToken(server, app.secretKey, id) }, page));
      await onScreen(frame, 'mfa');
      await fillAndEnter(frame, { otp: OTP });
      await onScreen(frame, 'success');
      await page.close();
    });

    test('a hosted reauth link: the close button cancels and leaves; the link opened again reconnects', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const created = await call(server.url, 'POST', '/v2/accounts/initiate', {
        key: app.secretKey,
        body: { scope: 'reauth', account: id, meta: { ref: 'hosted-reauth' }, redirect_url: `${site.url}/done` },
      });
      assert.equal(created.status, 200, created.text);
      const page = await browser.newPage({ viewport: { width: 390, height: 760 } });
      await page.goto(created.body.data.mono_url);
      await page.waitForSelector('[data-screen="mfa"]');
      await page.click('button[aria-label="Close"]');
      await page.waitForURL((url) => url.pathname === '/done');
      assert.equal(new URL(page.url()).searchParams.get('status'), 'cancelled');
      await page.goto(created.body.data.mono_url);
      await page.waitForSelector('[data-screen="mfa"]');
      await page.fill('input[name="otp"]', OTP);
      await page.press('input[name="otp"]', 'Enter');
      await page.waitForSelector('[data-screen="success"]');
      assert.equal(await page.textContent('[data-screen="success"] h1'), 'Account reconnected');
      await page.click('form[data-screen="success"] button');
      await page.waitForURL((url) => url.pathname === '/done' && url.searchParams.get('status') === 'linked');
      assert.equal(await exchange(server, app.secretKey, new URL(page.url()).searchParams.get('code')!), id);
      await page.close();
    });

    test('an account the partner is re-authorising already: the widget says so in its own words, and Try again restarts the reauthorisation', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const held = await reauthSession(server, app.secretKey, id);
      assert.equal(held.status, 200, held.text);
      // With a token the start is the partner's, and the server's 409 names the live session and the account.
      const { page, frame } = await openReauth({ token: await reauthToken(server, app.secretKey, id) });
      await onScreen(frame, 'error', 'reauth_in_progress');
      assert.equal(await frame.textContent('[data-screen="error"] h1'), 'Already being reconnected');
      assert.doesNotMatch(await shown(frame), RAW_ID);
      assert.deepEqual(await buttons(frame), ['Try again', 'Close'], 'no new link’s bank picker');
      assert.doesNotMatch(JSON.stringify(await errors(page)), RAW_ID);
      await shoot(page, kind, 'reauth-07-in-progress');
      const freed = await call(server.url, 'POST', '/v2/connect/cancel', { key: app.secretKey, headers: { 'x-session-id': held.body.data.session.id } });
      assert.equal(freed.status, 200, freed.text);
      await frame.click('[data-screen="error"] button.primary');
      await onScreen(frame, 'mfa');
      await fillAndEnter(frame, { otp: OTP });
      await onScreen(frame, 'success');
      await page.close();
    });

    test('a reconnection superseded by the partner’s own, and an unknown account: own words, no ids, no bank picker', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const { page, frame } = await openReauth({ account: id });
      await onScreen(frame, 'mfa');
      const own = await reauthSession(server, app.secretKey, id);
      assert.equal(own.status, 200, own.text);
      await fillAndEnter(frame, { otp: OTP });
      await onScreen(frame, 'error', 'session_cancelled');
      assert.equal(await frame.textContent('[data-screen="error"] h1'), 'This reconnection was stopped');
      assert.doesNotMatch(await shown(frame), RAW_ID);
      assert.deepEqual(await buttons(frame), ['Close']);
      await shoot(page, kind, 'reauth-08-superseded');

      const unknown = await openReauth({ account: '0123456789abcdef01234567' });
      await onScreen(unknown.frame, 'error', 'account_not_found');
      assert.doesNotMatch(await shown(unknown.frame), RAW_ID);
      assert.deepEqual(await buttons(unknown.frame), ['Close']);
      await page.close();
      await unknown.page.close();
    });
  });
}
