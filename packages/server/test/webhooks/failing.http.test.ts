// A webhook endpoint that refuses every connection: its delivery is `failing` from the first
// failed attempt on (not `pending` until the schedule gives up a day later), with the next retry
// time and the error, in the Partners API, the SDK and `relink webhooks deliveries --failing`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, partner, type Receiver, setEndpoint, startReceiver, startTestServer, TEST_MASTER_KEY, type TestServer } from '@relink/testkit';
import { relinkInProcess } from '../support/cli.ts';
import { freePort } from '../support/process.ts';
import { fire, insertAccount } from '../support/webhooks.ts';

for (const kind of databases()) {
  describe(`[${kind}] a failing webhook delivery`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let app: { id: string; secretKey: string };
    let other: { id: string; secretKey: string };
    let refused: string;
    let eventId: string;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      receiver = await startReceiver();
      app = await server.createApp('Refused');
      other = await server.createApp('Healthy');
      // A loopback port nothing listens on: every connection is refused.
      refused = `http://127.0.0.1:${await freePort()}/hooks`;
      await setEndpoint(server, app.secretKey, refused);
      await setEndpoint(server, other.secretKey, receiver.url);
      eventId = (await fire(server, app.secretKey, await insertAccount(server.services.database.db, app.id))).event_id;
      await fire(server, other.secretKey, await insertAccount(server.services.database.db, other.id));
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });
    const vars = () => ({ DATABASE_URL: server.db.url, RELINK_DATA_DIR: server.db.dataDir, RELINK_MASTER_KEY: TEST_MASTER_KEY });
    const list = (key: string, query: string) => call(server.url, 'GET', `/v2/webhooks/deliveries${query}`, { key });

    test('after a refused attempt the delivery is failing, with the next retry and the error', async () => {
      // The server's dispatcher may have made the attempt already, woken by the event's commit.
      const before = server.clock.now();
      await server.services.webhooks.dispatcher.runDue();

      const failing = await list(app.secretKey, '?status=failing');
      assert.equal(failing.status, 200, failing.text);
      assert.equal(failing.body.meta.total, 1);
      const [delivery] = failing.body.data;
      assert.equal(delivery.status, 'failing');
      assert.equal(delivery.event_id, eventId);
      assert.equal(delivery.attempt_count, 1);
      assert.match(delivery.last_error, /ECONNREFUSED/);
      assert.equal(delivery.last_status_code, null);
      assert.equal(delivery.completed_at, null);
      // The first retry of the default schedule: 5 s ± 10 %.
      const wait = Date.parse(delivery.next_attempt_at) - before;
      assert.ok(wait >= 4_500 && wait <= 5_600, `next attempt in ${wait} ms`);
      assert.equal(delivery.attempts.length, 1);
      assert.match(delivery.attempts[0].error, /ECONNREFUSED/);
      assert.equal((await list(app.secretKey, '?status=pending')).body.data.length, 0, 'failing is not also pending');
      assert.equal((await list(app.secretKey, '')).body.data[0].status, 'failing');
      assert.equal((await call(server.url, 'GET', `/v2/webhooks/deliveries/${delivery.id}`, { key: app.secretKey })).body.data.status, 'failing');
      // The other app's delivery went through; it sees no failing one, and not this app's.
      assert.equal((await list(other.secretKey, '?status=failing')).body.data.length, 0);
      assert.equal((await list(other.secretKey, '?status=succeeded')).body.data.length, 1);
      // The operator's service (the console's) reads it whichever app it belongs to.
      const seen = await server.services.operations.delivery(delivery.id);
      assert.deepEqual([seen?.app_id, seen?.status, seen?.attempts.length], [app.id, 'failing', 1]);
      assert.equal(await server.services.operations.delivery('whd_nope'), undefined);
      // The SDK takes the state as its type says.
      const viaSdk = await partner(server, app.secretKey).webhooks.deliveries({ status: 'failing' });
      assert.deepEqual(
        viaSdk.data.map((d) => [d.id, d.status]),
        [[delivery.id, 'failing']],
      );
    });

    test('relink webhooks deliveries --failing lists it across apps, with its app, error and next attempt; --app narrows', async () => {
      const run = await relinkInProcess(['webhooks', 'deliveries', '--failing'], vars());
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        new RegExp(`^whd_\\S+\\s+failing\\s+app=${app.id}\\s+mono\\.events\\.account_updated\\s+${eventId}\\s+attempts=1\\s+${refused}$`, 'm'),
      );
      assert.match(run.stdout, /\s---\s+\d+ ms\s+ECONNREFUSED/);
      assert.match(run.stdout, /next attempt at \d{4}-\d\d-\d\dT/);
      assert.doesNotMatch(run.stdout, new RegExp(other.id));
      const json = JSON.parse((await relinkInProcess(['webhooks', 'deliveries', 'failing', '--json'], vars())).stdout);
      assert.deepEqual(
        json.map((d: { app_id: string; status: string }) => [d.app_id, d.status]),
        [[app.id, 'failing']],
      );
      const all = JSON.parse((await relinkInProcess(['webhooks', 'deliveries', '--json'], vars())).stdout);
      assert.deepEqual(all.map((d: { app_id: string }) => d.app_id).sort(), [app.id, other.id].sort());
      assert.match((await relinkInProcess(['webhooks', 'deliveries', '--failing', '--app', other.id], vars())).stdout, /^No failing deliveries for app /);
      const clash = await relinkInProcess(['webhooks', 'deliveries', 'failed', '--failing'], vars());
      assert.equal(clash.code, 1);
      assert.match(clash.stderr, /--failing and the status "failed" disagree/);
    });

    test('relink webhooks endpoints: the refused one has never succeeded and fails; the other is healthy', async () => {
      const run = await relinkInProcess(['webhooks', 'endpoints', '--json'], vars());
      assert.equal(run.code, 0, run.stderr);
      const byApp = new Map(JSON.parse(run.stdout).map((e: { app_id: string }) => [e.app_id, e]));
      const bad = byApp.get(app.id) as Record<string, unknown>;
      assert.equal(bad.url, refused);
      assert.equal(bad.last_success_at, null);
      assert.equal(bad.consecutive_failures, 1);
      assert.equal(bad.pending, 0, 'attempted: failing, not pending');
      assert.equal(bad.failing, 1);
      assert.match(String(bad.last_error), /ECONNREFUSED/);
      const good = byApp.get(other.id) as Record<string, unknown>;
      assert.equal(good.consecutive_failures, 0);
      assert.equal(good.failing, 0);
      assert.equal(typeof good.last_success_at, 'string');
      const text = await relinkInProcess(['webhooks', 'endpoints'], vars());
      assert.match(text.stdout, new RegExp(`^${app.id}\\s+test\\s+Refused\\s+${refused.replace(/[.]/g, '\\.')}\\s+FAILING$`, 'm'));
      assert.match(text.stdout, /last success never; failures since 1;/);
    });

    test('once the endpoint answers, the retry succeeds and nothing is failing any more', async () => {
      await setEndpoint(server, app.secretKey, receiver.url);
      const [delivery] = (await list(app.secretKey, '?status=failing')).body.data;
      server.clock.set(Date.parse(delivery.next_attempt_at));
      await server.services.webhooks.dispatcher.runDue();
      const done = (await call(server.url, 'GET', `/v2/webhooks/deliveries/${delivery.id}`, { key: app.secretKey })).body.data;
      assert.equal(done.status, 'succeeded');
      assert.equal(done.attempt_count, 2);
      assert.equal(done.next_attempt_at, null);
      assert.match((await relinkInProcess(['webhooks', 'deliveries', '--failing'], vars())).stdout, /^No failing deliveries\.$/m);
      const [health] = JSON.parse((await relinkInProcess(['webhooks', 'endpoints', '--json'], vars())).stdout).filter(
        (e: { app_id: string }) => e.app_id === app.id,
      );
      assert.equal(health.consecutive_failures, 0);
      assert.equal(typeof health.last_success_at, 'string');
    });

    test('relink webhooks replay without --app sends deliveries of any app again, and names those it could not', async () => {
      const [delivery] = (await list(app.secretKey, '?status=succeeded')).body.data;
      const run = await relinkInProcess(['webhooks', 'replay', delivery.id, 'whd_nope', '--json'], vars());
      assert.equal(run.code, 1, 'one of the two was not queued');
      const [queued, missing] = JSON.parse(run.stdout);
      assert.deepEqual([queued.id, queued.result, queued.delivery.event_id, queued.delivery.replay_of], [delivery.id, 'queued', eventId, delivery.id]);
      assert.deepEqual(missing, { id: 'whd_nope', result: 'not_found' });
      const replays = (await list(app.secretKey, `?event_id=${eventId}`)).body.data;
      assert.equal(replays.length, 2);
      const text = await relinkInProcess(['webhooks', 'replay', 'whd_nope'], vars());
      assert.equal(text.code, 1);
      assert.match(text.stderr, /^relink: no delivery whd_nope$/m);
    });

    test('the status filter refuses an unknown state with a 400 naming the parameter', async () => {
      const res = await list(app.secretKey, '?status=stuck');
      assert.equal(res.status, 400);
      assert.match(res.text, /status/);
    });
  });
}
