import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DatabaseKind, databases, startTestServer, type TestServer, ok, type Receiver, setEndpoint, startReceiver, waitFor } from '@relink/testkit';
import { deliveriesOf, fire, insertAccount } from '../support/webhooks.ts';

for (const kind of databases()) {
  describe(`[${kind}] a slow receiver does not hold up other apps`, () => {
    let server: TestServer;
    let slow: Receiver;
    let fast: Receiver;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn', env: { RELINK_WEBHOOK_TIMEOUT_MS: '20000' } });
      slow = await startReceiver(() => {});
      fast = await startReceiver(ok);
    });
    after(async () => {
      await slow.close();
      await fast.close();
      await server.stop();
    });

    test("while one app's receiver hangs on 20 deliveries, another app's event is delivered at once", async () => {
      const stuck = await server.createApp('Stuck');
      const quick = await server.createApp('Quick');
      await setEndpoint(server, stuck.secretKey, slow.url);
      await setEndpoint(server, quick.secretKey, fast.url);
      const stuckAccount = await insertAccount(server.services.database.db, stuck.id);
      const quickAccount = await insertAccount(server.services.database.db, quick.id);
      for (let i = 0; i < 20; i++) await fire(server, stuck.secretKey, stuckAccount);
      const limit = server.services.webhooks.dispatcher.perAppLimit;
      await waitFor(() => slow.received.length >= limit, 10_000, 'the slow receiver to be busy');

      const fired = await fire(server, quick.secretKey, quickAccount);
      await waitFor(() => fast.received.length === 1, 10_000, 'the quick app’s delivery');
      // Not a stopwatch: the proof is that it got through while every one of the stuck app's
      // attempts was still hanging (none has ended; they end only at the 20 s timeout).
      const stuckAttempts = (await deliveriesOf(server, stuck.id)).map((d) => d.attempt_count);
      assert.deepEqual(new Set(stuckAttempts), new Set([0]), 'no stuck attempt had ended when the quick one arrived');
      assert.equal(fast.received[0]!.id, fired.event_id);
      assert.equal(slow.received.length, limit, 'one app holds at most its share of the slots');
    });

    test('a backlog of 20 due retries is attempted eight at a time, however many are due at once', async () => {
      // Twenty first attempts fail fast; the receiver then hangs. Moving the clock past the first
      // retry makes all twenty due together, so one dispatcher pass faces the whole backlog.
      let failing = 20;
      const flaky = await startReceiver((_req, res) => {
        if (failing-- > 0) res.writeHead(500).end('not yet');
      });
      try {
        const app = await server.createApp('Backlog');
        await setEndpoint(server, app.secretKey, flaky.url);
        const account = await insertAccount(server.services.database.db, app.id);
        for (let i = 0; i < 20; i++) await fire(server, app.secretKey, account);
        const firstTriesDone = async () => (await deliveriesOf(server, app.id)).filter((d) => d.attempt_count === 1 && d.claimed_until === null).length === 20;
        await waitFor(firstTriesDone, 10_000, 'twenty failed first attempts');

        server.clock.advance(10_000);
        server.services.webhooks.dispatcher.wake();
        const limit = server.services.webhooks.dispatcher.perAppLimit;
        await waitFor(() => flaky.received.length >= 20 + limit, 10_000, 'the retries to reach the receiver');
        // Eight attempts hang at the receiver; eight more rows are claimed to start the moment
        // one of them ends (one round ahead), and the last four stay free for anyone to claim.
        const claimed = (await deliveriesOf(server, app.id)).filter((d) => d.claimed_until !== null);
        assert.equal(claimed.length, 2 * limit, 'rows claimed for this app: its slots, and as many waiting');
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(flaky.received.length, 20 + limit, 'requests the receiver saw: never more than the limit at once');
      } finally {
        await flaky.close();
      }
    });
  });

  describe(`[${kind}] a dispatcher that stops gives back every row it holds`, () => {
    const setup = hangingReceiver(kind, 20_000);

    test('the attempts cut short and the rows waiting for a slot are all free to claim at once, with nothing recorded', async () => {
      const { server, hanging } = setup;
      const { app, limit } = await stuckBehind(server, hanging, 'Stopping', 20);

      await server.services.webhooks.dispatcher.stop(100);
      const rows = await deliveriesOf(server, app.id);
      assert.equal(rows.length, 20);
      assert.deepEqual(
        rows.filter((d) => d.claimed_until !== null || d.claim_token !== null).map((d) => d.id),
        [],
        'no row is left claimed: another instance may take any of them now, not after a lease',
      );
      assert.ok(
        rows.every((d) => d.status === 'pending' && d.attempt_count === 0),
        'an attempt cut short by the stop is not counted as an attempt',
      );
      const attempts = await server.services.database.db.selectFrom('webhook_attempts').select('id').where('app_id', '=', app.id).execute();
      assert.equal(attempts.length, 0);
      assert.equal(hanging.received.length, limit, 'the rows that were waiting were never sent');
    });
  });

  describe(`[${kind}] a row that waited too long for a slot is claimed afresh before it is sent`, () => {
    // Attempts time out after 4 s; a claim holds its row for twice that. (Long enough for the
    // sixteen events to be fired before the first attempts time out, on a loaded machine.)
    const setup = hangingReceiver(kind, 4_000);

    test('behind attempts that took their whole timeout, a waiting row is given back and sent on a new claim, not on its lapsing one', async () => {
      const { server, hanging } = setup;
      const perApp = server.services.webhooks.dispatcher.perAppLimit;
      const { app, limit, held } = await stuckBehind(server, hanging, 'Waiting', 2 * perApp);
      const sent = new Set(hanging.received.map((r) => r.id));
      const waiting = (await held()).filter((d) => !sent.has(d.event_id));
      assert.equal(waiting.length, limit);

      // 4.4 s pass on the clock the claims are taken by: when the hanging attempts time out, a
      // waiting row's claim has 3.6 s left, less than an attempt may take.
      server.clock.advance(4_400);
      await waitFor(() => hanging.received.length === 2 * limit, 10_000, 'the waiting rows to be sent');
      const now = await deliveriesOf(server, app.id);
      for (const before of waiting) {
        const row = now.find((d) => d.id === before.id)!;
        assert.equal(row.attempt_count, 0, 'the give-back recorded no attempt');
        assert.ok(row.claim_token !== null && row.claim_token !== before.claim_token, 'sent on a claim of its own, not the one it waited with');
        assert.ok(row.claimed_until! >= before.claimed_until! + 4_400, 'a full lease from when it was sent');
      }
      // The attempts that timed out are recorded as they end, in batches: all of them, to be retried.
      const recorded = async () =>
        (await deliveriesOf(server, app.id)).filter((d) => sent.has(d.event_id) && d.attempt_count === 1 && d.status === 'pending' && d.claimed_until === null)
          .length;
      await waitFor(async () => (await recorded()) === limit, 10_000, 'the timed-out attempts to be recorded');
    });
  });
}

