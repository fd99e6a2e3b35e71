// Warnings before a login breaks: a bank that says when its login expires (the sandbox's
// user_expiring, every 30 days) gets `reauth_due_at` on the account, and within
// RELINK_REAUTH_DUE_LEAD_HOURS of it one `mono.events.reauthorisation_due`, once per expiry,
// however many syncs run; the next period's expiry warns again. A bank that says nothing gets neither.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RelinkEvent } from '@relink/contract';
import { databases, link, partner, type Receiver, setEndpoint, settle, startReceiver, useServer } from '@relink/testkit';
import { eventsOf } from '../support/linking.ts';

const PERIOD = 30 * 86_400_000;
const HOUR = 3_600_000;

for (const kind of databases()) {
  describe(`[${kind}] reauthorisation_due`, () => {
    const server = useServer(kind, { env: { RELINK_REAUTH_DUE_LEAD_HOURS: '72', RELINK_WEBHOOK_ALLOW_LOOPBACK: 'on' } });
    let key: string;
    let receiver: Receiver;
    /** The end of the sandbox's current login period: user_expiring's login expires then. */
    let expiry: number;
    before(async () => {
      key = (await server.createApp('Due partner')).secretKey;
      receiver = await startReceiver();
      await setEndpoint(server, key, receiver.url);
      expiry = (Math.floor(server.clock.now() / PERIOD) + 2) * PERIOD;
      server.clock.set(expiry - 5 * 24 * HOUR);
    });
    after(() => receiver.close());

    const due = async () => {
      await server.services.webhooks.dispatcher.runDue();
      return receiver.received.map((r) => JSON.parse(r.body) as RelinkEvent).filter((e) => e.event === 'mono.events.reauthorisation_due');
    };
    /** A day or more later: the account's next sync is due, and runs. */
    const later = async (ms: number) => {
      server.clock.advance(ms);
      await settle(server);
    };

    test('the account shows when the login expires; no warning while it is further off than the lead time', async () => {
      const id = await link(server, key, 'user_expiring', { customer: { name: 'Ada Obi', email: `expiring.${kind}@example.com` } });
      await settle(server);
      const account = await partner(server, key).accounts.get(id);
      assert.equal(account.meta.reauth_due_at, new Date(expiry).toISOString());
      assert.equal(account.meta.reauth_required, false);
      assert.deepEqual(await due(), []);

      await later(2 * 24 * HOUR + HOUR);
      const [event, ...more] = await due();
      assert.deepEqual(more, []);
      assert.deepEqual(event!.data, { account: { _id: id }, reauth_due_at: new Date(expiry).toISOString() });

      await later(25 * HOUR);
      await later(25 * HOUR);
      assert.equal((await due()).length, 1, 'once per expiry, however many syncs see it');
      assert.equal((await eventsOf(server, id, 'mono.events.reauthorisation_due')).length, 1);

      // Into the next period, near its end: the bank's login has a new expiry, warned about once.
      server.clock.set(expiry + PERIOD - 48 * HOUR);
      await settle(server);
      const next = (await due()).filter(
        (e) => e.event === 'mono.events.reauthorisation_due' && e.data.reauth_due_at === new Date(expiry + PERIOD).toISOString(),
      );
      assert.equal(next.length, 1);
      assert.equal((await partner(server, key).accounts.get(id)).meta.reauth_due_at, new Date(expiry + PERIOD).toISOString());
      assert.equal((await eventsOf(server, id, 'mono.events.reauthorisation_due')).length, 2);
    });

    test('a bank that does not say: reauth_due_at is null and no warning is sent', async () => {
      const id = await link(server, key, 'user_good', { customer: { name: 'Bayo', email: `good.${kind}@example.com` } });
      await settle(server);
      assert.equal((await partner(server, key).accounts.get(id)).meta.reauth_due_at, null);
      await later(3 * 24 * HOUR);
      assert.deepEqual(await eventsOf(server, id, 'mono.events.reauthorisation_due'), []);
    });
  });
}
