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
import { createTestDatabase, retryUntil, testConfig, type DatabaseKind } from '@relink/testkit';
import { startPartnerApp, type RunningPartnerApp } from '../src/app.ts';

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
  const partner = await startPartnerApp({
    relinkUrl: relink.url,
    secretKey: created.secretKey,
    publicKey: created.publicKey,
    databaseFile: join(dir, 'partner.db'),
  });
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

/** A person's browser without the browser: the session cookie, forms and the app's JSON calls. */
export class Visitor {
  #cookie = '';
  constructor(private readonly base: string) {}
  async signIn(user: string) {
    const res = await this.send('POST', '/signin', { form: { user } });
    if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  }
  async send(method: string, path: string, options: { form?: Record<string, string>; json?: unknown } = {}) {
    const headers: Record<string, string> = { cookie: this.#cookie, accept: 'text/html' };
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    const set = response.headers.get('set-cookie');
    if (set) this.#cookie = set.split(';')[0]!;
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }
}

/** A step of a Partners API session (`x-session-id`), with the secret key. */
async function sessionStep(stack: Stack, path: string, sessionId: string, body: unknown): Promise<{ responseCode: number; data: { code: string } }> {
  const response = await fetch(stack.relink.url + path, {
    method: 'POST',
    headers: { 'mono-sec-key': stack.secretKey, 'x-session-id': sessionId, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as { responseCode: number; data: { code: string } };
}

/**
 * A link code from the Partners API, as the widget would hand one over: the sandbox bank user
 * `username` (pass_good, OTP 12345) linked for the customer `{name, email}`. Relink gives the
 * same account id when the same bank account is linked again for the same customer.
 */
export async function linkCode(stack: Stack, customer: { name: string; email: string }, username: string): Promise<string> {
  const session = await relinkCall(stack, 'POST', '/v2/connect/session', {
    institution: '5f2d08be60b92e2888287000',
    auth_method: 'internet_banking',
    scope: 'financial_data',
    customer,
  });
  const id = session.body.data.session.id as string;
  let reply = await sessionStep(stack, '/v2/connect/login', id, { username, password: 'pass_good' });
  if (reply.responseCode === 102) reply = await sessionStep(stack, '/v2/connect/commit', id, { otp: '12345' });
  if (reply.responseCode !== 99) throw new Error(`linking ${username} answered ${reply.responseCode}`);
  return reply.data.code;
}

/**
 * A re-authorisation code for `accountId` (a user_otp account): the bank asks again (sandbox
 * reset-login), then the Partners API reauth session is answered with the OTP. This is the code
 * anyone who can finish a reauth of that account holds, whoever they are.
 */
export async function reauthCode(stack: Stack, accountId: string): Promise<string> {
  await settled(stack, accountId);
  const reset = await relinkCall(stack, 'POST', `/v2/sandbox/accounts/${accountId}/reset-login`, { reason: 'mfa_required' });
  if (reset.body.data?.reauth_required !== true) throw new Error(`reset-login answered ${JSON.stringify(reset.body)}`);
  const started = await relinkCall(stack, 'POST', '/v2/connect/reauth/session', { account: accountId });
  if (started.body.data?.responseCode !== 102) throw new Error(`the reauth session answered ${JSON.stringify(started.body)}`);
  const reply = await sessionStep(stack, started.body.data.next, started.body.data.session.id, { otp: '12345' });
  if (reply.responseCode !== 99) throw new Error(`the reauth answered ${reply.responseCode}`);
  return reply.data.code;
}

/** Waits until Relink is not fetching the account's data (a reset-login during a sync finds nothing to run); fails if it still is after 15 s. */
export async function settled(stack: Stack, accountId: string) {
  const status = async () => (await relinkCall(stack, 'GET', `/v2/accounts/${accountId}`)).body.data.meta.data_status as string;
  await retryUntil(status, (current) => current !== 'PROCESSING', {
    timeoutMs: 15_000,
    intervalMs: 100,
    what: `Relink to finish fetching the data of account ${accountId}`,
  });
}

/** Links a sandbox user through the Partners API (as the widget would) for the demo person `userId`, and hands the code to the app. */
export async function linkThroughApi(stack: Stack, userId: string, username: string): Promise<{ visitor: Visitor; accountId: string }> {
  const visitor = new Visitor(stack.partner.url);
  await visitor.signIn(userId);
  const { name, email } = stack.partner.db.users.get(userId)!;
  const linked = await visitor.send('POST', '/link/code', { json: { code: await linkCode(stack, { name, email }, username) } });
  if (linked.status !== 200) throw new Error(`the app refused the code: ${linked.text}`);
  const accountId = stack.partner.db.users.get(userId)!.accountId!;
  await settled(stack, accountId);
  return { visitor, accountId };
}
