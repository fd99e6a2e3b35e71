// The console's pages over the operator data, with real data: links through the Connect flow, a
// re-authorisation forced from an account's page (the sandbox reset-login) and one completed ten
// minutes later, another left waiting, and an app whose endpoint is a loopback port with nothing
// listening. The overview shows the health numbers, the accounts list filters and pages, an
// account's page shows its episode and timeline, the webhooks page marks the failing endpoint,
// and a replay from the console reaches a loopback receiver; each replay is audited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  databases,
  OTP,
  type ReauthServer,
  type Receiver,
  linkedAccount,
  reauthSession,
  SANDBOX,
  setEndpoint,
  settle,
  startReauthServer,
  startReceiver,
  stepOn,
} from '@relink/testkit';
import { freePort } from '../support/process.ts';
import { type ConsoleClient, signedIn, visible } from '../support/console.ts';

const TEN_MINUTES = 600_000;

for (const kind of databases()) {
  describe(`[${kind}] operator console: overview, accounts and webhooks with real data`, () => {
    let server: ReauthServer;
    let receiver: Receiver;
    let later: Receiver;
    let operator: ConsoleClient;
    let lender: { id: string; secretKey: string };
    let broken: { id: string; secretKey: string };
    /** Re-authorised after ten minutes; waiting; linked to the app whose endpoint refuses. */
    let back: string;
    let waiting: string;
    let refused: string;

    before(async () => {
      [server, receiver, later] = await Promise.all([startReauthServer(kind), startReceiver(), startReceiver()]);
      lender = await server.createApp('Lender');
      broken = await server.createApp('Broken Hooks');
      await setEndpoint(server, lender.secretKey, receiver.url);
      await setEndpoint(server, broken.secretKey, `http://127.0.0.1:${await freePort()}/hooks`);
      operator = await signedIn(server, 'ops@example.com');
    });
    after(async () => {
      await server?.stop();
      await receiver?.close();
      await later?.close();
    });

    test('before anything happened, the overview says what to do', async () => {
      const page = await operator.get('/dashboard');
      assert.equal(page.status, 200);
      const text = visible(page.text);
      assert.match(text, /Linked accounts 0 across 2 apps/);
      assert.match(text, /No account has needed re-authorisation in the last 30 days/);
      assert.match(text, /Reset the bank login/);
      const accounts = visible((await operator.get('/dashboard/accounts')).text);
      assert.match(accounts, /No account linked yet/);
    });

    test('links, a reset from the account page, a reauth ten minutes later: the overview shows them', async () => {
      back = await linkedAccount(server, lender.secretKey, 'user_otp');
      server.clock.advance(1000);
      waiting = await linkedAccount(server, lender.secretKey, 'user_otp+2');
      server.clock.advance(1000);
      refused = await linkedAccount(server, broken.secretKey, 'user_good');

      // The sandbox reset from the account's page, as an operator does it.
      server.clock.advance(60_000);
      assert.equal((await operator.get(`/dashboard/accounts/${back}`)).status, 200);
      const reset = await operator.post(`/dashboard/accounts/${back}/reset-login`, { reason: 'password_changed' });
      assert.equal(reset.status, 200, reset.text);
      const password = /pass_changed\d+/.exec(visible(reset.text))?.[0];
      assert.ok(password, visible(reset.text));
      assert.match(visible(reset.text), /the account waits for re-authorisation/);
      const other = await operator.post(`/dashboard/accounts/${waiting}/reset-login`, { reason: 'mfa_required' });
      assert.equal(other.status, 200, other.text);
      await settle(server);

      server.clock.advance(TEN_MINUTES);
      const started = await reauthSession(server, lender.secretKey, back);
      const session = started.body.data.session.id as string;
      const login = await stepOn(server, lender.secretKey, started.body.data.next, session, { username: 'user_otp', password });
      assert.equal(login.body.responseCode, 102, login.text);
      const done = await stepOn(server, lender.secretKey, '/v2/connect/commit', session, { otp: OTP });
      assert.equal(done.body.responseCode, 99, done.text);
      await settle(server);
      await server.services.webhooks.dispatcher.runDue();

      const page = await operator.get('/dashboard');
      assert.equal(page.status, 200);
      const text = visible(page.text);
      assert.match(text, /Linked accounts 3 across 2 apps/);
      assert.match(text, /Waiting for re-authorisation now 1 See the 1 account waiting/);
      assert.match(text, /Re-authorised, last 7 days 1 2 accounts began to wait in that time/);
      assert.match(text, /Re-authorised, last 30 days 1 /);
      assert.match(text, /Re-authorisation success, last 30 days 50% 1 of the 2 waits that began ended re-authorised; last 7 days: 50%/);
      assert.match(text, /Time to re-authorise, last 30 days 10m 0s median, from reauthorisation_required to account_reauthorized; 90% within 10m 0s/);
      assert.ok(page.text.includes('href="/dashboard/accounts?reauth=1"'), 'the figure leads to the accounts waiting');
      // Breakdowns: by reason (began, re-authorised, waiting, success, median) and by bank.
      assert.match(text, /By reason Reason Began to wait Re-authorised Still waiting Success Median time (.*?) By bank/);
      const reasons = /By reason Reason Began to wait Re-authorised Still waiting Success Median time (.*?) By bank/.exec(text)![1]!;
      assert.match(reasons, /MFA: the bank asked for an OTP 1 0 1 0% —/);
      assert.match(reasons, /Password changed 1 1 0 100% 10m 0s/);
      assert.match(text, /By bank Bank Began to wait Re-authorised Still waiting Success Median time Relink Sandbox Bank 2 1 1 50% 10m 0s/);
      // The funnel: a chart (an image with a title) and the same numbers in a table.
      assert.match(page.text, /<svg class="chart"[^>]*role="img" aria-labelledby="funnel-chart-title funnel-chart-desc"/);
      assert.match(text, /Of 2 that began to wait in the last 30 days: 1 opened the widget, 1 sent their login, 1 met a challenge, 1 re-authorised\./);
      assert.match(
        text,
        /Step Reached it Stopped there \(not re-authorised yet\) Began to wait 2 \(100%\) 1 Opened the widget 1 \(50%\) 0 Sent their login 1 \(50%\) 0 Met a challenge \(OTP, question\) 1 \(50%\) 0 Re-authorised 1 \(50%\) —/,
      );
      // The daily series: today's row, and both charts drawn.
      const today = new Date(server.clock.now()).toISOString().slice(0, 10);
      assert.match(text, new RegExp(`${today} 2 1 10m 0s`));
      assert.match(page.text, /aria-labelledby="daily-chart-title daily-chart-desc"/);
      assert.match(page.text, /aria-labelledby="median-chart-title median-chart-desc"/);
      assert.match(text, /In all 2 began to wait and 1 re-authorised/);
    });

    test('the accounts list filters by reauth, app, bank and search, and pages', async () => {
      const ids = (html: string) => [...html.matchAll(/href="\/dashboard\/accounts\/([0-9a-f]{24})"/g)].map((m) => m[1]);
      const all = await operator.get('/dashboard/accounts');
      assert.equal(all.status, 200);
      assert.match(visible(all.text), /3 linked accounts/);
      assert.deepEqual(ids(all.text), [refused, waiting, back], 'newest link first');

      const reauth = await operator.get('/dashboard/accounts?reauth=1');
      assert.deepEqual(ids(reauth.text), [waiting]);
      assert.match(visible(reauth.text), /1 account matches .* Waiting for re-authorisation MFA: the bank asked for an OTP, since /);
      assert.ok(reauth.text.includes('id="reauth" name="reauth" type="checkbox" value="1" checked'), 'the filter stays ticked');
      assert.deepEqual(ids((await operator.get('/dashboard/accounts?failing=1')).text), []);
      assert.match(visible((await operator.get('/dashboard/accounts?failing=1')).text), /No account matches these filters/);
      // The bank unreachable for one sync, asked for from the account's page: its sync fails.
      const bank = server.bank.delegate;
      server.bank.delegate = Object.assign(Object.create(bank), {
        fetchData: async () => ({ kind: 'unavailable', message: 'The bank did not answer' }),
      });
      try {
        await operator.get(`/dashboard/accounts/${refused}`);
        assert.equal((await operator.post(`/dashboard/accounts/${refused}/sync`, {})).status, 303);
        await settle(server);
      } finally {
        server.bank.delegate = bank;
      }
      const failingSync = await operator.get('/dashboard/accounts?failing=1');
      assert.deepEqual(ids(failingSync.text), [refused]);
      assert.match(visible(failingSync.text), /Sync failing The bank did not answer/);
      assert.deepEqual(ids((await operator.get(`/dashboard/accounts?app=${broken.id}`)).text), [refused]);
      assert.deepEqual(ids((await operator.get(`/dashboard/accounts?institution=${SANDBOX}&app=${lender.id}`)).text), [waiting, back]);
      assert.deepEqual(ids((await operator.get('/dashboard/accounts?institution=5f2d08be60b92e2888287001')).text), []);
      assert.deepEqual(ids((await operator.get(`/dashboard/accounts?q=${back}`)).text), [back]);

      const first = await operator.get('/dashboard/accounts?limit=2');
      assert.deepEqual(ids(first.text), [refused, waiting]);
      assert.match(visible(first.text), /Page 1 of 2 Older/);
      assert.ok(first.text.includes('href="/dashboard/accounts?limit=2&amp;page=2"'), first.text);
      const second = await operator.get('/dashboard/accounts?limit=2&page=2');
      assert.deepEqual(ids(second.text), [back]);
      assert.match(visible(second.text), /Newer Page 2 of 2/);

      assert.equal((await operator.get('/dashboard/accounts?limit=100000')).status, 400);
      assert.equal((await operator.get('/dashboard/accounts?page=0')).status, 400);
    });

    test("an account's page: its episode with steps and duration, its timeline with deliveries", async () => {
      const page = await operator.get(`/dashboard/accounts/${back}`);
      assert.equal(page.status, 200);
      const text = visible(page.text);
      assert.match(text, new RegExp(`Account id ${back} App Lender Test`));
      assert.match(text, /State OK/);
      assert.match(
        text,
        /Began Why Steps Ended Took \S+ \S+ UTC Password changed Opened the widget \(1 session\) \S+ \S+ UTC Sent their login \S+ \S+ UTC Met the bank’s challenge \S+ \S+ UTC Re-authorised \S+ \S+ UTC 10m 0s/,
      );
      assert.match(text, /Re-authorised after 10m 0s/);
      assert.match(text, /Re-authorisation required : Password changed/);
      assert.match(text, /Event mono\.events\.account_reauthorized Delivery succeeded 1 attempt/);
      assert.match(text, /Event mono\.events\.reauthorisation_required Delivery succeeded 1 attempt/);
      assert.match(text, /Event mono\.events\.account_updated sync REAUTHORISATION_REQUIRED: [^.]*password/);
      // Newest first: the reauth's end above its beginning, the link last.
      assert.ok(text.indexOf('Re-authorised after') < text.indexOf('Re-authorisation required :'));
      assert.ok(text.trimEnd().endsWith('Linked'), text.slice(-200));
      assert.match(page.text, /action="\/dashboard\/accounts\/[0-9a-f]{24}\/reset-login"/);

      const still = visible((await operator.get(`/dashboard/accounts/${waiting}`)).text);
      assert.match(still, /MFA: the bank asked for an OTP The user has not opened the widget Still waiting 10m 0s so far/);
      assert.match(still, /State Waiting for re-authorisation MFA: the bank asked for an OTP, since /);

      const failing = visible((await operator.get(`/dashboard/accounts/${refused}`)).text);
      assert.match(failing, /This account has never needed re-authorisation/);
      assert.match(failing, /Event mono\.events\.account_connected Delivery failing \d+ attempts? \([^)]*ECONNREFUSED/);

      const missing = await operator.get('/dashboard/accounts/ffffffffffffffffffffffff');
      assert.equal(missing.status, 404);
      assert.match(visible(missing.text), /No account has the id ffffffffffffffffffffffff/);
    });

    test('the webhooks page marks the failing endpoint and lists failing deliveries with their retry and error', async () => {
      const page = await operator.get('/dashboard/webhooks');
      assert.equal(page.status, 200);
      const text = visible(page.text);
      assert.match(text, /1 endpoint is failing: Broken Hooks \./);
      assert.match(text, /Broken Hooks http:\/\/127\.0\.0\.1:\d+\/hooks ⚠ Failing — [1-9]\d* \S+ \S+ UTC: [^ ]*ECONNREFUSED/);
      assert.match(text, new RegExp(`Lender ${receiver.url.replace(/[.]/g, '\\.')} ✓ Healthy \\S+ \\S+ UTC 0 `));

      const failing = await operator.get('/dashboard/webhooks?state=failing');
      assert.equal(failing.status, 200);
      const rows = [...failing.text.matchAll(/<tr><td data-label="Select">([\s\S]*?)<\/tr>/g)].map((m) => visible(m[1]!));
      assert.ok(rows.length >= 2, `${rows.length} failing deliveries`);
      for (const row of rows)
        assert.match(row, new RegExp(`Broken Hooks · account ${refused} failing \\d+ attempts? next retry \\S+ \\S+ UTC [^ ]*ECONNREFUSED`), row);
      assert.match(visible(failing.text), /deliveries failing, newest first/);
      assert.deepEqual(
        [...(await operator.get(`/dashboard/webhooks?state=succeeded&app=${broken.id}`)).text.matchAll(/name="ids"/g)],
        [],
        'nothing succeeded for the broken endpoint',
      );
      assert.equal((await operator.get('/dashboard/webhooks?state=broken')).status, 400);

      const id = /name="one" value="([^"]+)"/.exec(failing.text)![1]!;
      const delivery = await operator.get(`/dashboard/webhooks/deliveries/${id}`);
      assert.equal(delivery.status, 200);
      assert.match(visible(delivery.text), /State failing attempted, failed, to be retried Attempts \d+ Next retry \S+ \S+ UTC/);
      assert.match(visible(delivery.text), /When Answer Took Error Answer’s first bytes \S+ \S+ UTC none \d+ ms [^ ]*ECONNREFUSED/);
      assert.equal((await operator.get('/dashboard/webhooks/deliveries/whd_nothing')).status, 404);
    });

    test('replay one and many from the console: they reach a loopback receiver, and each is audited', async () => {
      await setEndpoint(server, broken.secretKey, later.url);
      const failing = await operator.get(`/dashboard/webhooks?state=failing&app=${broken.id}`);
      const picked = [...failing.text.matchAll(/name="ids" value="([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(picked.length >= 2);
      const events = await Promise.all(picked.map(async (id) => (await server.services.operations.delivery(id))!.event_id));

      const none = await operator.post('/dashboard/webhooks/replay', { selected: '1' });
      assert.equal(none.status, 400);
      assert.match(visible(none.text), /Nothing was replayed/);

      const many = await operator.post('/dashboard/webhooks/replay', { selected: '1', ids: picked });
      assert.equal(many.status, 200, many.text);
      assert.match(visible(many.text), new RegExp(`${picked.length} deliveries queued again`));
      await server.services.webhooks.dispatcher.runDue();
      assert.deepEqual(later.received.map((r) => r.id).sort(), [...events].sort(), 'each replayed event reached the new URL once');

      const lenders = await operator.get(`/dashboard/webhooks?state=succeeded&app=${lender.id}`);
      const one = /name="one" value="([^"]+)"/.exec(lenders.text)![1]!;
      const before = receiver.received.length;
      const single = await operator.post('/dashboard/webhooks/replay', { one, ids: picked });
      assert.equal(single.status, 200);
      assert.match(visible(single.text), /1 delivery queued again/, 'the row button replays its row alone');
      await server.services.webhooks.dispatcher.runDue();
      assert.equal(receiver.received.length, before + 1);
      assert.equal(receiver.received.at(-1)!.id, (await server.services.operations.delivery(one))!.event_id);

      const endpoints = visible((await operator.get('/dashboard/webhooks')).text);
      assert.match(endpoints, /Every endpoint’s newest attempt succeeded/);

      const audit = visible((await operator.get('/dashboard/audit')).text);
      for (const id of [...picked, one]) assert.ok(audit.includes(`ops@example.com webhook.delivery_replayed ${id}`), id);
    });
  });
}
