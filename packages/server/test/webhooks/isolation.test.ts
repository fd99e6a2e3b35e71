import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databases, startTestServer, type TestServer } from '../helpers.ts';
import { deliveriesOf, fire, insertAccount, ok, type Receiver, setEndpoint, startReceiver, waitFor } from './support.ts';

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
  });
}
