// Attack: clickjacking and script injection on the API docs. /docs is open to anyone and its
// "Authorize" box takes a secret key; a page elsewhere could frame it under a decoy and steer
// the clicks, and nothing limited what the page may load or run. Now a Content-Security-Policy
// (frame-ancestors 'self', scripts only from Relink) and X-Frame-Options hold in a real browser,
// and swagger-ui still renders under them with no violation.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { call, databases, startTestServer, type TestServer, waitFor } from '@relink/testkit';
import { inBrowser, type PartnerSite } from '../support/browser.ts';

declare const window: any;
declare const document: any;

for (const kind of databases()) {
  describe(`[${kind}] /docs in a real browser`, () => {
    let server: TestServer;
    let site: PartnerSite;
    let browser: Browser;
    const parts = inBrowser(() => startTestServer(kind, { logLevel: 'warn' }));
    before(async () => {
      ({ server, site, browser } = parts);
    });

    test('the page and its assets carry the policy and the framing, sniffing and referrer headers', async () => {
      for (const path of ['/docs', '/docs/', '/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-initializer.js', '/docs/json']) {
        const res = await call(server.url, 'GET', path);
        assert.ok(res.status < 400, `${path}: ${res.status}`);
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, /(^|; )frame-ancestors 'self'(;|$)/, path);
        assert.match(csp, /(^|; )script-src 'self'(;|$)/, `${path}: scripts from Relink only, no inline or eval`);
        assert.match(csp, /(^|; )object-src 'none'(;|$)/, path);
        assert.match(csp, /(^|; )connect-src 'self'(;|$)/, path);
        assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN', path);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      }
    });

    test('swagger-ui renders every operation with no policy violation', async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.addInitScript(() => {
        window.violations = [];
        document.addEventListener('securitypolicyviolation', (event: any) => window.violations.push(`${event.violatedDirective} ${event.blockedURI}`));
      });
      await page.goto(`${server.url}/docs`);
      await page.waitForSelector('.swagger-ui .info .title');
      assert.match((await page.textContent('.swagger-ui .info .title')) ?? '', /Relink Partners API/);
      await page.waitForSelector('.opblock');
      const operations = await page.locator('.opblock').count();
      assert.ok(operations >= 30, `${operations} operations shown`);
      // An operation opened, so its React-rendered parts (inline styles among them) are drawn too.
      await page.locator('.opblock-summary').first().click();
      await page.waitForSelector('.opblock-body');
      assert.deepEqual(await page.evaluate(() => window.violations), []);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('a page of another origin cannot frame /docs', async () => {
      const page = await browser.newPage();
      const refusals: string[] = [];
      page.on('console', (message) => {
        if (/frame-ancestors|X-Frame-Options/i.test(message.text())) refusals.push(message.text());
      });
      await page.goto(`${site.url}/plain.html`);
      await page.evaluate((src) => {
        const iframe = document.createElement('iframe');
        iframe.id = 'docs';
        iframe.src = src;
        document.body.appendChild(iframe);
      }, `${server.url}/docs`);
      const frame = (await (await page.waitForSelector('#docs')).contentFrame())!;
      await waitFor(() => refusals.length > 0, 5_000, 'the browser to report a refused frame');
      assert.ok(
        refusals.some((text) => /frame-ancestors 'self'/.test(text)),
        `the browser refused the frame: ${refusals.join(' | ')}`,
      );
      assert.equal(await frame.$('.swagger-ui'), null, 'nothing of swagger-ui in the frame');
      await page.close();
    });
  });
}
