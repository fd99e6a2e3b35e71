import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databases, startTestServer, type TestServer, type Receiver, setEndpoint, startReceiver, waitFor } from '@relink/testkit';

/**
 * Several server instances share one database: each delivery is claimed by one of them at a
 * time. PostgreSQL takes the full burst (SKIP LOCKED, LISTEN/NOTIFY); SQLite, which has one
 * writer and is meant for a single host, takes a smaller one (claims, polling).
 */
for (const kind of databases()) {
  const burst = kind === 'postgres' ? 1_000 : 200;
  describe(`[${kind}] two dispatchers on one database`, () => {
    let first: TestServer;
    let second: TestServer;
    let receiver: Receiver;
    before(async () => {
      const env = { RELINK_WEBHOOK_POLL_MS: kind === 'postgres' ? '5000' : '100' };
      first = await startTestServer(kind, { logLevel: 'warn', env });
      second = await startTestServer(kind, { logLevel: 'warn', env, db: first.db });
      second.clock.set(first.clock.now());
      // Each answer takes 20 ms, as a real receiver's would: one dispatcher alone needs at least
      // a quarter of a second for the SQLite burst (16 in flight), so the other's 100 ms poll
      // finds work too, however quickly the first claims and records.
      receiver = await startReceiver((_request, response) => void setTimeout(() => response.writeHead(200).end('ok'), 20));
    });
    after(async () => {
      await second.stop();
      await first.stop();
      await receiver.close();
    });

    test(`a burst of ${burst} events is delivered exactly once between them`, async () => {
      const apps = await Promise.all([0, 1, 2, 3].map((i) => first.createApp(`Burst ${i}`)));
      for (const app of apps) await setEndpoint(first, app.secretKey, receiver.url);
      const { db } = first.services.database;
      for (let batch = 0; batch < burst / 100; batch++) {
        await db.transaction().execute(async (trx) => {
          for (let i = 0; i < 100; i++) {
            const app = apps[i % apps.length]!;
            await first.services.events.record(trx, { appId: app.id, type: 'mono.events.account_updated', data: { n: batch * 100 + i } });
          }
        });
        first.services.events.committed();
      }

      const succeeded = async () =>
        Number(
          (
            await db
              .selectFrom('webhook_deliveries')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('status', '=', 'succeeded')
              .executeTakeFirstOrThrow()
          ).n,
        );
      await waitFor(async () => (await succeeded()) === burst, 90_000, `${burst} deliveries`);
      const ids = receiver.received.map((r) => r.id);
      assert.equal(new Set(ids).size, burst, 'every event arrived');
      assert.equal(ids.length, burst, 'and none twice');
      const [a, b] = [first, second].map((s) => s.services.webhooks.dispatcher.attemptsStarted);
      assert.equal(a! + b!, burst);
      assert.ok(a! > 0 && b! > 0, `both instances delivered (${a} and ${b})`);
    });
  });
}
