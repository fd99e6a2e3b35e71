// The operator console in Debian's Chromium, as an operator uses it: the set-up link, sign-in,
// creating an app and rotating its key, filtering accounts, resetting a sandbox login and
// replaying a failing delivery, by keyboard alone; every page checked by axe-core (no
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
import {
  call,
  databases,
  link,
  linkedAccount,
  OTP,
  type Receiver,
  reauthSession,
  resetLogin,
  setEndpoint,
  settle,
  startReauthServer,
  startReceiver,
  stepOn,
  type TestServer,
} from '@relink/testkit';
import { launchBrowser } from '@relink/testkit/browser';
import { PASSWORD } from '../support/console.ts';
import { freePort } from '../support/process.ts';

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
async function tabTo(page: Page, selector: string, limit = 100, key = 'Tab') {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(key);
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
    let good: string;
    let back: string;
    let failingDelivery: string;
    let receiver: Receiver;
    let brokenKey: string;
    before(async () => {
      [server, browser, receiver] = await Promise.all([startReauthServer(kind, { env: { LOG_LEVEL: 'warn' } }), launchBrowser(), startReceiver()]);
      // Real data on every page: linked accounts, one waiting for re-authorisation, one
      // re-authorised ten minutes after its bank asked, webhook deliveries, and an app whose
      // endpoint is a loopback port with nothing listening (failing).
      const sandbox = await server.createApp('Sandbox');
      await setEndpoint(server, sandbox.secretKey, `${receiver.url}/relink`);
      good = await link(server, sandbox.secretKey, 'user_good');
      waiting = await link(server, sandbox.secretKey, 'user_otp');
      await settle(server);
      server.clock.advance(60_000);
      const reset = await call(server.url, 'POST', `/v2/sandbox/accounts/${waiting}/reset-login`, { key: sandbox.secretKey, body: {} });
      assert.equal(reset.status, 200, reset.text);
      back = await linkedAccount(server, sandbox.secretKey, 'user_otp+2');
      server.clock.advance(60_000);
      const changed = await resetLogin(server, sandbox.secretKey, back, 'password_changed');
      server.clock.advance(10 * 60_000);
      const started = await reauthSession(server, sandbox.secretKey, back);
      const session = started.body.data.session.id as string;
      const login = await stepOn(server, sandbox.secretKey, started.body.data.next, session, { username: changed.username, password: changed.new_password });
      assert.equal(login.body.responseCode, 102, login.text);
      assert.equal((await stepOn(server, sandbox.secretKey, '/v2/connect/commit', session, { otp: OTP })).body.responseCode, 99);
      const broken = await server.createApp('Kudi Hooks');
      brokenKey = broken.secretKey;
      await setEndpoint(server, broken.secretKey, `http://127.0.0.1:${await freePort()}/hooks`);
      await linkedAccount(server, broken.secretKey, 'user_good');
      await settle(server);
      await server.services.webhooks.dispatcher.runDue();
      assert.ok(receiver.received.length >= 3, `${receiver.received.length} deliveries`);
      const failing = await server.services.operations.deliveries({ state: 'failing' }, { page: 1, limit: 10 });
      assert.ok(failing.total >= 1, 'the refused endpoint has failing deliveries');
      failingDelivery = failing.items[0]!.id;
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
            ['accounts-waiting', '/dashboard/accounts?reauth=1'],
            ['account', `/dashboard/accounts/${back}`],
            ['account-waiting', `/dashboard/accounts/${waiting}`],
            ['apps', '/dashboard/apps'],
            ['app', `/dashboard/apps/${appId}`],
            ['webhooks', '/dashboard/webhooks'],
            ['webhooks-failing', '/dashboard/webhooks?state=failing'],
            ['delivery', `/dashboard/webhooks/deliveries/${failingDelivery}`],
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
          assert.match((await page.textContent('main')) ?? '', /mono\.events\.reauthorisation_required\s*Sandbox · account \S+\s*succeeded/);
          assert.match((await page.locator('tr', { hasText: 'Kudi Hooks' }).first().textContent()) ?? '', /⚠ Failing/);
          await page.goto(`${server.url}/dashboard`);
          const figures = await page.locator('.figure').allTextContents();
          assert.deepEqual(figures.slice(0, 6), ['4', '1', '1', '1', '50%', '10m 0s'], 'four linked accounts, one waiting, one of two re-authorised');
          // The charts are drawn inside the page at this width: no bar or label outside its card.
          for (const chart of await page.locator('svg.chart').all()) {
            const box = (await chart.boundingBox())!;
            const card = (await chart.locator('xpath=..').boundingBox())!;
            assert.ok(box.x >= card.x && box.x + box.width <= card.x + card.width + 1, `a chart fits its card at ${width} px`);
          }
          assert.deepEqual(violations, [], 'nothing the policy refused');
        } finally {
          await context.close();
        }
      }
      assert.ok(shots.length >= 27, `${shots.length} screenshots`);
    });

    test('by keyboard alone: filter the accounts, reset a sandbox login from its page, replay a failing delivery to a receiver', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      try {
        await page.goto(`${server.url}/dashboard/sign-in`);
        await typeInto(page, '#email', 'ops@example.com');
        await typeInto(page, '#password', PASSWORD);
        await Promise.all([page.waitForURL(/\/dashboard$/), page.keyboard.press('Enter')]);

        await page.goto(`${server.url}/dashboard/accounts`);
        await tabTo(page, '#reauth');
        await page.keyboard.press('Space');
        await tabTo(page, 'form.filters button[type=submit]');
        await Promise.all([page.waitForURL(/reauth=1/), page.keyboard.press('Enter')]);
        const rows = await page.locator('main tbody tr').allTextContents();
        assert.equal(rows.length, 1, rows.join('\n'));
        assert.ok(rows[0]!.includes(waiting), 'the one account waiting');

        await page.goto(`${server.url}/dashboard/accounts/${good}`);
        // Tab enters the radio group at its checked option; the arrow moves to and checks the next.
        await tabTo(page, '#reason-mfa');
        await page.keyboard.press('ArrowDown');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'reason-password');
        await tabTo(page, 'form[action$="/reset-login"] button');
        await page.keyboard.press('Enter');
        await page.waitForSelector('code.secret');
        assert.match((await page.textContent('code.secret')) ?? '', /^pass_changed\d+$/);
        assert.match((await page.textContent('main')) ?? '', /waits for re-authorisation/);
        assert.deepEqual(await accessibilityProblems(page), [], 'reset page');
        await shoot(page, 'reset-1280');

        await setEndpoint(server, brokenKey, `${receiver.url}/fixed`);
        const event = (await server.services.operations.delivery(failingDelivery))!.event_id;
        const before = receiver.received.length;
        await page.goto(`${server.url}/dashboard/webhooks?state=failing`);
        await tabTo(page, `input[name="ids"][value="${failingDelivery}"]`);
        await page.keyboard.press('Space');
        await tabTo(page, 'button[name="selected"]', 100, 'Shift+Tab');
        await page.keyboard.press('Enter');
        await page.waitForSelector('text=queued again');
        assert.match((await page.textContent('main')) ?? '', /1 delivery queued again/);
        assert.deepEqual(await accessibilityProblems(page), [], 'replayed page');
        await shoot(page, 'replayed-1280');
        await server.services.webhooks.dispatcher.runDue();
        assert.equal(receiver.received.length, before + 1);
        assert.equal(receiver.received.at(-1)!.id, event, 'the replayed event reached the receiver');
      } finally {
        await context.close();
      }
    });
  });
}
