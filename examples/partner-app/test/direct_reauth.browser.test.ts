import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { databases } from '@relink/testkit';
import { fillAndEnter, launchBrowser, onScreen, widgetFrame } from '@relink/testkit/browser';
import { deliveries, relinkCall, shoot, startStack, type Stack } from './support.ts';

const SANDBOX_BANK = '5f2d08be60b92e2888287000';

for (const kind of databases()) {
  describe(`[${kind}] Kudi Lend: the password changed at the bank, reconnected without the widget`, () => {
    let stack: Stack;
    let browser: Browser;
    before(async () => {
      stack = await startStack(kind);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await stack?.stop();
    });

    /** The app's own form: every field labelled, the first one focused; typed and sent with Enter. */
    async function answer(page: Page, fields: Record<string, string>) {
      const names = await page.$$eval('#reconnect-form input', (inputs) => inputs.map((i) => (i as HTMLInputElement).name));
      assert.deepEqual(names, Object.keys(fields));
      for (const name of names) assert.ok(await page.$(`label[for="field-${name}"]`), `${name} has a label`);
      assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), names[0], 'the first field has the focus');
      for (const name of names) await page.fill(`input[name="${name}"]`, fields[name]!);
      await page.evaluate(() => ((window as any).answered = true));
      await page.press(`input[name="${names.at(-1)}"]`, 'Enter');
      await page.waitForFunction(() => (window as any).answered === undefined && document.readyState === 'complete');
    }

    test('the sandbox control changes the password; the app logs in again with it and the OTP on its own forms; healthy and fresh', async () => {
      const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
      await page.goto(stack.partner.url);
      await page.click('button:has-text("Sign in as Tunde Bakare")');
      await page.click('#link');
      const frame = await widgetFrame(page);
      await frame.click(`button[data-institution="${SANDBOX_BANK}"]`);
      await onScreen(frame, 'login');
      await fillAndEnter(frame, { username: 'user_otp', password: 'pass_good' });
      await onScreen(frame, 'mfa');
      await fillAndEnter(frame, { otp: '12345' });
      await onScreen(frame, 'success');
      await frame.click('form[data-screen="success"] button');
      await page.waitForSelector('#last-synced', { timeout: 15_000 });
      const accountId = stack.partner.db.users.get('tunde')!.accountId!;
      const syncedBefore = (await page.getAttribute('#last-synced', 'datetime'))!;

      await page.click('#sandbox summary');
      await shoot(page, kind, 'direct-01-sandbox-controls');
      // While Relink's sync still holds the account, the control runs nothing and the app says to try again, as a person would.
      for (let attempt = 1; ; attempt++) {
        await page.click('button[name="reason"][value="password_changed"]');
        await page.waitForSelector('#reauth-banner, .flash.error');
        if (await page.$('#reauth-banner')) break;
        assert.ok(attempt < 5, (await page.textContent('main'))!);
        assert.match((await page.textContent('.flash.error'))!, /still busy/);
        await page.waitForTimeout(1_000);
        await page.click('#sandbox summary');
      }
      assert.match((await page.textContent('.flash.info'))!, /changed the password of user_otp/);
      const newPassword = (await page.textContent('#flash-code'))!;
      assert.match(newPassword, /^pass_[\w-]+$/);
      assert.equal(stack.partner.db.users.get('tunde')!.reauthRequired, true);
      await shoot(page, kind, 'direct-02-banner-new-password');

      await page.click('#reconnect-direct');
      await page.waitForSelector('#reconnect-form');
      assert.equal(new URL(page.url()).pathname, '/reconnect');
      assert.match((await page.textContent('h1'))!, /Log in to Relink Sandbox Bank/);
      assert.match((await page.textContent('main'))!, /did not accept the login we had saved/);
      assert.equal(await page.textContent('#sandbox-password'), newPassword);
      await shoot(page, kind, 'direct-03-login-form');

      await answer(page, { username: 'user_otp', password: 'pass_good' });
      const error = (await page.textContent('#step-error'))!;
      assert.match(error, /Relink Sandbox Bank did not accept these details \(The bank did not accept these login details\)/);
      await shoot(page, kind, 'direct-04-old-password-refused');

      await answer(page, { username: 'user_otp', password: newPassword });
      assert.match((await page.textContent('h1'))!, /one-time password/, (await page.textContent('main'))!);
      assert.equal(await page.getAttribute('input[name="otp"]', 'autocomplete'), 'one-time-code');
      await shoot(page, kind, 'direct-05-otp-form');

      await answer(page, { otp: '12345' });
      assert.equal(new URL(page.url()).pathname, '/');
      assert.match((await page.textContent('.flash.ok'))!, /reconnected/);
      assert.equal(await page.$('#reauth-banner'), null, 'the banner is gone');
      await page.waitForFunction((before) => (document.querySelector('#last-synced')?.getAttribute('datetime') ?? '') > before, syncedBefore, {
        timeout: 10_000,
      });
      await shoot(page, kind, 'direct-06-healthy');

      const meta = (await relinkCall(stack, 'GET', `/v2/accounts/${accountId}`)).body.data.meta;
      assert.equal(meta.reauth_required, false);
      assert.equal(await page.getAttribute('#last-synced', 'datetime'), meta.last_synced_at);
      const user = stack.partner.db.users.get('tunde')!;
      assert.equal(user.reauthRequired, false);
      assert.equal(user.accountId, accountId);
      const sent = await deliveries(stack, 'mono.events.account_reauthorized');
      assert.deepEqual(
        sent.map((d) => d.last_status_code),
        [200],
      );
      await page.close();
    });
  });
}
