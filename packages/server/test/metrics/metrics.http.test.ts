// GET /metrics after what happens to accounts: a link and its sync, a re-authorisation episode
// and its sessions, webhook deliveries, a bank user's cap. Every scrape is read with a strict
// text-format parser (test/support/prometheus.ts), and every series moves by exactly what
// happened; the webhook backlog, read from the shared database, is the same on two instances.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  call,
  createTestDatabase,
  databases,
  OTP,
  PASSWORD,
  SANDBOX,
  type ReauthServer,
  type Receiver,
  type TestDatabase,
  type TestServer,
  link,
  linkedAccount,
  reauthSession,
  resetLogin,
  settle,
  setEndpoint,
  startReauthServer,
  startReceiver,
  startTestServer,
  stepOn,
} from '@relink/testkit';
import { v2Session } from '../support/linking.ts';
import { fire, insertAccount } from '../support/webhooks.ts';
import { parseExposition, samplesOf, type Labels, type Scrape, valueOf } from '../support/prometheus.ts';

async function scrape(server: TestServer): Promise<Scrape> {
  const res = await call(server.url, 'GET', '/metrics');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return parseExposition(res.text);
}

/** How far each series moved between two scrapes. */
const mover =
  (before: Scrape, after: Scrape) =>
  (name: string, labels: Labels = {}) =>
    valueOf(after, name, labels) - valueOf(before, name, labels);

const sandbox = (labels: Labels) => ({ ...labels, institution: SANDBOX });

