// The operator console in Debian's Chromium, as an operator uses it: the set-up link, sign-in,
// creating an app and rotating its key, by keyboard alone; every page checked by axe-core (no
// violation of serious or critical impact), at 1280 and at 360 px wide (nothing wider than the
// screen), with visible focus; screenshots of each page under .tmp/console-screenshots, and with
// RELINK_UPDATE_DOCS=1 in docs/console/, the images docs/console.md shows.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Result } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { call, databases, link, type Receiver, setEndpoint, settle, startReceiver, startTestServer, type TestServer } from '@relink/testkit';
import { launchBrowser } from '@relink/testkit/browser';
import { PASSWORD } from '../support/console.ts';

declare const window: any;
declare const document: any;

const ROOT = new URL('../../../../', import.meta.url).pathname;
const OUT = join(ROOT, '.tmp', 'console-screenshots');
const DOCS = join(ROOT, 'docs', 'console');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [1280, 360] as const;

/** axe-core's violations of serious or critical impact on the page as it is now. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's policy (no script at all) does not govern.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const violations = (await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations)) as Result[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Presses Tab until `selector` has the focus (as a keyboard user would get there), then checks it shows. */
async function tabTo(page: Page, selector: string, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) === true, selector)) {
      const outline = await page.evaluate(() => {
        const style = window.getComputedStyle(document.activeElement);
        return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
      });
      assert.ok(outline.style !== 'none' && outline.width >= 2, `${selector} shows its focus: ${JSON.stringify(outline)}`);
      return;
    }
  }
  assert.fail(`Tab never reached ${selector}`);
}

