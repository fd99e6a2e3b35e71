/**
 * Browser test support for the widget's tests: a partner page on its own origin that embeds
 * connect.js, and screenshots saved as test artefacts under .tmp/connect-screenshots
 * (gitignored). Chromium and the widget's screens are in @relink/testkit/browser.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '@relink/testkit/browser';

const ROOT = new URL('../../../../', import.meta.url).pathname;
export const SCREENSHOTS = join(ROOT, '.tmp', 'connect-screenshots');

/** A page of the partner's own site (another origin than Relink's) that loads a connect.js. */
export interface PartnerSite {
  url: string;
  origin: string;
  close(): Promise<void>;
}

const MONO_CONNECT = join(ROOT, 'node_modules', '@mono.co', 'connect.js', 'index.js');

export async function startPartnerSite(relink: string): Promise<PartnerSite> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://partner');
    if (url.pathname === '/mono/connect.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(MONO_CONNECT));
      return;
    }
    const script = url.pathname === '/mono.html' ? '/mono/connect.js' : `${relink}/connect.js`;
    // The ten lines a partner adds (docs/connect.md), with callbacks that record what happened.
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html><head><meta charset="utf-8"><title>Partner shop</title></head>
<body><h1>Partner shop</h1><p>${url.pathname === '/done' ? 'Back at the partner: ' + escape(url.search) : 'Checkout'}</p>
<script src="${script}"></script>
<script>
  window.events = []; window.successes = []; window.closes = 0; window.loads = 0;
  window.makeConnect = (options) => new Connect({
    onSuccess: (data) => window.successes.push(data),
    onClose: () => { window.closes++; },
    onLoad: () => { window.loads++; },
    onEvent: (type, data) => window.events.push({ type, data }),
    ...options,
  });
</script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    origin,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function escape(text: string) {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function shoot(page: Page, kind: string, name: string) {
  const dir = join(SCREENSHOTS, kind);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/**
 * A Relink server, a partner site in front of it and a Chromium for one suite: started before
 * its tests (in the order `before` hooks registered after this one expect) and stopped after.
 */
export function inBrowser<S extends { url: string; stop(): Promise<void> }>(start: () => Promise<S>): { server: S; site: PartnerSite; browser: Browser } {
  const parts = {} as { server: S; site: PartnerSite; browser: Browser };
  before(async () => {
    parts.server = await start();
    parts.site = await startPartnerSite(parts.server.url);
    parts.browser = await launchBrowser();
  });
  after(async () => {
    await parts.browser?.close();
    await parts.site?.close();
    await parts.server?.stop();
  });
  return parts;
}
