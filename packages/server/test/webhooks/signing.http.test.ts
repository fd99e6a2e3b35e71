import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { call, databases, startTestServer, type TestServer, type Receiver, setEndpoint, startReceiver } from '@relink/testkit';
import { sign, signatureHeader } from '@relink/contract/signing';
import { fire, insertAccount } from '../support/webhooks.ts';

const HOUR = 60 * 60 * 1000;

/** What a receiver does: verify with the reference Standard Webhooks library, not ours. */
function verify(secret: string, body: string, headers: Record<string, unknown>) {
  return new Webhook(secret).verify(body, headers as Record<string, string>) as Record<string, unknown>;
}

test('sign follows the Standard Webhooks reference', () => {
  const secret = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
  const body = '{"event":"mono.events.account_updated"}';
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = sign(secret, 'evt_1', timestamp, body);
  assert.match(signature, /^v1,[A-Za-z0-9+/]{43}=$/);
  assert.equal(new Webhook(secret).sign('evt_1', new Date(timestamp * 1000), body), signature);
  assert.equal(signatureHeader([secret, secret], 'evt_1', timestamp, body), `${signature} ${signature}`);
});

for (const kind of databases()) {
  describe(`[${kind}] webhook wire format and signatures`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let app: { id: string; secretKey: string };
    let account: string;
    let secret: string;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      receiver = await startReceiver();
      app = await server.createApp('Signed');
      account = await insertAccount(server.services.database.db, app.id);
      secret = await setEndpoint(server, app.secretKey, receiver.url);
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    test('a delivery is the stored event body, byte for byte, with Mono and Standard Webhooks headers', async () => {
      const fired = await fire(server, app.secretKey, account);
      await server.services.webhooks.dispatcher.runDue();
      const got = receiver.received.at(-1)!;
      const stored = await server.services.database.db.selectFrom('events').select('body').where('id', '=', fired.event_id).executeTakeFirstOrThrow();
      assert.equal(got.body, stored.body);
      const body = JSON.parse(got.body);
      assert.deepEqual(Object.keys(body), ['event', 'event_id', 'timestamp', 'data']);
      assert.equal(body.event_id, fired.event_id);
      assert.equal(body.data.account._id, account);
      assert.equal(got.headers['mono-webhook-secret'], secret);
      assert.equal(got.headers['webhook-id'], fired.event_id);
      assert.equal(got.headers['webhook-timestamp'], String(Math.floor(server.clock.now() / 1000)));
      assert.equal(got.headers['content-type'], 'application/json');
      assert.equal(got.headers['user-agent'], 'Relink-Webhooks/0.1');
      assert.deepEqual(verify(secret, got.body, got.headers), body);
    });

    test('a tampered body or another secret fails verification', async () => {
      const got = receiver.received.at(-1)!;
      assert.throws(() => verify(secret, got.body.replace('ADA OBI', 'EVE'), got.headers));
      const other = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
      assert.throws(() => verify(other, got.body, got.headers));
    });

    test('after a rotation both secrets sign for 24 hours, then only the new one', async () => {
      const res = await call(server.url, 'POST', '/v2/webhooks/secret/rotate', { key: app.secretKey });
      assert.equal(res.status, 200, res.text);
      const fresh = res.body.data.webhook_secret as string;
      assert.match(fresh, /^whsec_[A-Za-z0-9+/]{32}$/);
      assert.notEqual(fresh, secret);
      assert.equal(Date.parse(res.body.data.previous_secret_expires_at), server.clock.now() + 24 * HOUR);

      await fire(server, app.secretKey, account);
      await server.services.webhooks.dispatcher.runDue();
      const during = receiver.received.at(-1)!;
      assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
      assert.equal(during.headers['mono-webhook-secret'], fresh);
      verify(fresh, during.body, during.headers);
      verify(secret, during.body, during.headers);

      server.clock.advance(24 * HOUR + 1000);
      await fire(server, app.secretKey, account);
      await server.services.webhooks.dispatcher.runDue();
      const later = receiver.received.at(-1)!;
      assert.equal(String(later.headers['webhook-signature']).split(' ').length, 1);
      // The reference verifier allows 5 minutes of clock skew; check the signature itself.
      const timestamp = Number(later.headers['webhook-timestamp']);
      assert.equal(later.headers['webhook-signature'], sign(fresh, later.id, timestamp, later.body));
      assert.notEqual(later.headers['webhook-signature'], sign(secret, later.id, timestamp, later.body));
    });

    test('secrets are stored sealed, never in clear', async () => {
      const apps = JSON.stringify(await server.services.database.db.selectFrom('apps').selectAll().execute());
      const vault = JSON.stringify(await server.services.database.db.selectFrom('vault_secrets').selectAll().execute());
      assert.ok(!apps.includes(secret.slice(6)) && !vault.includes(secret.slice(6)));
    });
  });
}
