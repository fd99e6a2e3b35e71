import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, testConfig, ok, type Receiver, setEndpoint, startReceiver, waitFor } from '@relink/testkit';
import { openDatabase } from '../../src/db/database.ts';
import { servedDatabase } from '../support/process.ts';
import { fire, insertAccount } from '../support/webhooks.ts';

for (const kind of databases()) {
  describe(`[${kind}] kill -9 in the middle of deliveries`, () => {
    // `relink serve` as real processes, retrying quickly so the test need not wait long.
    const fixture = servedDatabase(kind, { RELINK_WEBHOOK_TIMEOUT_MS: '2000', RELINK_WEBHOOK_POLL_MS: '200' });
    let receiver: Receiver;
    before(async () => {
      receiver = await startReceiver(() => {});
    });
    after(() => receiver.close());

    test('every event is delivered at least once after the server is killed and restarted', async () => {
      const first = fixture.serve();
      const { url, appId, key } = await first.sandbox();
      await setEndpoint({ url }, key, receiver.url);
      const database = openDatabase(testConfig(fixture.db).database);
      const account = await insertAccount(database.db, appId).finally(() => database.close());

      const fired: string[] = [];
      for (let i = 0; i < 12; i++) fired.push((await fire({ url }, key, account)).event_id);
      await waitFor(() => receiver.received.length >= 8, 10_000, 'deliveries in flight');
      first.kill();
      assert.equal((await first.exited(10_000)).signal, 'SIGKILL');

      const beforeRestart = receiver.received.length;
      receiver.answer = ok;
      const delivered = () => new Set(receiver.received.slice(beforeRestart).map((r) => r.id));
      const second = fixture.serve();
      const restarted = await second.listening();
      await waitFor(() => fired.every((id) => delivered().has(id)), 30_000, 'every event after the restart');

      await waitFor(
        async () => (await call(restarted, 'GET', '/v2/webhooks/deliveries?status=succeeded', { key })).body.meta.total === 12,
        15_000,
        'rows to say so',
      );
      const pending = await call(restarted, 'GET', '/v2/webhooks/deliveries?status=pending', { key });
      assert.equal(pending.body.meta.total, 0);
      assert.equal((await second.stop()).code, 0, second.stdout + second.stderr);
    });
  });
}
