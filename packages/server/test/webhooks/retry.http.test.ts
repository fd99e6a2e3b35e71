import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, type TestServer, type Answer, ok, type Receiver, setEndpoint, startReceiver } from '@relink/testkit';
import { attemptsOf, deliveriesOf, fire, insertAccount } from '../support/webhooks.ts';

const status =
  (code: number, headers: Record<string, string> = {}): Answer =>
  (_req, res) =>
    res.writeHead(code, headers).end(`status ${code}`);

for (const kind of databases()) {
  describe(`[${kind}] webhook retries`, () => {
    let server: TestServer;
    const receivers: Receiver[] = [];
    before(async () => {
      // Long enough that a busy machine (browser tests run beside these) never turns an answer into a timeout.
      server = await startTestServer(kind, { logLevel: 'warn', env: { RELINK_WEBHOOK_TIMEOUT_MS: '3000' } });
    });
    after(async () => {
      await server.stop();
      await Promise.all(receivers.map((r) => r.close()));
    });

    /** A fresh app pointed at a fresh receiver, and one account to fire events for. */
    async function setup(answer: Answer) {
      const receiver = await startReceiver(answer);
      receivers.push(receiver);
      const app = await server.createApp();
      await setEndpoint(server, app.secretKey, receiver.url);
      const account = await insertAccount(server.services.database.db, app.id);
      return { app, receiver, account };
    }
    const runDue = () => server.services.webhooks.dispatcher.runDue();

    test('a receiver that fails twice then succeeds gets three attempts, spaced by the schedule', async () => {
      const { app, receiver, account } = await setup((_req, res, i) => res.writeHead(i < 2 ? 500 : 200).end());
      const fired = await fire(server, app.secretKey, account);
      await runDue();
      let [delivery] = await deliveriesOf(server, app.id);
      assert.equal(delivery!.attempt_count, 1);
      const first = delivery!.next_attempt_at! - server.clock.now();
      assert.ok(first >= 4_500 && first <= 5_500, `first retry after ${first} ms`);

      server.clock.advance(4_000);
      await runDue();
      assert.equal(receiver.received.length, 1, 'nothing is retried before its time');

      server.clock.set(delivery!.next_attempt_at!);
      await runDue();
      [delivery] = await deliveriesOf(server, app.id);
      const second = delivery!.next_attempt_at! - server.clock.now();
      assert.ok(second >= 270_000 && second <= 330_000, `second retry after ${second} ms`);

      server.clock.set(delivery!.next_attempt_at!);
      await runDue();
      [delivery] = await deliveriesOf(server, app.id);
      assert.equal(delivery!.status, 'succeeded');
      assert.equal(delivery!.attempt_count, 3);
      assert.deepEqual(
        (await attemptsOf(server, delivery!.id)).map((a) => a.status_code),
        [500, 500, 200],
      );
      assert.deepEqual(new Set(receiver.received.map((r) => r.id)), new Set([fired.event_id]));
    });

    test('Retry-After in seconds or as an HTTP date is honoured when longer than the schedule, up to 24 h', async () => {
      const inTwoHours = () => new Date(server.clock.now() + 2 * 3600_000).toUTCString();
      const answers = [
        status(503, { 'retry-after': '600' }),
        (_req, res) => res.writeHead(429, { 'retry-after': inTwoHours() }).end(),
        status(503, { 'retry-after': '9999999' }),
      ] as Answer[];
      const { app, account } = await setup((req, res, i) => (answers[i] ?? ok)(req, res, i));
      await fire(server, app.secretKey, account);
      const expected = [600_000, 2 * 3600_000, 24 * 3600_000];
      for (const wait of expected) {
        await runDue();
        const [delivery] = await deliveriesOf(server, app.id);
        const gap = delivery!.next_attempt_at! - server.clock.now();
        assert.ok(Math.abs(gap - wait) <= 1_000, `waited ${gap} ms, expected ${wait}`);
        server.clock.set(delivery!.next_attempt_at!);
      }
    });

    test('410 Gone fails the delivery and disables the webhook until a URL is set again', async () => {
      const { app, receiver, account } = await setup(status(410));
      await fire(server, app.secretKey, account);
      await runDue();
      const [delivery] = await deliveriesOf(server, app.id);
      assert.equal(delivery!.status, 'failed');
      const endpoint = await call(server.url, 'GET', '/v2/webhooks/endpoint', { key: app.secretKey });
      assert.ok(endpoint.body.data.disabled_at);
      assert.match(endpoint.body.data.disabled_reason, /410/);
      assert.ok((await server.services.apps.get(app.id))!.webhookDisabled, 'relink apps list shows it');

      const skipped = await fire(server, app.secretKey, account);
      assert.equal(skipped.delivery_id, null);
      const replay = await call(server.url, 'POST', `/v2/webhooks/deliveries/${delivery!.id}/replay`, { key: app.secretKey });
      assert.equal(replay.status, 409);
      assert.equal(replay.body.code, 'WEBHOOK_NOT_CONFIGURED');

      receiver.answer = ok;
      await setEndpoint(server, app.secretKey, receiver.url);
      assert.equal((await server.services.apps.get(app.id))!.webhookDisabled, null);
      assert.ok((await fire(server, app.secretKey, account)).delivery_id);
      await runDue();
      assert.equal(receiver.received.length, 2);
    });

    test('a redirect is a failure and is not followed; a receiver that does not answer in time is a failure', async () => {
      const target = await setup(ok);
      const { app, receiver, account } = await setup((_req, res, i) => (i === 0 ? res.writeHead(302, { location: target.receiver.url }).end() : undefined));
      await fire(server, app.secretKey, account);
      await runDue();
      let [delivery] = await deliveriesOf(server, app.id);
      assert.equal(delivery!.status, 'pending');
      assert.match(delivery!.last_error!, /302; redirects are not followed/);
      assert.equal(target.receiver.received.length, 0);

      server.clock.set(delivery!.next_attempt_at!);
      await runDue();
      [delivery] = await deliveriesOf(server, app.id);
      assert.equal(receiver.received.length, 2);
      assert.match(delivery!.last_error!, /no answer within 3000 ms/);
      assert.equal(delivery!.last_status_code, null);
    });

    test('after the schedule runs out the delivery is failed', async () => {
      const short = await startTestServer(kind, { logLevel: 'warn', env: { RELINK_WEBHOOK_RETRY_SCHEDULE: '1,2' } });
      const receiver = await startReceiver(status(500));
      try {
        const app = await short.createApp();
        await setEndpoint(short, app.secretKey, receiver.url);
        await fire(short, app.secretKey, await insertAccount(short.services.database.db, app.id));
        for (let i = 0; i < 3; i++) {
          await short.services.webhooks.dispatcher.runDue();
          short.clock.advance(3_000);
        }
        const [delivery] = await deliveriesOf(short, app.id);
        assert.equal(delivery!.status, 'failed');
        assert.equal(delivery!.attempt_count, 3);
        assert.equal(delivery!.next_attempt_at, null);
        assert.equal(receiver.received.length, 3);
      } finally {
        await short.stop();
        await receiver.close();
      }
    });

    test('a restart does not retry sooner than the schedule: it lives in the rows', async () => {
      const { app, receiver, account } = await setup((_req, res, i) => res.writeHead(i === 0 ? 500 : 200).end());
      await fire(server, app.secretKey, account);
      await runDue();
      const again = await startTestServer(kind, { db: server.db, logLevel: 'warn' });
      try {
        again.clock.set(server.clock.now() + 1_000);
        await again.services.webhooks.dispatcher.runDue();
        assert.equal(receiver.received.length, 1);
        const [delivery] = await deliveriesOf(again, app.id);
        again.clock.set(delivery!.next_attempt_at!);
        await again.services.webhooks.dispatcher.runDue();
        assert.equal(receiver.received.length, 2);
        assert.equal((await deliveriesOf(again, app.id))[0]!.status, 'succeeded');
      } finally {
        await again.stop();
      }
    });
  });
}