async function typeInto(page: Page, selector: string, text: string) {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

for (const kind of databases()) {
  describe(`[${kind}] the operator console in Chromium`, () => {
    let server: TestServer;
    let browser: Browser;
    let setupPath: string;
    let appId: string;
    let waiting: string;
    let receiver: Receiver;
    before(async () => {
      [server, browser, receiver] = await Promise.all([startTestServer(kind, { logLevel: 'warn' }), launchBrowser(), startReceiver()]);
      // Real data on every page: two linked accounts, one waiting for re-authorisation, webhook deliveries.
      const sandbox = await server.createApp('Sandbox');
      await setEndpoint(server, sandbox.secretKey, `${receiver.url}/relink`);
      await link(server, sandbox.secretKey, 'user_good');
      waiting = await link(server, sandbox.secretKey, 'user_otp');
      await settle(server);
      const reset = await call(server.url, 'POST', `/v2/sandbox/accounts/${waiting}/reset-login`, { key: sandbox.secretKey, body: {} });
      assert.equal(reset.status, 200, reset.text);
      await server.services.webhooks.dispatcher.runDue();
      assert.ok(receiver.received.length >= 3, `${receiver.received.length} deliveries`);
      setupPath = new URL((await server.services.operators.add('ops@example.com', 'cli')).token, `${server.url}/dashboard/setup/`).pathname;
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
      await receiver?.close();
    });

    const shots: string[] = [];
    const shoot = async (page: Page, name: string) => {
      mkdirSync(OUT, { recursive: true });
      const file = join(OUT, `${kind}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      shots.push(file);
      if (process.env.RELINK_UPDATE_DOCS === '1' && kind === databases()[0]) {
        mkdirSync(DOCS, { recursive: true });
        copyFileSync(file, join(DOCS, `${name}.png`));
      }
    };

    test('set-up, sign-in, create an app and rotate its key by keyboard alone; the keys shown work on the API', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      try {
        await page.goto(server.url + setupPath);
        // The skip link is the first stop, shows itself, and takes the focus to the content.
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
        assert.ok((await page.locator('a.skip').boundingBox())!.x >= 0, 'visible when focused');
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
        assert.deepEqual(await accessibilityProblems(page), [], 'set-up page');
        await shoot(page, 'setup-1280');
        await typeInto(page, '#password', PASSWORD);
        await typeInto(page, '#confirm', PASSWORD);
        await page.keyboard.press('Enter');
        await page.waitForURL('**/dashboard/sign-in?done=set-up', { timeout: 5000 }).catch(async (e) => {
          console.log(await page.textContent('body'));
          throw e;
        });
        assert.match((await page.textContent('.notice')) ?? '', /Your password is set/);

        await typeInto(page, '#email', 'ops@example.com');
        await typeInto(page, '#password', 'not the password');
        await page.keyboard.press('Enter');
        await page.waitForSelector('.problem');
        assert.match((await page.textContent('.problem')) ?? '', /do not match an operator/);
        assert.deepEqual(await accessibilityProblems(page), [], 'sign-in page with a problem');
        await shoot(page, 'sign-in-1280');
        await typeInto(page, '#password', PASSWORD);
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/dashboard$/);
        assert.match((await page.textContent('h1')) ?? '', /Overview/);

        await tabTo(page, 'nav a[href="/dashboard/apps"]');
        await page.keyboard.press('Enter');
        await page.waitForURL('**/dashboard/apps');
        await typeInto(page, '#name', 'Kudi Lend');
        await page.keyboard.press('Enter');
        await page.waitForSelector('code.secret');
        const [secretKey] = await page.locator('code.secret').allTextContents();
        assert.match(secretKey!, /^test_sk_[0-9A-Za-z]{32}$/);
        assert.equal((await call(server.url, 'GET', '/v3/institutions', { key: secretKey! })).status, 200);
        assert.deepEqual(await accessibilityProblems(page), [], 'created page');
        await shoot(page, 'app-created-1280');

        await tabTo(page, 'main a.button');
        await page.keyboard.press('Enter');
        await page.waitForSelector('#keys');
        appId = page.url().split('/').pop()!;
        await tabTo(page, 'a[href$="/rotate-key"]');
        await page.keyboard.press('Enter');
        await page.waitForSelector('button.danger');
        assert.deepEqual(await accessibilityProblems(page), [], 'confirm page');
        await shoot(page, 'rotate-confirm-1280');
        await tabTo(page, 'button.danger');
        await page.keyboard.press('Enter');
        await page.waitForSelector('code.secret');
        const rotated = (await page.textContent('code.secret'))!;
        assert.notEqual(rotated, secretKey);
        assert.equal((await call(server.url, 'GET', '/v3/institutions', { key: rotated })).status, 200);
        assert.equal((await call(server.url, 'GET', '/v3/institutions', { key: secretKey! })).status, 401);
        await shoot(page, 'key-rotated-1280');
      } finally {
        await context.close();
      }
    });

    test('every page at 1280 and 360 px: no serious or critical axe violation, nothing wider than the screen', async () => {
      assert.ok(appId, 'the flow above made an app');
      for (const width of WIDTHS) {
        const context = await browser.newContext({ viewport: { width, height: 800 } });
        const page = await context.newPage();
        const violations: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
        });
        try {
          await page.goto(`${server.url}/dashboard/sign-in`);
          assert.deepEqual(await accessibilityProblems(page), [], `sign-in at ${width} px`);
          if (width === 360) await shoot(page, 'sign-in-360');
          await page.fill('#email', 'ops@example.com');
          await page.fill('#password', PASSWORD);
          await Promise.all([page.waitForURL(/\/dashboard$/), page.click('button[type=submit]')]);
          const pages: [string, string][] = [
            ['overview', '/dashboard'],
            ['accounts', '/dashboard/accounts'],
            ['account', `/dashboard/accounts?id=${waiting}`],
            ['apps', '/dashboard/apps'],
            ['app', `/dashboard/apps/${appId}`],
            ['webhooks', '/dashboard/webhooks'],
            ['audit', '/dashboard/audit'],
          ];
          for (const [name, path] of pages) {
            await page.goto(server.url + path);
            assert.deepEqual(await accessibilityProblems(page), [], `${name} at ${width} px`);
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 0, `${name} at ${width} px is ${overflow} px wider than the screen`);
            await shoot(page, `${name}-${width}`);
          }
          assert.match((await page.textContent('main')) ?? '', /app\.secret_key_rotated/, 'the audit log shows the rotation');
          await page.goto(`${server.url}/dashboard/webhooks`);
          assert.match((await page.textContent('main')) ?? '', /mono\.events\.reauthorisation_required\s*succeeded/);
          await page.goto(`${server.url}/dashboard`);
          const figures = await page.locator('.figure').allTextContents();
          assert.deepEqual(figures.slice(0, 2), ['2', '1'], 'two linked accounts, one waiting for re-authorisation');
          assert.deepEqual(violations, [], 'nothing the policy refused');
        } finally {
          await context.close();
        }
      }
      assert.ok(shots.length >= 19, `${shots.length} screenshots`);
    });
  });
}
