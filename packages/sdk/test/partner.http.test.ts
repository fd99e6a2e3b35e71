// The partner's side of re-authorisation, against a real Relink server: the server's signed
// webhooks reach a node:http endpoint built with the SDK's adapter, which verifies them and
// feeds the reauth tracker (SQLite store) — as Mono's tutorial recommends, done correctly.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  call,
  databases,
  OTP,
  exchange,
  type ReauthServer,
  linkedAccount,
  reauthSession,
  resetLogin,
  startReauthServer,
  stepOn,
  setEndpoint,
  waitFor,
} from '@relink/testkit';
import { type RelinkEvent, ReauthTracker, Relink, SqliteReauthStore, WebhookVerificationError, nodeWebhookHandler, verifyWebhook } from '../src/index.ts';

interface Delivery {
  headers: Record<string, string>;
  body: string;
}

for (const kind of databases()) {
  describe(`[${kind}] SDK: webhook verification and the reauth tracker against Relink`, () => {
    let server: ReauthServer;
    let endpoint: Server;
    let key: string;
    let secret: string;
    let tracker: ReauthTracker;
    const heard: RelinkEvent[] = [];
    const raw: Delivery[] = [];
    before(async () => {
      server = await startReauthServer(kind);
      key = (await server.createApp('SDK partner')).secretKey;
      const store = new SqliteReauthStore(new Database(':memory:'));
      tracker = new ReauthTracker({ store, baseUrl: server.url, secretKey: key, fetchToken: true });
      endpoint = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => raw.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') }));
        // The adapter reads the same request: verify, then hand the event to the tracker.
        nodeWebhookHandler({ secret, allowSecretHeader: false }, async (event) => {
          heard.push(event);
          await tracker.handle(event);
        })(req, res);
      });
      await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
      secret = await setEndpoint(server, key, `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hooks`);
    });
    after(async () => {
      await server.stop();
      endpoint.closeAllConnections();
      await new Promise((resolve) => endpoint.close(resolve));
    });

    const events = (account: string, type: string) =>
      heard.filter((e) => e.event === type && (e.data as { account?: { _id: string } }).account?._id === account);

    test('reset-login sets reauthRequired with a token; the reauth clears both; a replayed duplicate changes nothing', async () => {
      const id = await linkedAccount(server, key, 'user_otp');
      await resetLogin(server, key, id);
      await waitFor(() => events(id, 'mono.events.reauthorisation_required').length === 1, 10_000, 'reauthorisation_required at the partner');
      await waitFor(async () => (await tracker.status(id))?.reauthRequired === true, 5_000, 'the tracker to set the flag');
      const flagged = (await tracker.status(id))!;
      assert.match(flagged.reauthCode ?? '', /^[0-9A-Za-z]{20}$/, 'a reauth token was fetched');
      // The token works: the v1 flow with it.
      const session = await call(server.url, 'POST', '/v1/connect/session', { key, body: { reauth_token: flagged.reauthCode } });
      assert.equal(session.body.reauth.response_code, 102, session.text);
      const done = await stepOn(server, key, '/v1/connect/commit', session.body.id, { otp: OTP });
      assert.equal(await exchange(server, key, done.body.data.code), id);
      await waitFor(() => events(id, 'mono.events.account_reauthorized').length === 1, 10_000, 'account_reauthorized at the partner');
      await waitFor(async () => (await tracker.status(id))?.reauthRequired === false, 5_000, 'the tracker to clear the flag');
      assert.equal((await tracker.status(id))!.reauthCode, null);

      // Relink sends the old reauthorisation_required again (a replay: same event_id): ignored.
      const old = events(id, 'mono.events.reauthorisation_required')[0]!;
      const replay = await call(server.url, 'POST', `/v2/webhooks/events/${old.event_id}/replay`, { key });
      assert.equal(replay.status, 201, replay.text);
      await waitFor(() => events(id, 'mono.events.reauthorisation_required').length === 2, 10_000, 'the replay');
      assert.equal((await tracker.status(id))!.reauthRequired, false);
    });

    test('a late reauthorisation_required (older than the account_reauthorized already applied) does not undo it', async () => {
      const id = '6a1f2c3d4e5f60718293a4b5';
      const at = (t: string) => `2026-11-29T10:00:${t}.000Z`;
      const reauthorized = { event: 'mono.events.account_reauthorized', event_id: 'evt_b', timestamp: at('05'), data: { account: { _id: id } } } as RelinkEvent;
      const required = { event: 'mono.events.reauthorisation_required', event_id: 'evt_a', timestamp: at('01'), data: { account: { _id: id } } } as RelinkEvent;
      const offline = new ReauthTracker({ store: new SqliteReauthStore(new Database(':memory:')), baseUrl: server.url, secretKey: key });
      assert.equal((await offline.handle(reauthorized))!.reauthRequired, false);
      assert.equal((await offline.handle(required))!.reauthRequired, false, 'the older event lost');
      assert.equal((await offline.handle({ ...required, event_id: 'evt_c', timestamp: at('09') }))!.reauthRequired, true, 'a newer one wins');
      assert.equal(await offline.handle({ ...required, event: 'mono.events.account_updated' } as unknown as RelinkEvent), undefined);
    });

    // The partner's webhook endpoint was down while accounts changed: reconcile reads Relink's
    // own list and corrects the store, both ways, without undoing what a webhook applied since.
    test('reconcile pages through GET /v2/accounts?reauth_required=true and corrects the store both ways', async () => {
      const deafKey = (await server.createApp('Deaf partner')).secretKey;
      const [x, y, z, w] = [
        await linkedAccount(server, deafKey, 'user_question'),
        await linkedAccount(server, deafKey, 'user_otp'),
        await linkedAccount(server, deafKey, 'user_good'),
        await linkedAccount(server, deafKey, 'user_good+gone'),
      ];
      const store = new SqliteReauthStore(new Database(':memory:'));
      const asked: string[] = [];
      /** Handled by the partner's webhook endpoint while the pass reads its first page. */
      let meanwhile: (() => Promise<void>) | undefined;
      const recording: typeof fetch = async (input, init) => {
        const url = new URL(String(input));
        asked.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
        const answer = await fetch(input, init);
        await meanwhile?.();
        meanwhile = undefined;
        return answer;
      };
      const deaf = new ReauthTracker({
        store,
        client: new Relink({ secretKey: deafKey, baseUrl: server.url, retries: 0, fetch: recording }),
        fetchToken: true,
        reconcilePageSize: 1,
      });
      const long = '2026-01-01T00:00:00.000Z';
      // What the store believed before the outage: z and w needed reauth (z was re-authorised and w
      // unlinked since).
      await store.put({ accountId: z, reauthRequired: true, reauthCode: 'stale', changedAt: long });
      await store.put({ accountId: w, reauthRequired: true, reauthCode: null, changedAt: long });
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${w}/unlink`, { key: deafKey })).status, 200);
      await resetLogin(server, deafKey, x);
      await resetLogin(server, deafKey, y);

      // While the pass reads the list, a webhook about x arrives and is handled (here: an
      // account_reauthorized stamped an hour back, as a skewed clock would stamp it): the pass,
      // which read x before it, leaves x as the webhook set it.
      const heardAt = new Date(Date.now() - 3_600_000).toISOString();
      meanwhile = () => store.put({ accountId: x, reauthRequired: false, reauthCode: null, changedAt: heardAt });
      const written = await deaf.reconcile();
      const byId = new Map(written.map((state) => [state.accountId, state]));
      assert.deepEqual([...byId.keys()].sort(), [y, z, w].sort(), 'x changed during the pass and is left as it is');
      assert.equal(byId.get(y)!.reauthRequired, true);
      assert.match(byId.get(y)!.reauthCode ?? '', /^[0-9A-Za-z]{20}$/, 'a reauth token for the newly flagged account');
      assert.deepEqual({ ...byId.get(z)!, changedAt: '' }, { accountId: z, reauthRequired: false, reauthCode: null, changedAt: '' });
      assert.equal(byId.get(w)!.reauthRequired, false, 'an unlinked account (404) is cleared');
      assert.deepEqual(await deaf.status(x), { accountId: x, reauthRequired: false, reauthCode: null, changedAt: heardAt });
      // Two accounts wait, a page each; only the accounts to clear were asked one by one.
      const listCalls = asked.filter((a) => a.startsWith('GET /v2/accounts?'));
      assert.deepEqual(listCalls, ['GET /v2/accounts?reauth_required=true&page=1&limit=1', 'GET /v2/accounts?reauth_required=true&page=2&limit=1']);
      assert.deepEqual(asked.filter((a) => /^GET \/v2\/accounts\/[0-9a-f]{24}$/.test(a)).sort(), [`GET /v2/accounts/${z}`, `GET /v2/accounts/${w}`].sort());
      assert.deepEqual(
        asked.filter((a) => a.endsWith('/reauthorise')),
        [`POST /accounts/${y}/reauthorise`],
      );

      // With nothing in the way, the next pass picks x up; once its user re-authorises, it is cleared.
      assert.equal((await deaf.reconcile()).find((s) => s.accountId === x)?.reauthRequired, true);
      const started = await reauthSession(server, deafKey, x);
      const done = await stepOn(server, deafKey, '/v2/connect/commit', started.body.data.session.id, { answer: 'blue' });
      assert.equal(done.body.responseCode, 99, done.text);
      const again = await deaf.reconcile();
      assert.equal(again.find((s) => s.accountId === x)?.reauthRequired, false);
      assert.equal((await deaf.status(y))!.reauthRequired, true);
      assert.equal((await deaf.status(y))!.reauthCode, byId.get(y)!.reauthCode, 'the token it holds is kept');
      // Named accounts are asked one by one.
      assert.deepEqual(
        (await deaf.reconcile([y, w])).map((s) => [s.accountId, s.reauthRequired]),
        [
          [y, true],
          [w, false],
        ],
      );
    });

    test('verification: good, tampered, stale, wrongly keyed and rotated signatures; the adapter answers 401', async () => {
      await waitFor(() => raw.length > 0, 5_000, 'a delivery');
      const good = raw[0]!;
      const now = Number(good.headers['webhook-timestamp']);
      assert.equal(verifyWebhook({ headers: good.headers, rawBody: good.body, secret, now }).event_id, good.headers['webhook-id']);
      const refuse = (input: Parameters<typeof verifyWebhook>[0], why: RegExp) =>
        assert.throws(
          () => verifyWebhook(input),
          (e: unknown) => e instanceof WebhookVerificationError && why.test(e.message),
        );
      refuse({ headers: good.headers, rawBody: good.body.replace('"data"', '"data" '), secret, now }, /no signature matches/);
      refuse({ headers: good.headers, rawBody: good.body, secret, now: now + 301 }, /tolerance/);
      refuse({ headers: good.headers, rawBody: good.body, secret: `whsec_${Buffer.alloc(24, 1).toString('base64')}`, now }, /no signature matches/);
      refuse({ headers: { 'mono-webhook-secret': secret }, rawBody: good.body, secret, allowSecretHeader: false }, /not signed/);
      assert.equal(
        verifyWebhook({ headers: { 'mono-webhook-secret': secret }, rawBody: good.body, secret }).event,
        JSON.parse(good.body).event,
        'Mono’s plain header, when allowed',
      );
      refuse({ headers: { 'mono-webhook-secret': 'whsec_nope' }, rawBody: good.body, secret }, /does not match/);
      // During a rotation Relink signs with both secrets; a partner holding either verifies.
      const rotated = await call(server.url, 'POST', '/v2/webhooks/secret/rotate', { key });
      assert.equal(rotated.status, 200, rotated.text);
      const fresh = rotated.body.data.webhook_secret as string;
      const fired = await call(server.url, 'POST', '/v2/sandbox/webhooks/fire', {
        key,
        body: {
          event: 'mono.events.account_updated',
          account: (heard[0]!.data as { id?: string; account?: { _id: string } }).account?._id ?? (heard[0]!.data as { id: string }).id,
        },
      });
      assert.equal(fired.status, 200, fired.text);
      // A delivery signed before the rotation may still arrive after it: wait for this event's own.
      const firedId = fired.body.data.event_id as string;
      await waitFor(() => raw.some((r) => r.headers['webhook-id'] === firedId), 10_000, 'the delivery fired after the rotation');
      const both = raw.find((r) => r.headers['webhook-id'] === firedId)!;
      assert.equal(both.headers['webhook-signature']!.split(' ').length, 2);
      for (const s of [secret, fresh, [fresh, 'whsec_AAAA']]) verifyWebhook({ headers: both.headers, rawBody: both.body, secret: s });
      // The adapter itself: a forged delivery is 401 and never reaches the handler.
      const forged = await fetch(`http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hooks`, {
        method: 'POST',
        headers: {
          'webhook-id': 'evt_x',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': `v1,${createHmac('sha256', 'guess').update('x').digest('base64')}`,
          'content-type': 'application/json',
        },
        body: good.body,
      });
      assert.equal(forged.status, 401);
    });
  });
}
