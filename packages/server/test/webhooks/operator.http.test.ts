import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, type TestServer, type Receiver, setEndpoint, startReceiver } from '@relink/testkit';
import { fire, insertAccount } from '../support/webhooks.ts';

for (const kind of databases()) {
  describe(`[${kind}] webhook operator API`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let app: { id: string; secretKey: string };
    let other: { id: string; secretKey: string };
    let account: string;
    let otherAccount: string;
    const fired: string[] = [];
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      receiver = await startReceiver((_req, res, i) => res.writeHead(i === 0 ? 500 : 204).end());
      app = await server.createApp('Operator');
      other = await server.createApp('Other');
      account = await insertAccount(server.services.database.db, app.id);
      otherAccount = await insertAccount(server.services.database.db, other.id);
      await setEndpoint(server, app.secretKey, receiver.url);
      for (const event of ['mono.events.account_connected', 'mono.events.account_updated', 'mono.events.sync_failed']) {
        fired.push((await fire(server, app.secretKey, account, event)).event_id);
        server.clock.advance(1_000);
      }
      await server.services.webhooks.dispatcher.runDue();
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });
    const get = (path: string, key = app.secretKey) => call(server.url, 'GET', path, { key });

    test('events are listed newest first, paginated, with the exact payload', async () => {
      const page1 = await get('/v2/webhooks/events?limit=2');
      assert.equal(page1.status, 200, page1.text);
      assert.equal(page1.body.status, 'successful');
      assert.deepEqual(
        page1.body.data.map((e: any) => e.id),
        [fired[2], fired[1]],
      );
      assert.deepEqual(page1.body.meta, { total: 3, page: 1, previous: null, next: '/v2/webhooks/events?page=2&limit=2' });
      const page2 = await get(page1.body.meta.next);
      assert.deepEqual(
        page2.body.data.map((e: any) => e.id),
        [fired[0]],
      );
      const connected = page2.body.data[0];
      assert.equal(connected.event, 'mono.events.account_connected');
      assert.equal(connected.account, account);
      assert.deepEqual(connected.payload.data.meta, { data_status: 'PROCESSING', auth_method: 'internet_banking' });
      assert.equal((await get('/v2/webhooks/events', other.secretKey)).body.meta.total, 0, 'another app sees none');
    });

    test('the sandbox fires every event type with its contract payload', async () => {
      const { body } = await get(`/v2/webhooks/events?limit=3`);
      const updated = body.data.find((e: any) => e.event === 'mono.events.account_updated').payload.data;
      assert.deepEqual(Object.keys(updated.account).sort(), [
        '_id',
        'accountNumber',
        'authMethod',
        'balance',
        'bvn',
        'created_at',
        'currency',
        'institution',
        'name',
        'type',
        'updated_at',
      ]);
      assert.deepEqual(updated.account.institution, { name: 'Relink Sandbox Bank', bankCode: '998', type: 'PERSONAL_BANKING' });
      assert.deepEqual(updated.meta.retrieved_data, ['identity', 'balance', 'transactions']);
      const failed = body.data.find((e: any) => e.event === 'mono.events.sync_failed').payload.data;
      assert.equal(failed.account._id, account);
      assert.equal(typeof failed.reason, 'string');
    });

    test('deliveries list every attempt and filter by status', async () => {
      const all = await get('/v2/webhooks/deliveries');
      assert.equal(all.status, 200, all.text);
      assert.equal(all.body.meta.total, 3);
      const failing = await get('/v2/webhooks/deliveries?status=failing');
      assert.equal(failing.body.data.length, 1, 'the first answer was a 500');
      assert.equal((await get('/v2/webhooks/deliveries?status=pending')).body.data.length, 0, 'attempted: failing, no longer pending');
      const [retrying] = failing.body.data;
      assert.equal(retrying.status, 'failing');
      assert.equal(retrying.attempt_count, 1);
      assert.equal(retrying.attempts[0].status_code, 500);
      assert.equal(typeof retrying.attempts[0].duration_ms, 'number');
      assert.match(retrying.attempts[0].attempted_at, /^\d{4}-/);
      assert.match(retrying.last_error, /500/);
      assert.ok(Date.parse(retrying.next_attempt_at) > server.clock.now());
      const succeeded = await get('/v2/webhooks/deliveries?status=succeeded');
      assert.equal(succeeded.body.data.length, 2);
      assert.equal(succeeded.body.data[0].attempts[0].status_code, 204);
      assert.equal((await get('/v2/webhooks/deliveries?status=lost')).status, 400);
    });

    test('replay sends the same event again, with the same event_id', async () => {
      const [delivery] = (await get('/v2/webhooks/deliveries?status=succeeded')).body.data;
      // Counted before the replay is created: its commit wakes the background dispatcher, which
      // may deliver it before this test's own runDue (a CI run on PostgreSQL did exactly that).
      const before = receiver.received.length;
      const res = await call(server.url, 'POST', `/v2/webhooks/deliveries/${delivery.id}/replay`, { key: app.secretKey });
      assert.equal(res.status, 201, res.text);
      assert.notEqual(res.body.data.id, delivery.id);
      assert.equal(res.body.data.replay_of, delivery.id);
      assert.equal(res.body.data.event_id, delivery.event_id);
      await server.services.webhooks.dispatcher.runDue();
      const resent = receiver.received.slice(before).find((r) => r.id === delivery.event_id)!;
      assert.ok(resent, 'the receiver got the event again');
      assert.equal(JSON.parse(resent.body).event_id, delivery.event_id);
      assert.equal((await get(`/v2/webhooks/deliveries/${res.body.data.id}`)).body.data.status, 'succeeded');
    });

    test("another app's delivery is 404, for reading and for replay", async () => {
      const [delivery] = (await get('/v2/webhooks/deliveries')).body.data;
      const read = await get(`/v2/webhooks/deliveries/${delivery.id}`, other.secretKey);
      assert.equal(read.status, 404);
      assert.equal(read.body.code, 'DELIVERY_NOT_FOUND');
      const replay = await call(server.url, 'POST', `/v2/webhooks/deliveries/${delivery.id}/replay`, { key: other.secretKey });
      assert.equal(replay.status, 404);
      assert.equal(replay.body.code, 'DELIVERY_NOT_FOUND');
      assert.equal((await get('/v2/webhooks/deliveries', other.secretKey)).body.meta.total, 0);
    });

    test('an event recorded while the app had no webhook URL is delivered later by its event_id', async () => {
      const quiet = await server.createApp('No URL yet');
      const quietAccount = await insertAccount(server.services.database.db, quiet.id);
      const missed = await fire(server, quiet.secretKey, quietAccount);
      assert.equal(missed.delivery_id, null, 'nowhere to deliver it to');
      const early = await call(server.url, 'POST', `/v2/webhooks/events/${missed.event_id}/replay`, { key: quiet.secretKey });
      assert.equal(early.status, 409);
      assert.equal(early.body.code, 'WEBHOOK_NOT_CONFIGURED');
      await setEndpoint(server, quiet.secretKey, receiver.url);
      const res = await call(server.url, 'POST', `/v2/webhooks/events/${missed.event_id}/replay`, { key: quiet.secretKey });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.data.event_id, missed.event_id);
      assert.equal(res.body.data.replay_of, null);
      assert.equal(res.body.data.url, receiver.url);
      await server.services.webhooks.dispatcher.runDue();
      const got = receiver.received.find((r) => r.id === missed.event_id);
      assert.ok(got, 'the receiver got the missed event');
      assert.equal(JSON.parse(got.body).event_id, missed.event_id);
      const foreign = await call(server.url, 'POST', `/v2/webhooks/events/${missed.event_id}/replay`, { key: app.secretKey });
      assert.equal(foreign.status, 404);
      assert.equal(foreign.body.code, 'EVENT_NOT_FOUND');
    });

    test('the sandbox fire helper: test keys only, own accounts only, known events only', async () => {
      const live = await server.createApp('Live', { live: true });
      const forbidden = await call(server.url, 'POST', '/v2/sandbox/webhooks/fire', {
        key: live.secretKey,
        body: { event: 'mono.events.account_updated', account },
      });
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.code, 'FORBIDDEN');
      for (const target of [otherAccount, '5f171a530295e231abca1153']) {
        const res = await call(server.url, 'POST', '/v2/sandbox/webhooks/fire', {
          key: app.secretKey,
          body: { event: 'mono.events.account_updated', account: target },
        });
        assert.equal(res.status, 404);
        assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND');
      }
      const unlinked = await insertAccount(server.services.database.db, app.id);
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${unlinked}/unlink`, { key: app.secretKey })).status, 200);
      const gone = await call(server.url, 'POST', '/v2/sandbox/webhooks/fire', {
        key: app.secretKey,
        body: { event: 'mono.events.account_updated', account: unlinked },
      });
      assert.equal(gone.status, 404, 'an unlinked account is no longer one of the app’s accounts');
      assert.equal(gone.body.code, 'ACCOUNT_NOT_FOUND');
      const bad = await call(server.url, 'POST', '/v2/sandbox/webhooks/fire', { key: app.secretKey, body: { event: 'mono.events.account_deleted', account } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'INVALID_INPUT');
      assert.match(bad.body.message, /body\.event must be one of/);
    });

    test('PUT /v2/webhooks/endpoint returns a new secret once; GET shows the endpoint without it', async () => {
      const res = await call(server.url, 'PUT', '/v2/webhooks/endpoint', { key: other.secretKey, body: { url: receiver.url } });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.data.webhook_secret, /^whsec_/);
      assert.equal(res.body.data.url, receiver.url);
      assert.equal(res.body.data.disabled_at, null);
      const shown = await get('/v2/webhooks/endpoint', other.secretKey);
      assert.equal(shown.body.data.url, receiver.url);
      assert.ok(!shown.text.includes(res.body.data.webhook_secret));
      const missing = await call(server.url, 'PUT', '/v2/webhooks/endpoint', { key: other.secretKey, body: {} });
      assert.equal(missing.status, 400);
      assert.match(missing.body.message, /body\.url is required/);
    });

    test('every webhook route needs a key', async () => {
      for (const [method, path] of [
        ['GET', '/v2/webhooks/events'],
        ['GET', '/v2/webhooks/deliveries'],
        ['PUT', '/v2/webhooks/endpoint'],
        ['POST', '/v2/webhooks/secret/rotate'],
        ['POST', '/v2/sandbox/webhooks/fire'],
      ] as const) {
        const res = await call(server.url, method, path);
        assert.equal(res.status, 401, `${method} ${path}`);
      }
    });
  });
}
