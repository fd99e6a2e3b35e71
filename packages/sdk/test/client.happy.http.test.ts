// The typed client against a real Relink server, every Partners API operation through it: a
// v2 link for each kind of bank answer, the v1 API of older partner code, both
// re-authorisation flows, accounts, webhooks, hosted links and the sandbox controls.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OPERATIONS } from '@relink/contract';
import {
  databases,
  type TestServer,
  type CountingBank,
  OTP,
  PASSWORD,
  SANDBOX,
  settle,
  startReauthServer,
  startReceiver,
  type Receiver,
  waitFor,
} from '@relink/testkit';
import { Relink, RelinkError, type StepReply } from '../src/index.ts';

/** Answers whatever a reply asks until the bank says 99; returns the code. */
async function finish(relink: Relink, session: string, reply: StepReply, answers: Record<string, unknown> = { otp: OTP, answer: 'blue' }): Promise<string> {
  for (let steps = 0; steps < 5; steps++) {
    switch (reply.responseCode) {
      case 99:
        return reply.data.code;
      case 101:
        reply = await relink.connect.commit(session, { accountNumber: reply.data.accounts.at(-1)!.accountNumber });
        break;
      case 102: {
        const fields = Object.fromEntries(reply.data.userInput.form.map((f) => [f.name, answers[f.name]]));
        reply = await relink.connect.commit(session, fields);
        break;
      }
    }
  }
  throw new Error('no 99 after five steps');
}

async function linkV2(relink: Relink, username: string, customer: string): Promise<string> {
  const { session, ui } = await relink.connect.createSession({
    institution: SANDBOX,
    auth_method: 'internet_banking',
    customer: { name: customer, email: `${customer.replace(/\W/g, '')}@example.com` },
  });
  assert.deepEqual(
    ui.form.map((f) => f.name),
    ['username', 'password'],
  );
  const code = await finish(relink, session.id, await relink.connect.login(session.id, { username, password: PASSWORD }));
  return (await relink.accounts.exchange(code)).id;
}

