// A built PDF statement as a person sees it: page 1 drawn by PDF.js in Debian's Chromium (the
// fonts the PDF embeds, ₦ included), checked, and saved as a PNG. With RELINK_UPDATE_DOCS=1 the
// PNG replaces docs/data/statement-page-1.png, the image docs/data.md shows.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { call, databases, link, settle, startTestServer, type TestServer } from '@relink/testkit';
import { launchBrowser } from '@relink/testkit/browser';
import { download, pollJob } from '../support/statements.ts';

declare const window: any;

const ROOT = new URL('../../../../', import.meta.url).pathname;
const OUT = join(ROOT, '.tmp', 'statement-screenshots');
const DOCS_IMAGE = join(ROOT, 'docs', 'data', 'statement-page-1.png');
const PDFJS = join(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'), '..', 'build');
/** A page on an origin of its own, served by the browser's router: PDF.js draws the statement into a canvas. */
const ORIGIN = 'http://statement.test';
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;background:#8a8f96}canvas{display:block;margin:16px auto;box-shadow:0 2px 8px #0005}</style></head>
<body><canvas id="page"></canvas><script type="module">
import * as pdfjs from '/pdf.mjs';
pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.mjs';
const pdf = await pdfjs.getDocument({ url: '/statement.pdf', isEvalSupported: false }).promise;
const page = await pdf.getPage(1);
const viewport = page.getViewport({ scale: 1.5 });
const canvas = document.getElementById('page');
canvas.width = viewport.width;
canvas.height = viewport.height;
await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
const text = await page.getTextContent();
window.statement = { pages: pdf.numPages, text: text.items.map((i) => i.str).join(' ') };
</script></body></html>`;

for (const kind of databases()) {
  describe(`[${kind}] a PDF statement in a real browser`, () => {
    let server: TestServer;
    let browser: Browser;
    before(async () => {
      [server, browser] = await Promise.all([startTestServer(kind), launchBrowser()]);
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('page 1 renders: the bank, the holder, the period, the balances in naira and the first transactions; saved as a PNG', async () => {
      const key = (await server.createApp()).secretKey;
      const id = await link(server, key, 'user_good');
      await settle(server);
      const started = await call(server.url, 'GET', `/v2/accounts/${id}/statement?period=last1months&output=pdf`, { key });
      const built = await pollJob(server.url, key, id, started.body.data.id);
      const pdf = await download(built.path!);
      assert.equal(pdf.status, 200);
      const account = (await call(server.url, 'GET', `/v2/accounts/${id}`, { key })).body.data.account;
      const statement = (await call(server.url, 'GET', `/accounts/${id}/statement?period=last1months`, { key })).body;

      const page = await browser.newPage({ viewport: { width: 960, height: 1300 } });
      try {
        await page.route(`${ORIGIN}/**`, (route) => {
          const path = new URL(route.request().url()).pathname;
          if (path === '/statement.pdf') return route.fulfill({ body: Buffer.from(pdf.bytes), contentType: 'application/pdf' });
          if (path === '/pdf.mjs' || path === '/pdf.worker.mjs')
            return route.fulfill({ body: readFileSync(join(PDFJS, path)), contentType: 'text/javascript' });
          return route.fulfill({ body: PAGE, contentType: 'text/html; charset=utf-8' });
        });
        await page.goto(`${ORIGIN}/`);
        await page.waitForFunction(() => window.statement !== undefined, undefined, { timeout: 30_000 });
        const shown = (await page.evaluate(() => window.statement)) as { pages: number; text: string };
        for (const text of ['Relink Sandbox Bank', 'STATEMENT OF ACCOUNT', account.name, account.account_number, 'Opening balance', 'Page 1 of']) {
          assert.ok(shown.text.includes(text), `page 1 shows ${text}`);
        }
        assert.ok(shown.text.includes(statement.data.at(-1).narration), 'page 1 shows the oldest transaction');
        assert.ok(shown.text.includes('₦'), 'amounts are in naira');

        // Drawn, not blank: the canvas holds the dark text and the table's header band.
        const inked = await page.evaluate(() => {
          const canvas = document.getElementById('page') as unknown as { width: number; height: number; getContext(kind: '2d'): any };
          const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          let dark = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i] < 100 && data[i + 1] < 100 && data[i + 2] < 120) dark++;
          return dark / (data.length / 4);
        });
        assert.ok(inked > 0.02 && inked < 0.5, `${(inked * 100).toFixed(1)} % of the page is ink`);

        mkdirSync(OUT, { recursive: true });
        const png = join(OUT, `${kind}-statement-page-1.png`);
        writeFileSync(png, await page.locator('#page').screenshot());
        if (process.env.RELINK_UPDATE_DOCS === '1' && kind === databases()[0]) {
          mkdirSync(join(DOCS_IMAGE, '..'), { recursive: true });
          copyFileSync(png, DOCS_IMAGE);
        }
      } finally {
        await page.close();
      }
    });
  });
}
