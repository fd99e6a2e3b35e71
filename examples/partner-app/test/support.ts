/**
 * The partner app's browser tests: the real Relink server in process (on the database under
 * test, with the real clock, since the story is timed by a person), the real partner app on
 * loopback, and Debian's Chromium through playwright-core (the widget tests' set-up).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, systemClock, type RunningServer } from '@relink/server';
import type { Page } from 'playwright-core';
import { createTestDatabase, testConfig, type DatabaseKind } from '../../../packages/server/test/helpers.ts';
import { startPartnerApp, type RunningPartnerApp } from '../src/app.ts';

export { launchBrowser, widgetFrame, onScreen, fillAndEnter } from '../../../packages/server/test/connect/browser.ts';
export { databases } from '../../../packages/server/test/helpers.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
export const SCREENSHOTS = join(ROOT, '.tmp', 'partner-screenshots');

export interface Stack {
  relink: RunningServer;
  partner: RunningPartnerApp;
  secretKey: string;
  stop(): Promise<void>;
}

/** Relink with a test-mode app, and the partner app registered with it (webhook URL, origin). */
export async function startStack(kind: DatabaseKind): Promise<Stack> {
  const db = await createTestDatabase(kind);
  const relink = await startServer(testConfig(db, { LOG_LEVEL: 'warn' }), { clock: systemClock });
  const created = await relink.services.apps.create({ name: 'Kudi Lend' });
  const dir = mkdtempSync(join(tmpdir(), 'partner-app-'));
  const partner = await startPartnerApp({ relinkUrl: relink.url, secretKey: created.secretKey, publicKey: created.publicKey, databaseFile: join(dir, 'partner.db') });
  return {
    relink,
    partner,
    secretKey: created.secretKey,
    async stop() {
      await partner.close();
      await relink.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A full-page screenshot of one step of a story, under .tmp/partner-screenshots/<database>/. */
export async function shoot(page: Page, kind: string, name: string, options: { fullPage?: boolean } = {}) {
  const dir = join(SCREENSHOTS, kind);
  mkdirSync(dir, { recursive: true });
  // The widget is a fixed overlay: shoot it as the viewport shows it, the app's pages whole.
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: options.fullPage ?? true });
}

/** Delivered webhooks of one event type, as Relink recorded them. */
export async function deliveries(stack: Stack, event: string): Promise<{ status: string; last_status_code: number | null; url: string }[]> {
  const res = await relinkCall(stack, 'GET', '/v2/webhooks/deliveries?limit=100');
  return (res.body.data as { event: string; status: string; last_status_code: number | null; url: string }[]).filter((d) => d.event === event);
}

/** Relink's Partners API with the app's secret key, as the tests' own view of the truth. */
export async function relinkCall(stack: Stack, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(stack.relink.url + path, {
    method,
    headers: { 'mono-sec-key': stack.secretKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
