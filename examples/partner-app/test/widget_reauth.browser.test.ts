import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { databases } from '@relink/testkit';
import { fillAndEnter, launchBrowser, onScreen, widgetFrame } from '@relink/testkit/browser';
import { deliveries, relinkCall, shoot, startStack, type Stack } from './support.ts';

declare const window: any;
const SANDBOX_BANK = '5f2d08be60b92e2888287000';

for (const kind of databases()) {
  describe(`[${kind}] Kudi Lend on a phone: link user_otp, the bank asks again, reconnect in the widget`, () => {
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

    const lastSynced = (page: Page) => page.getAttribute('#last-synced', 'datetime');

    test('link with the OTP, see the data; reset-login pushes the banner; the widget reconnects; the banner goes and the data is fresh', async () => {
      const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
      await page.goto(stack.partner.url);
      await shoot(page, kind, 'widget-01-sign-in');
      await page.click('button:has-text("Sign in as Ada Obi")');
      await page.waitForSelector('#link');
      await shoot(page, kind, 'widget-02-not-linked');

      await page.click('#link');
      let frame = await widgetFrame(page);
      await frame.click(`button[data-institution="${SANDBOX_BANK}"]`);
      await onScreen(frame, 'login');
      await fillAndEnter(frame, { username: 'user_otp', password: 'pass_good' });
      await onScreen(frame, 'mfa');
      await shoot(page, kind, 'widget-03-link-otp', { fullPage: false });
      await fillAndEnter(frame, { otp: '12345' });
      await onScreen(frame, 'success');
      await frame.click('form[data-screen="success"] button');

      await page.waitForSelector('#last-synced', { timeout: 15_000 });
      await page.waitForSelector('#status:text-matches("account is linked")');
      const user = stack.partner.db.users.get('ada')!;
      assert.match(user.accountId ?? '', /^[0-9a-f]{24}$/);
      const accountId = user.accountId!;
      const account = (await relinkCall(stack, 'GET', `/v2/accounts/${accountId}`)).body.data;
      assert.equal(
        await page.textContent('#balance'),
        new Intl.NumberFormat('en-NG', { style: 'currency', currency: 'NGN' }).format(account.account.balance / 100),
      );
      assert.ok((await page.$$('#transactions li')).length > 0, 'recent transactions are listed');
      assert.equal(await page.$('#reauth-banner'), null);
      const syncedBefore = (await lastSynced(page))!;
      assert.equal(syncedBefore, account.meta.last_synced_at);
      await shoot(page, kind, 'widget-04-linked');

      // The bank asks for MFA on the next login; the page is not reloaded: the banner is pushed.
      await page.evaluate(() => (window.sameDocument = true));
      const reset = await relinkCall(stack, 'POST', `/v2/sandbox/accounts/${accountId}/reset-login`, { reason: 'mfa_required' });
      assert.equal(reset.status, 200, JSON.stringify(reset.body));
      const forced = Date.now();
      await page.waitForSelector('#reauth-banner', { timeout: 5_000 });
      assert.ok(Date.now() - forced < 5_000);
      assert.equal(await page.evaluate(() => window.sameDocument), true, 'the banner came without a reload');
      assert.equal(stack.partner.db.users.get('ada')!.reauthRequired, true, "the seed's reauth_required column is set");
      assert.match((await page.textContent('#reauth-banner'))!, /Reconnect your bank account/);
      await shoot(page, kind, 'widget-05-banner');

      await page.click('#reconnect');
      frame = await widgetFrame(page);
      await onScreen(frame, 'mfa');
      // The widget opened on a reauth token the app's server made; the page never held the account's Relink id.
      const widgetUrl = new URL((await page.getAttribute('#mono-connect--frame-id', 'src'))!);
      assert.match(widgetUrl.searchParams.get('reauth_token') ?? '', /^[0-9A-Za-z]{20}$/);
      assert.ok(!(await page.content()).includes(accountId) && !widgetUrl.href.includes(accountId), 'no Relink account id in the page');
      await shoot(page, kind, 'widget-06-reconnect-otp', { fullPage: false });
      await fillAndEnter(frame, { otp: '12345' });
      await onScreen(frame, 'success');
      await frame.click('form[data-screen="success"] button');

      await page.waitForSelector('#reauth-banner', { state: 'detached', timeout: 5_000 });
      await page.waitForFunction(
        (before) => {
          const time = document.querySelector('#last-synced');
          return time !== null && time.getAttribute('datetime')! > before;
        },
        syncedBefore,
        { timeout: 10_000 },
      );
      await page.waitForSelector('#status:text-matches("account is reconnected")', { timeout: 5_000 });
      assert.equal(await page.evaluate(() => window.sameDocument), true);
      await shoot(page, kind, 'widget-07-healthy');

      const fresh = (await relinkCall(stack, 'GET', `/v2/accounts/${accountId}`)).body.data.meta;
      assert.equal(fresh.reauth_required, false);
      assert.equal(await lastSynced(page), fresh.last_synced_at);
      assert.equal(stack.partner.db.users.get('ada')!.reauthRequired, false);
      assert.equal(stack.partner.db.users.get('ada')!.accountId, accountId, 'the reconnect kept the same account');

      // Both re-authorisation events reached the app's webhook and were accepted (signature verified).
      for (const event of ['mono.events.reauthorisation_required', 'mono.events.account_reauthorized']) {
        const sent = await deliveries(stack, event);
        assert.equal(sent.length, 1, event);
        assert.equal(sent[0]!.url, `${stack.partner.url}/webhooks/relink`);
        assert.equal(sent[0]!.last_status_code, 200, event);
      }
      await page.close();
    });
  });
}
