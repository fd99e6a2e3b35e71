// The widget talks only to the page the partner named: its messages (which carry the code) are
// addressed to the referrer's origin, so a page of another origin framing it hears nothing; and
// an app's allowed origins are enforced by the browser through frame-ancestors, which a forged
// referrer cannot get around.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { call, databases, startTestServer, type TestServer } from '@relink/testkit';
import { inBrowser, type PartnerSite } from '../support/browser.ts';
import { createConnectApp, type TestApp } from '../support/widget.ts';

declare const window: any;
declare const document: any;

for (const kind of databases()) {
  describe(`[${kind}] the widget's messages and framing in a real browser`, () => {
    let server: TestServer;
    let app: TestApp;
    let site: PartnerSite;
    let browser: Browser;
    const parts = inBrowser(() => startTestServer(kind, { logLevel: 'warn' }));
    before(async () => {
      ({ server, site, browser } = parts);
      app = await createConnectApp(server, 'Framed partner');
    });

    /** Frames /connect by hand (no connect.js) and records every message with the frame it came from. */
    const frameWidget = (referrer: string, id: string) => ({
      src: `${server.url}/connect?${new URLSearchParams({ key: app.publicKey, referrer })}`,
      id,
    });

    test('messages go to the referrer origin only: a parent of another origin receives none', async () => {
      const page = await browser.newPage();
      await page.goto(`${site.url}/plain.html`);
      await page.evaluate(
        (frames) => {
          window.received = [];
          window.addEventListener('message', (event: any) => {
            const from = [...document.querySelectorAll('iframe')].find((f: any) => f.contentWindow === event.source);
            window.received.push({ frame: from?.id, type: event.data?.type });
          });
          for (const { src, id } of frames) {
            const iframe = document.createElement('iframe');
            iframe.id = id;
            iframe.src = src;
            iframe.width = '400';
            iframe.height = '600';
            document.body.appendChild(iframe);
          }
        },
        [frameWidget('https://elsewhere.example/page', 'wrong'), frameWidget(`${site.url}/plain.html`, 'right')],
      );
      for (const id of ['wrong', 'right']) {
        const frame = (await (await page.waitForSelector(`#${id}`)).contentFrame())!;
        await frame.waitForSelector('[data-screen="institutions"]');
        await frame.click('button[aria-label="Close"]');
      }
      await page.waitForFunction(() => window.received.some((m: any) => m.frame === 'right' && m.type === 'mono.connect.widget.closed'));
      const received = await page.evaluate(() => window.received);
      assert.ok(received.some((m: any) => m.frame === 'right' && m.type === 'mono.connect.widget_opened'));
      assert.deepEqual(
        received.filter((m: any) => m.frame !== 'right'),
        [],
      );
      await page.close();
    });

    test('with allowed origins, a page elsewhere cannot frame the widget even with a forged referrer', async () => {
      const set = await call(server.url, 'PUT', '/v2/connect/origins', { key: app.secretKey, body: { origins: ['https://shop.example'] } });
      assert.equal(set.status, 200, set.text);
      try {
        const page = await browser.newPage();
        await page.goto(`${site.url}/plain.html`);
        const forged = frameWidget('https://shop.example/checkout', 'forged');
        const loaded = await page.evaluate(
          ({ src, id }) =>
            new Promise<boolean>((resolve) => {
              const iframe = document.createElement('iframe');
              iframe.id = id;
              iframe.src = src;
              iframe.onload = () => resolve(true);
              document.body.appendChild(iframe);
            }),
          forged,
        );
        assert.equal(loaded, true);
        const frame = (await (await page.$('#forged'))!.contentFrame())!;
        assert.ok(!frame.url().startsWith(server.url), `the browser refused to render the widget (frame at ${frame.url()})`);
        assert.equal(await frame.$('[data-screen]').catch(() => null), null);
        await page.close();
      } finally {
        await call(server.url, 'PUT', '/v2/connect/origins', { key: app.secretKey, body: { origins: null } });
      }
    });
  });
}
