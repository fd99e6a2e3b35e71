// mono.events.account_income: Mono's v2 income call starts an analysis and its result arrives by
// this webhook, so Relink sends it for every `GET /v2/accounts/{id}/income`, with the analysis
// that call answered, signed and through the outbox; v1 income and the income records send
// nothing. While a receiver is down, a repeated identical request does not queue the same
// analysis again. Another app's key gets no analysis and causes no event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  type Answer,
  call,
  databases,
  link,
  ok,
  type Receiver,
  resetLogin,
  setEndpoint,
  settle,
  startReceiver,
  startTestServer,
  type TestServer,
  waitFor,
} from '@relink/testkit';
import { deliveriesOf } from '../support/webhooks.ts';

const INCOME = 'mono.events.account_income';

for (const kind of databases()) {
  describe(`[${kind}] the income webhook`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let app: { id: string; secretKey: string };
    let secret: string;
    let salary: string;
    let gig: string;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn', env: { RELINK_WEBHOOK_TIMEOUT_MS: '3000' } });
      receiver = await startReceiver();
      app = await server.createApp('Lender');
      secret = await setEndpoint(server, app.secretKey, receiver.url);
      salary = await link(server, app.secretKey, 'user_salary');
      gig = await link(server, app.secretKey, 'user_gig');
      await settle(server);
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    const get = (path: string, key = app.secretKey) => call(server.url, 'GET', path, { key });
    /** The income events the receiver got for `account`, verified with the Standard Webhooks library. */
    const heard = (account: string) =>
      receiver.received
        .map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as any)
        .filter((e) => e.event === INCOME && e.data.account === account);
    /** The income events stored for `account`, as `GET /v2/webhooks/events` would list them. */
    const stored = (account: string) =>
      server.services.database.db.selectFrom('events').select(['id', 'body']).where('type', '=', INCOME).where('account_id', '=', account).execute();

    test('GET /v2/accounts/{id}/income sends the analysis it answered, in Mono’s flat shape, signed', async () => {
      const account = (await get(`/v2/accounts/${salary}`)).body.data.account;
      const res = await get(`/v2/accounts/${salary}/income`);
      assert.equal(res.status, 200, res.text);
      await waitFor(() => heard(salary).length === 1, 10_000, 'the income webhook');
      const [event] = heard(salary);
      const delivery = receiver.received.find((r) => r.id === event.event_id)!;
      assert.deepEqual(Object.keys(JSON.parse(delivery.body)), ['event', 'event_id', 'timestamp', 'data']);
      assert.equal(delivery.headers['mono-webhook-secret'], secret);

      const { account: id, ...analysis } = res.body.data;
      assert.equal(id, salary);
      assert.deepEqual(event.data, {
        account: salary,
        app: app.id,
        account_name: account.name,
        account_number: account.account_number,
        ...analysis,
        meta: res.body.meta,
      });
      assert.deepEqual(Object.keys(event.data).slice(0, 4), ['account', 'app', 'account_name', 'account_number'], 'Mono’s order');
      assert.equal(event.data.income_summary.employer, analysis.income_summary.employer);
      assert.match(event.data.income_summary.employer, /LTD$/);
      assert.ok(event.data.monthly_income > 0);

      const listed = await get('/v2/webhooks/events?limit=100');
      assert.ok(
        listed.body.data.some((e: any) => e.id === event.event_id && e.event === INCOME),
        'in the event log',
      );
    });

    test('v1 income and the income records send nothing; each v2 call sends one, with its period’s analysis', async () => {
      const before = (await stored(gig)).length;
      assert.equal((await get(`/accounts/${gig}/income`)).status, 200);
      assert.equal((await get(`/v2/accounts/${gig}/income-records`)).status, 200);
      assert.equal((await get(`/v2/accounts/${gig}/income-records?period=3`)).status, 200);
      assert.equal((await stored(gig)).length, before, 'reads of a result are not a request for one');

      const all = await get(`/v2/accounts/${gig}/income`);
      const again = await get(`/v2/accounts/${gig}/income`);
      const three = await get(`/v2/accounts/${gig}/income?period=3`);
      assert.deepEqual(again.body.data, all.body.data);
      assert.notDeepEqual(three.body.data, all.body.data);
      await waitFor(() => heard(gig).length === before + 3, 10_000, 'three income webhooks');
      const events = heard(gig).slice(before);
      assert.equal(new Set(events.map((e) => e.event_id)).size, 3, 'one event each');
      const strip = ({ account, app: _app, account_name: _n, account_number: _a, meta: _m, ...analysis }: any) => ({ account, ...analysis });
      assert.deepEqual(
        events.map((e) => strip(e.data)),
        [all.body.data, again.body.data, three.body.data],
      );
      assert.equal(events[2].data.period, three.body.data.period);
      assert.deepEqual([events[0].data.income_summary.employer, events[0].data.monthly_income], ['', 0], 'the gig worker’s irregular income');
    });

    test('while the receiver is down, the same analysis is queued once; a new one is queued; once delivered, the next call sends again', async () => {
      const down: Answer = (_req, res) => res.writeHead(503).end();
      receiver.answer = down;
      try {
        const received = receiver.received.length;
        const first = await get(`/v2/accounts/${salary}/income?period=6`);
        assert.equal(first.status, 200);
        await waitFor(() => receiver.received.length > received, 10_000, 'the first attempt');
        const [queued] = (await stored(salary)).slice(-1);
        await waitFor(
          async () => (await deliveriesOf(server, app.id)).find((d) => d.event_id === queued!.id)?.attempt_count === 1,
          10_000,
          'the first attempt recorded',
        );

        const count = (await stored(salary)).length;
        for (let i = 0; i < 5; i++) assert.deepEqual((await get(`/v2/accounts/${salary}/income?period=6`)).body.data, first.body.data);
        assert.equal((await stored(salary)).length, count, 'the waiting delivery carries this very analysis: nothing more is queued');
        const pending = (await deliveriesOf(server, app.id)).filter((d) => d.status === 'pending');
        assert.deepEqual(
          pending.map((d) => d.event_id),
          [queued!.id],
        );
        assert.ok(pending[0]!.next_attempt_at! > server.clock.now(), 'it waits for its retry');

        assert.equal((await get(`/v2/accounts/${salary}/income?period=2`)).status, 200);
        assert.equal((await stored(salary)).length, count + 1, 'another period is another analysis');
        // Its first attempt starts as the call commits, against the receiver still down: recorded before the receiver comes back.
        const [second] = (await stored(salary)).slice(-1);
        await waitFor(
          async () => (await deliveriesOf(server, app.id)).find((d) => d.event_id === second!.id)?.attempt_count === 1,
          10_000,
          'the second analysis attempted once',
        );

        receiver.answer = ok;
        const waiting = (await deliveriesOf(server, app.id)).filter((d) => d.status === 'pending');
        assert.equal(waiting.length, 2);
        server.clock.set(Math.max(...waiting.map((d) => d.next_attempt_at!)));
        await server.services.webhooks.dispatcher.runDue();
        await waitFor(async () => (await deliveriesOf(server, app.id)).every((d) => d.status === 'succeeded'), 10_000, 'every delivery through');
        assert.ok(heard(salary).some((e) => e.event_id === queued!.id && e.data.period === first.body.data.period));

        assert.equal((await get(`/v2/accounts/${salary}/income?period=6`)).status, 200);
        assert.equal((await stored(salary)).length, count + 2, 'delivered: the next call sends again');
      } finally {
        receiver.answer = ok;
      }
    });

    test('the account waits for re-authorisation: the event says so in meta, as the call does', async () => {
      await resetLogin(server, app.secretKey, gig, 'password_changed');
      const res = await get(`/v2/accounts/${gig}/income`);
      assert.equal(res.body.meta.reauth_required, true);
      await waitFor(() => heard(gig).some((e) => e.data.meta.reauth_required), 10_000, 'the income webhook');
      const event = heard(gig).find((e) => e.data.meta.reauth_required)!;
      assert.deepEqual(event.data.meta, res.body.meta);
      assert.equal(event.data.total_income, res.body.data.total_income, 'the stored data is still analysed');
    });

    test('the sandbox fire helper sends the same shape, over all the stored data', async () => {
      const res = await get(`/v2/accounts/${salary}/income`);
      const fired = await call(server.url, 'POST', '/v2/sandbox/webhooks/fire', { key: app.secretKey, body: { event: INCOME, account: salary } });
      assert.equal(fired.status, 200, fired.text);
      await waitFor(() => heard(salary).some((e) => e.event_id === fired.body.data.event_id), 10_000, 'the fired event');
      const event = heard(salary).find((e) => e.event_id === fired.body.data.event_id)!;
      const { account: _, ...analysis } = res.body.data;
      assert.deepEqual(event.data, { ...event.data, ...analysis, meta: res.body.meta });
      assert.equal(event.data.app, app.id);
    });

    test("another app's key: 404, no analysis, and no event for either app", async () => {
      const other = await server.createApp('Another partner');
      const otherReceiver = await startReceiver();
      try {
        await setEndpoint(server, other.secretKey, otherReceiver.url);
        const before = (await stored(salary)).length;
        const res = await get(`/v2/accounts/${salary}/income`, other.secretKey);
        assert.equal(res.status, 404, res.text);
        assert.deepEqual([res.body.status, res.body.data, res.body.code], ['failed', null, 'ACCOUNT_NOT_FOUND']);
        assert.equal((await stored(salary)).length, before);
        const theirs = await server.services.database.db.selectFrom('events').select('id').where('app_id', '=', other.id).execute();
        assert.deepEqual(theirs, []);
        await server.services.webhooks.dispatcher.runDue();
        assert.deepEqual(otherReceiver.received, []);
      } finally {
        await otherReceiver.close();
      }
    });
  });
}