for (const kind of databases()) {
  describe(`[${kind}] GET /metrics on one instance`, () => {
    let server: ReauthServer;
    let receiver: Receiver;
    let key: string;
    before(async () => {
      server = await startReauthServer(kind);
      receiver = await startReceiver();
      key = (await server.createApp('Metrics')).secretKey;
      await setEndpoint(server, key, receiver.url);
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    test('every series is well formed, typed and described; the process series carry the relink_ prefix', async () => {
      const families = await scrape(server);
      for (const family of families.values()) {
        assert.match(family.name, /^relink_/, family.name);
        assert.ok(family.help, `${family.name} has a # HELP`);
      }
      for (const name of [
        'relink_http_request_duration_seconds',
        'relink_reauth_episodes_started_total',
        'relink_reauth_episodes_completed_total',
        'relink_reauth_episodes_abandoned_total',
        'relink_reauth_episode_duration_seconds',
        'relink_reauth_sessions_started_total',
        'relink_reauth_sessions_completed_total',
        'relink_reauth_sessions_abandoned_total',
        'relink_sync_duration_seconds',
        'relink_webhook_attempts_total',
        'relink_webhook_delivery_latency_seconds',
        'relink_webhook_backlog_deliveries',
        'relink_webhook_backlog_oldest_due_seconds',
        'relink_rate_limited_total',
        'relink_bank_user_cap_hits_total',
        'relink_nodejs_eventloop_lag_p99_seconds',
        'relink_process_cpu_seconds_total',
      ]) {
        assert.ok(families.has(name), `${name} is served`);
      }
      assert.equal(families.get('relink_sync_duration_seconds')!.type, 'histogram');
      assert.equal(families.get('relink_webhook_backlog_deliveries')!.type, 'gauge');
      assert.equal(families.get('relink_rate_limited_total')!.type, 'counter');
    });

    test('a link, a reauth episode and its session, the syncs and the webhooks: each series moves by exactly what happened', async () => {
      const before = await scrape(server);
      const id = await linkedAccount(server, key, 'user_otp');
      await resetLogin(server, key, id, 'mfa_required');
      // Delivered before the clock moves: a claim held across the jump would lapse and be delivered twice.
      await server.services.webhooks.dispatcher.runDue();
      server.clock.advance(90_000);
      const started = await reauthSession(server, key, id);
      assert.equal(started.body.data.responseCode, 102, started.text);
      const done = await stepOn(server, key, '/v2/connect/commit', started.body.data.session.id, { otp: OTP });
      assert.equal(done.body.responseCode, 99, done.text);
      await settle(server);
      await server.services.webhooks.dispatcher.runDue();
      const beforeReads = await scrape(server);
      for (let i = 0; i < 2; i++) assert.equal((await call(server.url, 'GET', `/v2/accounts/${id}`, { key })).status, 200);
      const after = await scrape(server);
      const moved = mover(before, after);

      // The link's first sync and the one after the re-authorisation; the sandbox reset's sync found the episode.
      assert.equal(moved('relink_sync_duration_seconds_count', { outcome: 'synced' }), 2);
      assert.equal(moved('relink_sync_duration_seconds_count', { outcome: 'reauth_required' }), 1);
      assert.equal(moved('relink_sync_duration_seconds_count', { outcome: 'failed' }), 0);
      assert.equal(moved('relink_sync_duration_seconds_count', { outcome: 'stale' }), 0);

      const episode = sandbox({ reason: 'mfa_required' });
      assert.equal(moved('relink_reauth_episodes_started_total', episode), 1);
      assert.equal(moved('relink_reauth_episodes_completed_total', episode), 1);
      assert.equal(moved('relink_reauth_episode_duration_seconds_count', episode), 1);
      assert.equal(moved('relink_reauth_episode_duration_seconds_sum', episode), 90, 'from reauthorisation_required to account_reauthorized, on the clock');
      assert.equal(moved('relink_reauth_episode_duration_seconds_bucket', { ...episode, le: '60' }), 0);
      assert.equal(moved('relink_reauth_episode_duration_seconds_bucket', { ...episode, le: '300' }), 1);

      const partner = sandbox({ origin: 'partner' });
      assert.equal(moved('relink_reauth_sessions_started_total', partner), 1);
      assert.equal(moved('relink_reauth_sessions_completed_total', partner), 1);
      for (const how of ['failed', 'cancelled', 'superseded']) assert.equal(moved('relink_reauth_sessions_abandoned_total', { ...partner, how }), 0);

      // account_connected, account_updated; reauthorisation_required, account_updated; account_reauthorized, account_updated.
      assert.equal(receiver.received.length, 6);
      assert.equal(moved('relink_webhook_attempts_total', { outcome: 'succeeded' }), 6);
      assert.equal(moved('relink_webhook_delivery_latency_seconds_count'), 6);
      for (const outcome of ['retrying', 'failed', 'skipped']) assert.equal(moved('relink_webhook_attempts_total', { outcome }), 0);
      assert.equal(valueOf(after, 'relink_webhook_backlog_deliveries', { state: 'pending' }), 0);
      assert.equal(valueOf(after, 'relink_webhook_backlog_oldest_due_seconds'), 0);

      const read = { method: 'GET', route: '/v2/accounts/:id', status: '200' };
      assert.equal(mover(beforeReads, after)('relink_http_request_duration_seconds_count', read), 2, 'by the route pattern');
      for (const sample of samplesOf(after)) {
        for (const value of Object.values(sample.labels)) assert.ok(!value.includes(id), `${sample.name} names the account: ${JSON.stringify(sample.labels)}`);
      }
    });

    test('sessions that fail or are cancelled, and an episode ended by an unlink, count as abandoned', async () => {
      const id = await linkedAccount(server, key, 'user_otp');
      await resetLogin(server, key, id, 'mfa_required');
      const before = await scrape(server);

      const first = await reauthSession(server, key, id);
      const wrong = () => stepOn(server, key, '/v2/connect/commit', first.body.data.session.id, { otp: '00000' });
      for (let i = 0; i < 2; i++) assert.equal((await wrong()).body.code, 'OTP_INVALID');
      assert.equal((await wrong()).body.code, 'OTP_ATTEMPTS_EXCEEDED');
      const second = await reauthSession(server, key, id);
      const cancelled = await call(server.url, 'POST', '/v2/connect/cancel', { key, headers: { 'x-session-id': second.body.data.session.id } });
      assert.equal(cancelled.status, 200, cancelled.text);
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${id}/unlink`, { key })).status, 200);
      const moved = mover(before, await scrape(server));

      const partner = sandbox({ origin: 'partner' });
      assert.equal(moved('relink_reauth_sessions_started_total', partner), 2);
      assert.equal(moved('relink_reauth_sessions_completed_total', partner), 0);
      assert.equal(moved('relink_reauth_sessions_abandoned_total', { ...partner, how: 'failed' }), 1);
      assert.equal(moved('relink_reauth_sessions_abandoned_total', { ...partner, how: 'cancelled' }), 1);
      const episode = sandbox({ reason: 'mfa_required' });
      assert.equal(moved('relink_reauth_episodes_started_total', episode), 0, 'it began before the first scrape');
      assert.equal(moved('relink_reauth_episodes_completed_total', episode), 0);
      assert.equal(moved('relink_reauth_episodes_abandoned_total', { ...episode, how: 'unlinked' }), 1);
      assert.equal(moved('relink_reauth_episode_duration_seconds_count', episode), 0);
    });

    test('a new link of the same bank account for the same customer ends the episode as relinked', async () => {
      const customer = { name: 'Relinked Customer', email: 'relinked@example.com' };
      const id = await link(server, key, 'user_otp', { customer });
      await settle(server);
      await resetLogin(server, key, id, 'mfa_required');
      const before = await scrape(server);
      server.clock.advance(5_000);
      assert.equal(await link(server, key, 'user_otp', { customer }), id, 'the same account');
      const moved = mover(before, await scrape(server));
      const episode = sandbox({ reason: 'mfa_required' });
      assert.equal(moved('relink_reauth_episodes_abandoned_total', { ...episode, how: 'relinked' }), 1);
      assert.equal(moved('relink_reauth_episodes_completed_total', episode), 0);
      assert.equal(moved('relink_reauth_episode_duration_seconds_count', episode), 0);
      assert.equal(moved('relink_reauth_sessions_started_total', sandbox({ origin: 'partner' })), 0, 'a link session is no reauth session');
    });

    test("a bank user's cap and the episode a password change starts, each by its label", async () => {
      const before = await scrape(server);
      const login = async (password: string) => {
        const session = await v2Session(server, key);
        return call(server.url, 'POST', '/v2/connect/login', { key, body: { username: 'user_good+metrics', password }, headers: { 'x-session-id': session } });
      };
      for (const password of ['bad-1', 'bad-2', 'bad-3']) assert.equal((await login(password)).body.code, 'BANK_LOGIN_FAILED');
      assert.equal((await login(PASSWORD)).status, 429);
      const id = await linkedAccount(server, key, 'user_multi');
      await resetLogin(server, key, id, 'password_changed');
      const moved = mover(before, await scrape(server));

      assert.equal(moved('relink_bank_user_cap_hits_total', { cap: 'login' }), 1);
      for (const cap of ['answer', 'login_public', 'answer_public']) assert.equal(moved('relink_bank_user_cap_hits_total', { cap }), 0);
      assert.equal(moved('relink_reauth_episodes_started_total', sandbox({ reason: 'password_changed' })), 1);
      assert.equal(moved('relink_reauth_episodes_started_total', sandbox({ reason: 'mfa_required' })), 0);
      assert.equal(moved('relink_http_request_duration_seconds_count', { method: 'POST', route: '/v2/connect/login', status: '429' }), 1);
    });
  });

  describe(`[${kind}] GET /metrics on two instances over one database`, () => {
    let db: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    let receiver: Receiver;
    before(async () => {
      db = await createTestDatabase(kind);
      a = await startTestServer(kind, { db });
      b = await startTestServer(kind, { db });
      receiver = await startReceiver((_req, res) => res.writeHead(500).end('down'));
    });
    after(async () => {
      await b?.stop();
      await a?.stop();
      await db.drop();
      await receiver?.close();
    });

    test('counters are each instance’s own; the webhook backlog, read from the database, is the same on both', async () => {
      // Only a delivers: b's dispatcher stops before anything is queued.
      await b.services.webhooks.dispatcher.stop();
      const app = await a.createApp('Backlog');
      await setEndpoint(a, app.secretKey, receiver.url);
      const account = await insertAccount(a.services.database.db, app.id, a.clock.now());
      const [beforeA, beforeB] = [await scrape(a), await scrape(b)];

      await fire(a, app.secretKey, account);
      await a.services.webhooks.dispatcher.runDue();
      assert.equal(receiver.received.length, 1);
      await a.services.webhooks.dispatcher.stop();
      await fire(a, app.secretKey, account);
      a.clock.advance(42_000);
      b.clock.set(a.clock.now());
      const [afterA, afterB] = [await scrape(a), await scrape(b)];

      assert.equal(mover(beforeA, afterA)('relink_webhook_attempts_total', { outcome: 'retrying' }), 1);
      assert.equal(mover(beforeB, afterB)('relink_webhook_attempts_total', { outcome: 'retrying' }), 0);
      for (const scraped of [afterA, afterB]) {
        assert.equal(valueOf(scraped, 'relink_webhook_backlog_deliveries', { state: 'pending' }), 2);
        assert.equal(valueOf(scraped, 'relink_webhook_backlog_deliveries', { state: 'failing' }), 1);
        assert.equal(valueOf(scraped, 'relink_webhook_backlog_oldest_due_seconds'), 42, 'the one never attempted, queued 42 s ago');
      }
    });
  });
}
