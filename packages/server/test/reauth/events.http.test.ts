// What a partner's own HTTP server hears during a re-authorisation, with signatures checked:
// reauthorisation_required when the sandbox forces the case, then account_reauthorized when the
// user commits, then account_updated with fresh data.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  databases,
  OTP,
  exchange,
  type Receiver,
  setEndpoint,
  startReceiver,
  waitFor,
  type ReauthServer,
  linkedAccount,
  reauthSession,
  resetLogin,
  startReauthServer,
  stepOn,
} from '@relink/testkit';

for (const kind of databases()) {
  describe(`[${kind}] re-authorisation events at a real receiver`, () => {
    let server: ReauthServer;
    let receiver: Receiver;
    let key: string;
    let secret: string;
    before(async () => {
      server = await startReauthServer(kind);
      // Time moves, as it does outside tests: every reading is a millisecond later, so events
      // recorded one after another have increasing times (the order their deliveries keep).
      let now = server.clock.now();
      server.clock.now = () => ++now;
      receiver = await startReceiver();
      key = (await server.createApp('Reauth receiver')).secretKey;
      secret = await setEndpoint(server, key, receiver.url);
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    /** Every event the receiver got for `account` in arrival order; each signature must verify. */
    const heard = (account: string) =>
      receiver.received
        .map((r) => {
          assert.equal(r.headers['mono-webhook-secret'], secret);
          return new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { event: string; event_id: string; data: any };
        })
        .filter((e) => (e.data.account?._id ?? e.data.id) === account);
    const types = (account: string) => heard(account).map((e) => e.event);

    for (const reason of ['mfa_required', 'password_changed'] as const) {
      test(`${reason}: reauthorisation_required → account_reauthorized → account_updated, signed`, async () => {
        const id = await linkedAccount(server, key, 'user_otp');
        await waitFor(() => types(id).length === 2, 10_000, 'the link’s two events');
        const reset = await resetLogin(server, key, id, reason);
        await waitFor(() => types(id).includes('mono.events.reauthorisation_required'), 10_000, 'reauthorisation_required');
        await waitFor(() => types(id).length === 4, 10_000, 'the failed sync’s account_updated');
        // Recorded in one transaction, these two may arrive in either order.
        const failed = heard(id).find((e, i) => i >= 2 && e.event === 'mono.events.account_updated')!;
        assert.equal(failed.event, 'mono.events.account_updated');
        assert.equal(failed.data.meta.sync_status, 'REAUTHORISATION_REQUIRED');
        assert.match(failed.data.meta.sync_error, reason === 'mfa_required' ? /multi-factor/ : /password was changed/);

        const started = await reauthSession(server, key, id);
        let session = started.body.data.session.id as string;
        if (reason === 'password_changed') {
          const login = await stepOn(server, key, started.body.data.next, session, { username: reset.username, password: reset.new_password });
          assert.equal(login.body.responseCode, 102, login.text);
        }
        const done = await stepOn(server, key, '/v2/connect/commit', session, { otp: OTP });
        assert.equal(done.body.responseCode, 99, done.text);
        assert.equal(await exchange(server, key, done.body.data.code), id);
        await waitFor(() => types(id).length === 6, 10_000, 'account_reauthorized and account_updated');
        // Each step waited for the one before, so arrival order holds between steps. Within one
        // step deliveries run in parallel and may overtake each other (docs/webhooks.md): their
        // order is the event's `timestamp`, which the partner sorts by.
        const order = types(id);
        assert.deepEqual(order.slice(0, 2), ['mono.events.account_connected', 'mono.events.account_updated']);
        assert.deepEqual([...order.slice(2, 4)].sort(), ['mono.events.account_updated', 'mono.events.reauthorisation_required']);
        const all = heard(id) as Array<{ event: string; event_id: string; timestamp: string; data: any }>;
        const byTime = all.slice(4).sort((x, y) => Date.parse(x.timestamp) - Date.parse(y.timestamp));
        assert.deepEqual(
          byTime.map((e) => e.event),
          ['mono.events.account_reauthorized', 'mono.events.account_updated'],
        );
        const required = all.find((e) => e.event === 'mono.events.reauthorisation_required');
        const [reauthorized, updated] = byTime;
        assert.deepEqual(required!.data, { account: { _id: id } });
        assert.deepEqual(reauthorized!.data, { account: { _id: id } });
        assert.equal(updated!.data.meta.sync_status, 'SUCCESSFUL');
        assert.equal(updated!.data.meta.data_status, 'AVAILABLE');
        assert.equal(new Set(heard(id).map((e) => e.event_id)).size, 6);
        session = '';
      });
    }
  });
}
