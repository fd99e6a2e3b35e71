import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databases, startTestServer, TEST_MASTER_KEY, type TestServer, type Receiver, setEndpoint, startReceiver, waitFor } from '@relink/testkit';
import { main } from '../../src/cli/main.ts';
import { insertAccount } from '../support/webhooks.ts';

for (const kind of databases()) {
  describe(`[${kind}] relink webhooks`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let app: { id: string; secretKey: string };
    let account: string;
    before(async () => {
      // PostgreSQL wakes the server by NOTIFY from the CLI's process; SQLite polls.
      server = await startTestServer(kind, { logLevel: 'warn', env: { RELINK_WEBHOOK_POLL_MS: kind === 'sqlite' ? '100' : '60000' } });
      receiver = await startReceiver();
      app = await server.createApp('Cli');
      account = await insertAccount(server.services.database.db, app.id);
      await setEndpoint(server, app.secretKey, receiver.url);
      server.clock.set(Date.now() + 60_000);
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    async function relink(...args: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(
        [...args, '--database-url', server.db.url, '--data', server.db.dataDir],
        { out: (text) => out.push(text), err: (text) => err.push(text) },
        { ...process.env, RELINK_MASTER_KEY: TEST_MASTER_KEY },
      );
      return { code, out: out.join('\n'), err: err.join('\n') };
    }

    test('fire records an event and the running server delivers it', async () => {
      const res = await relink('webhooks', 'fire', 'account_updated', account, '--app', app.id, '--json');
      assert.equal(res.code, 0, res.err);
      const fired = JSON.parse(res.out);
      assert.equal(fired.event, 'mono.events.account_updated');
      assert.match(fired.delivery_id, /^whd_/);
      await waitFor(() => receiver.received.some((r) => r.id === fired.event_id), 15_000, 'the delivery');
      assert.equal(JSON.parse(receiver.received.at(-1)!.body).data.account._id, account);
    });

    test('deliveries lists each delivery and its attempts, filtered by status', async () => {
      await server.services.webhooks.dispatcher.runDue();
      const text = await relink('webhooks', 'deliveries', '--app', app.id);
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, /whd_\S+\s+succeeded\s+app=\S+\s+mono\.events\.account_updated\s+evt_\S+\s+attempts=1/);
      assert.match(text.out, /\s200\s+\d+ ms/);
      const json = await relink('webhooks', 'deliveries', 'succeeded', '--app', app.id, '--json');
      assert.equal(JSON.parse(json.out).length, 1);
      assert.match((await relink('webhooks', 'deliveries', 'failed', '--app', app.id)).out, /No failed deliveries/);
      assert.equal((await relink('webhooks', 'deliveries', 'lost', '--app', app.id)).code, 1);
    });

    test('replay sends the same event again', async () => {
      const [delivery] = JSON.parse((await relink('webhooks', 'deliveries', '--app', app.id, '--json')).out);
      const res = await relink('webhooks', 'replay', delivery.id, '--app', app.id);
      assert.equal(res.code, 0, res.err);
      assert.match(res.out, new RegExp(`Queued whd_\\S+: a replay of ${delivery.id}, event ${delivery.event_id} to `));
      await waitFor(() => receiver.received.filter((r) => r.id === delivery.event_id).length === 2, 15_000, 'the replay');
    });

    test('replay by event id delivers that event', async () => {
      const [delivery] = JSON.parse((await relink('webhooks', 'deliveries', '--app', app.id, '--json')).out);
      const seen = receiver.received.filter((r) => r.id === delivery.event_id).length;
      const res = await relink('webhooks', 'replay', delivery.event_id, '--app', app.id, '--json');
      assert.equal(res.code, 0, res.err);
      const queued = JSON.parse(res.out);
      assert.equal(queued.event_id, delivery.event_id);
      assert.equal(queued.replay_of, null);
      await waitFor(() => receiver.received.filter((r) => r.id === delivery.event_id).length === seen + 1, 15_000, 'the event');
      assert.match((await relink('webhooks', 'replay', 'evt_nope', '--app', app.id)).err, /no event evt_nope/);
    });

    test('refusals: another app, unknown event, live app, fire without --app', async () => {
      const other = await server.createApp('Other');
      const [delivery] = JSON.parse((await relink('webhooks', 'deliveries', '--app', app.id, '--json')).out);
      const foreign = await relink('webhooks', 'replay', delivery.id, '--app', other.id);
      assert.equal(foreign.code, 1);
      assert.match(foreign.err, /no delivery/);
      assert.match((await relink('webhooks', 'fire', 'account_deleted', account, '--app', app.id)).err, /event must be one of/);
      assert.match((await relink('webhooks', 'fire', 'account_updated', account, '--app', other.id)).err, /no account/);
      const live = await server.createApp('Live', { live: true });
      assert.match((await relink('webhooks', 'fire', 'account_updated', account, '--app', live.id)).err, /test-mode apps only/);
      assert.match((await relink('webhooks', 'fire', 'account_updated', account)).err, /--app is required/);
      assert.match((await relink('webhooks', 'purge', '--app', app.id)).err, /unknown command "webhooks purge"/);
    });

    test('fire takes the real-time job event by its full name, with Mono’s payload', async () => {
      const res = await relink('webhooks', 'fire', 'mono.accounts.jobs.update', account, '--app', app.id, '--json');
      assert.equal(res.code, 0, res.err);
      const fired = JSON.parse(res.out);
      assert.equal(fired.event, 'mono.accounts.jobs.update');
      await waitFor(() => receiver.received.some((r) => r.id === fired.event_id), 15_000, 'the delivery');
      const { data } = JSON.parse(receiver.received.find((r) => r.id === fired.event_id)!.body);
      assert.deepEqual({ ...data, id: undefined }, { account, app: app.id, id: undefined, name: 'jobs.accounts.sync_balance', status: 'finished' });
      assert.match(data.id, /^[0-9a-f]{24}$/);
    });
  });
}
