import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { call, databases, startTestServer, type TestServer, PASSWORD } from '@relink/testkit';
import { fillAndEnter, launchBrowser, onScreen, widgetFrame } from '@relink/testkit/browser';
import { shoot } from '../support/browser.ts';

for (const kind of databases()) {
  describe(`[${kind}] /connect/demo: a new user links a sandbox account with no code`, () => {
    let server: TestServer;
    let browser: Browser;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('without a test-mode app the page says how to make one', async () => {
      const res = await call(server.url, 'GET', '/connect/demo');
      assert.equal(res.status, 200);
      assert.match(res.text, /relink apps create --name Sandbox/);
    });

    test("the Sandbox app's widget opens, links user_multi, and the page shows the exchanged account", async () => {
      await server.createApp('Another test app');
      const sandbox = await server.createApp('Sandbox');
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      await page.goto(`${server.url}/connect/demo`);
      await page.click('#link:not([disabled])');
      const frame = await widgetFrame(page);
      assert.match((await frame.textContent('.brand'))!, /^Sandbox/);
      await frame.click('button[data-institution="5f2d08be60b92e2888287000"]');
      await onScreen(frame, 'login');
      await fillAndEnter(frame, { username: 'user_multi', password: PASSWORD });
      await onScreen(frame, 'accounts');
      const chosen = await frame.$$eval('input[name="accountNumber"]', (inputs) => (inputs[2] as HTMLInputElement).value);
      await frame.check(`input[value="${chosen}"]`);
      await frame.click('form[data-screen="accounts"] button[type="submit"]');
      await onScreen(frame, 'success');
      await frame.click('form[data-screen="success"] button');
      await page.waitForSelector('#result.ok dd:text-matches("^[0-9a-f]{24}$")');
      await shoot(page, kind, '14-demo-result');
      const text = (await page.textContent('#result'))!;
      assert.ok(text.includes(`•${chosen.slice(-4)}`) && !text.includes(chosen), `the number, masked: ${text}`);
      const id = (await page.textContent('#result dd:text-matches("^[0-9a-f]{24}$")'))!;
      const account = await call(server.url, 'GET', `/v2/accounts/${id}`, { key: sandbox.secretKey });
      assert.equal(account.body.data.account.account_number, chosen);
      await page.close();
    });

    // The rest of the exchange's rules, without a browser: demo.security.http.test.ts.
    test("without the page's demo cookie the exchange is refused", async () => {
      const res = await call(server.url, 'POST', '/connect/demo/exchange', { body: { code: 'code_aaaaaaaaaaaaaaaaaaaaaaaa' } });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.code, 'FORBIDDEN');
      assert.match(res.body.message, /reload \/connect\/demo/);
    });
  });
}