for (const kind of databases()) {
  describe(`[${kind}] SDK client: every Partners API operation against Relink`, () => {
    let server: TestServer & { bank: CountingBank };
    let relink: Relink;
    let other: Relink;
    let receiver: Receiver;
    before(async () => {
      server = await startReauthServer(kind);
      relink = new Relink({ secretKey: (await server.createApp('SDK client')).secretKey, baseUrl: server.url, retries: 0 });
      other = new Relink({ secretKey: (await server.createApp('Another partner')).secretKey, baseUrl: server.url, retries: 0 });
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await server.stop();
    });

    test('every operation in the contract is served at its method and path', async () => {
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const served = new Set(Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)));
      const missing = Object.entries(OPERATIONS)
        .map(([name, op]): [string, string] => [name, `${op.method} ${op.path.replace(/:(\w+)/g, '{$1}')}`])
        .filter(([, route]) => !served.has(route));
      assert.deepEqual(missing, []);
      assert.ok(Object.keys(OPERATIONS).length >= 40, `${Object.keys(OPERATIONS).length} operations`);
    });

    test('institutions: v3 in the envelope, v1 and coverage as bare arrays', async () => {
      const v3 = await relink.institutions.list({ auth_method: 'internet_banking' });
      assert.ok(v3.some((i) => i._id === SANDBOX));
      assert.ok((await relink.v1.institutions()).some((i) => i._id === SANDBOX));
      assert.equal((await relink.v1.coverage()).length, (await relink.v1.institutions()).length);
    });

    test('a v2 link through each kind of bank answer; account, balance, identity, transactions', async () => {
      for (const username of ['user_good', 'user_otp', 'user_question', 'user_multi', 'user_otp_multi']) {
        const id = await linkV2(relink, username, `Linker ${username}`);
        assert.match(id, /^[0-9a-f]{24}$/);
      }
      const id = await linkV2(relink, 'user_otp', 'Ada Obi');
      await settle(server);
      const details = await relink.accounts.get(id);
      assert.equal(details.account.id, id);
      assert.equal(details.meta.data_status, 'AVAILABLE');
      assert.equal(details.meta.reauth_required, false);
      const balance = await relink.accounts.balance(id);
      assert.equal(balance.balance, details.account.balance);
      assert.equal(typeof (await relink.accounts.identity(id)).full_name, 'string');
      const page = await relink.accounts.transactions(id, { limit: 5 });
      assert.equal(page.data.length, 5);
      assert.ok(page.meta.total > 5 && page.meta.next !== null);
      const second = await relink.accounts.transactions(id, { limit: 5, page: 2 });
      assert.notEqual(second.data[0]?._id, page.data[0]?._id);
      assert.equal((await relink.accounts.sync(id)).status, 'PROCESSING');
    });

    test('a failed step throws RelinkError with status, code, responseCode and the body', async () => {
      const { session } = await relink.connect.createSession({ institution: SANDBOX, auth_method: 'internet_banking' });
      const reply = await relink.connect.login(session.id, { username: 'user_otp', password: PASSWORD });
      assert.equal(reply.responseCode, 102);
      const error = await relink.connect.commit(session.id, { otp: '00000' }).then(
        () => assert.fail('a wrong OTP answered'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof RelinkError);
      assert.equal(error.status, 400);
      assert.equal(error.code, 'OTP_INVALID');
      assert.equal(error.responseCode, 400);
      assert.equal((error.body as { status: string }).status, 'failed');
      assert.match(error.message, /OTP/i);
      // The session still takes the right answer.
      assert.equal((await relink.connect.commit(session.id, { otp: OTP })).responseCode, 99);
    });

    test("another app's account is ACCOUNT_NOT_FOUND; a bad key is INVALID_API_KEY", async () => {
      const id = await linkV2(relink, 'user_good', 'Private Customer');
      const hidden = await other.accounts.get(id).catch((e: unknown) => e);
      assert.ok(hidden instanceof RelinkError && hidden.status === 404 && hidden.code === 'ACCOUNT_NOT_FOUND', String(hidden));
      const bad = new Relink({ secretKey: 'test_sk_not_a_key', baseUrl: server.url });
      const refused = await bad.institutions.list().catch((e: unknown) => e);
      assert.ok(refused instanceof RelinkError && refused.status === 401 && refused.code === 'INVALID_API_KEY', String(refused));
    });

    test("accounts.list: the app's accounts a page at a time, filtered; another app lists none", async () => {
      const id = await linkV2(relink, 'user_good+listed', 'Listed Customer');
      const all = await relink.accounts.list({ limit: 100 });
      assert.ok(all.data.some((a) => a.id === id));
      assert.equal(all.meta.total, all.data.length);
      const first = await relink.accounts.list({ limit: 1 });
      assert.equal(first.data[0]!.id, all.data[0]!.id);
      assert.equal(first.meta.page, 1);
      assert.match(first.meta.next ?? '', /page=2&limit=1$/);
      const mine = await relink.accounts.list({ customer: (await relink.accounts.get(id)).customer.id });
      assert.deepEqual(
        mine.data.map((a) => [a.id, a.customer.name]),
        [[id, 'Listed Customer']],
      );
      assert.ok((await relink.accounts.list({ reauth_required: true })).data.every((a) => a.reauth_required));
      assert.deepEqual((await other.accounts.list()).data, []);
      const refused = await relink.accounts.list({ limit: 500 }).catch((e: unknown) => e);
      assert.ok(refused instanceof RelinkError && refused.status === 400 && refused.code === 'INVALID_INPUT', String(refused));
    });

    test('customers: create, get, list, update, link for one by id, its accounts, delete once unlinked', async () => {
      const made = await relink.customers.create({
        email: 'Funmi.Ade@example.com',
        first_name: 'Funmi',
        last_name: 'Ade',
        phone: '08031234567',
        identity: { type: 'bvn', number: '22123456789' },
      });
      assert.deepEqual([made.name, made.email, made.bvn], ['Funmi Ade', 'funmi.ade@example.com', '22123456789']);
      assert.deepEqual(await relink.customers.get(made.id), made);
      const found = await relink.customers.list({ email: 'funmi.ade@example.com' });
      assert.deepEqual(found.data, [made]);
      assert.equal(found.meta.total, 1);
      const updated = await relink.customers.update(made.id, { address: '3 Allen Avenue, Ikeja' });
      assert.equal(updated.address, '3 Allen Avenue, Ikeja');
      const taken = await relink.customers.create({ email: 'funmi.ade@example.com', first_name: 'F', last_name: 'A' }).catch((e: unknown) => e);
      assert.ok(taken instanceof RelinkError && taken.status === 400 && taken.code === 'CUSTOMER_EXISTS', String(taken));

      const { session } = await relink.connect.createSession({ institution: SANDBOX, auth_method: 'internet_banking', customer: { id: made.id } });
      const code = await finish(relink, session.id, await relink.connect.login(session.id, { username: 'user_good+funmi', password: PASSWORD }));
      const { id } = await relink.accounts.exchange(code);
      assert.equal((await relink.accounts.get(id)).customer.id, made.id);
      const accounts = await relink.customers.accounts(made.id);
      assert.deepEqual(
        accounts.data.map((a) => [a.id, a.customer.name]),
        [[id, 'Funmi Ade']],
      );

      const busy = await relink.customers.delete(made.id).catch((e: unknown) => e);
      assert.ok(busy instanceof RelinkError && busy.status === 409 && busy.code === 'CUSTOMER_HAS_ACCOUNTS', String(busy));
      const hidden = await other.customers.get(made.id).catch((e: unknown) => e);
      assert.ok(hidden instanceof RelinkError && hidden.status === 404 && hidden.code === 'CUSTOMER_NOT_FOUND', String(hidden));
      await relink.accounts.unlink(id);
      await relink.customers.delete(made.id);
      const gone = await relink.customers.get(made.id).catch((e: unknown) => e);
      assert.ok(gone instanceof RelinkError && gone.status === 404 && gone.code === 'CUSTOMER_NOT_FOUND', String(gone));
    });

    test('v1: link, exchange, account, transactions, then re-authorise with a reauth token (seed 000)', async () => {
      const created = await relink.v1.createSession({ institution: SANDBOX, auth_method: 'internet_banking' });
      let reply = await relink.v1.login(created.id, { username: 'user_otp', password: PASSWORD });
      assert.equal(reply.responseCode, 102);
      if (reply.responseCode === 102) assert.equal(reply.data.form[0]!.name, 'otp');
      reply = await relink.v1.commit(created.id, { otp: OTP });
      assert.equal(reply.responseCode, 99);
      const id = await relink.v1.exchange(reply.responseCode === 99 ? reply.data.code : '');
      await settle(server);
      assert.equal((await relink.v1.account(id)).account._id, id);
      assert.equal((await relink.v1.transactions(id, { limit: 3 })).data.length, 3);
      assert.equal(typeof (await relink.v1.identity(id)), 'object');

      await relink.sandbox.resetLogin(id);
      const token = await relink.v1.reauthorise(id);
      const reauth = await relink.v1.createSession({ reauth_token: token });
      assert.equal(reauth.reauth?.response_code, 102);
      const done = await relink.v1.commit(reauth.id, { otp: OTP });
      assert.equal(done.responseCode, 99);
      assert.equal(await relink.v1.exchange(done.responseCode === 99 ? done.data.code : ''), id);
      assert.equal((await relink.v1.account(id)).meta.reauth_required, false);
      assert.equal((await relink.v1.sync(id)).status, 'successful');
    });

    test('v2 reauth after MFA: start → 102 at /v2/connect/commit → answer → 99 → the same account id', async () => {
      const id = await linkV2(relink, 'user_otp', 'Mfa Customer');
      await settle(server);
      await relink.sandbox.resetLogin(id, { reason: 'mfa_required' });
      assert.equal((await relink.accounts.get(id)).meta.reauth_required, true);
      const started = await relink.reauth.start(id);
      assert.equal(started.responseCode, 102);
      if (started.responseCode !== 102) return;
      assert.equal(started.next, '/v2/connect/commit');
      const reply = await relink.reauth.answer(started.next, started.session.id, { otp: OTP });
      assert.equal(reply.responseCode, 99);
      if (reply.responseCode !== 99) return;
      assert.equal((await relink.accounts.exchange(reply.data.code)).id, id);
      assert.equal((await relink.accounts.get(id)).meta.reauth_required, false);
    });

    test('v2 reauth after a password change: 102 at /v2/connect/reauth/login, the new password, the OTP, 99', async () => {
      const id = await linkV2(relink, 'user_otp', 'Password Customer');
      await settle(server);
      const reset = await relink.sandbox.resetLogin(id, { reason: 'password_changed' });
      assert.ok(reset.new_password);
      const started = await relink.reauth.start(id);
      assert.ok(started.responseCode === 102 && started.next === '/v2/connect/reauth/login', JSON.stringify(started));
      let reply = await relink.reauth.login(started.session.id, { username: 'user_otp', password: reset.new_password });
      if (reply.responseCode === 102) reply = await relink.reauth.commit(started.session.id, { otp: OTP });
      assert.equal(reply.responseCode, 99);
      assert.equal((await relink.accounts.exchange(reply.responseCode === 99 ? reply.data.code : '')).id, id);
      // The sandbox's way back: user_otp's password is pass_good again.
      const before = await relink.sandbox.reset();
      assert.ok(before.users >= 1, JSON.stringify(before));
      assert.deepEqual(await relink.sandbox.reset(), { users: 0 });
    });

    test('a reauth the bank needs nothing for answers 99 at once; a second live one is REAUTH_IN_PROGRESS', async () => {
      const easy = await linkV2(relink, 'user_good', 'Easy Customer');
      await settle(server);
      const started = await relink.reauth.start(easy);
      assert.equal(started.responseCode, 99);
      if (started.responseCode === 99) assert.equal((await relink.accounts.exchange(started.code)).id, easy);

      const busy = await linkV2(relink, 'user_otp_multi', 'Busy Customer');
      await settle(server);
      await relink.sandbox.resetLogin(busy);
      assert.equal((await relink.reauth.start(busy)).responseCode, 102);
      const second = await relink.reauth.start(busy).catch((e: unknown) => e);
      assert.ok(second instanceof RelinkError && second.status === 409 && second.code === 'REAUTH_IN_PROGRESS', String(second));
      // The 409 names the live session; cancelling it frees the account at once.
      const live = (second as RelinkError).body as { session?: { id: string } };
      assert.match(live.session?.id ?? '', /^session_/);
      assert.deepEqual(await relink.reauth.cancel(live.session!.id), { session: { id: live.session!.id, status: 'cancelled' } });
      assert.equal((await relink.reauth.start(busy)).responseCode, 102);
    });

    test('webhooks: set the endpoint, fire, list events and deliveries, replay, rotate the secret', async () => {
      const id = await linkV2(relink, 'user_good', 'Hook Customer');
      const set = await relink.webhooks.setEndpoint(receiver.url);
      assert.match(set.webhook_secret, /^whsec_/);
      assert.equal((await relink.webhooks.endpoint()).url, receiver.url);
      const fired = await relink.sandbox.fire({ event: 'mono.events.account_updated', account: id });
      assert.ok(fired.delivery_id);
      await waitFor(() => receiver.received.some((r) => r.headers['webhook-id'] === fired.event_id), 10_000, 'the fired event at the receiver');
      const events = await relink.webhooks.events({ limit: 100 });
      assert.ok(events.data.some((e) => e.id === fired.event_id));
      const deliveries = await relink.webhooks.deliveries({ event_id: fired.event_id });
      assert.equal(deliveries.data.length, 1);
      await waitFor(async () => (await relink.webhooks.delivery(fired.delivery_id!)).status === 'succeeded', 10_000, 'the delivery to succeed');
      assert.equal((await relink.webhooks.replayDelivery(fired.delivery_id!)).event_id, fired.event_id);
      assert.equal((await relink.webhooks.replayEvent(fired.event_id)).event_id, fired.event_id);
      const rotated = await relink.webhooks.rotateSecret();
      assert.notEqual(rotated.webhook_secret, set.webhook_secret);
      assert.ok(rotated.previous_secret_expires_at);
    });

    test('hosted links and widget origins; unlink ends the account', async () => {
      assert.deepEqual(await relink.links.setOrigins(['https://shop.example']), ['https://shop.example']);
      assert.deepEqual(await relink.links.origins(), ['https://shop.example']);
      const link = await relink.links.initiate({
        scope: 'auth',
        customer: { name: 'Link Customer', email: 'link@example.com' },
        redirect_url: 'https://shop.example/done',
      });
      assert.match(link.mono_url, /\/connect\/link\//);
      const id = await linkV2(relink, 'user_good', 'Leaving Customer');
      await relink.accounts.unlink(id);
      const gone = await relink.accounts.get(id).catch((e: unknown) => e);
      assert.ok(gone instanceof RelinkError && gone.status === 404, String(gone));
      assert.ok((await relink.connect.sandbox()).credentials.some((c) => c.values.username === 'user_otp'));
    });
  });
}