/** A server whose attempts time out after `timeoutMs`, and a receiver that never answers: set up before the suite's tests, stopped after. */
function hangingReceiver(kind: DatabaseKind, timeoutMs: number): { server: TestServer; hanging: Receiver } {
  const setup = {} as { server: TestServer; hanging: Receiver };
  before(async () => {
    setup.server = await startTestServer(kind, { logLevel: 'warn', env: { RELINK_WEBHOOK_TIMEOUT_MS: String(timeoutMs) } });
    setup.hanging = await startReceiver(() => {});
  });
  after(async () => {
    await setup.hanging.close();
    await setup.server.stop();
  });
  return setup;
}

/**
 * A new app pointed at `hanging`, with `events` fired for one account; returns once its limit of
 * attempts hang at the receiver and as many more rows are claimed, waiting for a slot.
 */
async function stuckBehind(server: TestServer, hanging: Receiver, name: string, events: number) {
  const app = await server.createApp(name);
  await setEndpoint(server, app.secretKey, hanging.url);
  const account = await insertAccount(server.services.database.db, app.id);
  for (let i = 0; i < events; i++) await fire(server, app.secretKey, account);
  const limit = server.services.webhooks.dispatcher.perAppLimit;
  const held = async () => (await deliveriesOf(server, app.id)).filter((d) => d.claimed_until !== null);
  await waitFor(async () => hanging.received.length === limit && (await held()).length === 2 * limit, 10_000, 'eight hanging attempts and eight rows waiting');
  return { app, limit, held };
}
