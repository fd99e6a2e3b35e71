import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { databases, startTestServer, type TestServer, link, type Receiver, setEndpoint, startReceiver, waitFor } from '@relink/testkit';

// The whole path a partner depends on: a person links a sandbox account over the Partners
// API, and the partner's own HTTP server learns of it from signed webhooks alone: first
// account_connected, then account_updated once the data has been fetched.
for (const kind of databases()) {
  describe(`[${kind}] webhooks from a sandbox link, end to end`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let key: string;
    let secret: string;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      receiver = await startReceiver();
      key = (await server.createApp('End to end')).secretKey;
      secret = await setEndpoint(server, key, receiver.url);
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    /** Every event the receiver verified for `account`, in arrival order. */
    const eventsFor = (account: string) =>
      receiver.received
        .map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as any)
        .filter((e) => (e.data.account?._id ?? e.data.id) === account);

    for (const username of ['user_good', 'user_otp', 'user_multi']) {
      test(`${username}: account_connected, then account_updated with the fetched data`, async () => {
        const account = await link(server, key, username);
        await waitFor(() => eventsFor(account).length >= 2, 10_000, 'account_connected and account_updated');
        const [connected, updated, ...rest] = eventsFor(account);
        assert.equal(rest.length, 0, 'exactly two events for one link');
        assert.equal(connected.event, 'mono.events.account_connected');
        assert.equal(connected.data.id, account);
        assert.equal(connected.data.meta.data_status, 'PROCESSING');
        assert.equal(connected.data.meta.auth_method, 'internet_banking');
        assert.equal(updated.event, 'mono.events.account_updated');
        assert.equal(updated.data.meta.data_status, 'AVAILABLE');
        assert.equal(updated.data.meta.sync_status, 'SUCCESSFUL');
        assert.equal(updated.data.account._id, account);
        assert.match(updated.data.account.accountNumber, /^\d{10}$/);
        assert.ok(Number.isInteger(updated.data.account.balance));
        assert.notEqual(connected.event_id, updated.event_id);
      });
    }
  });
}
