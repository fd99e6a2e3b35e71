// The rules around re-authorisation: one live session per account, no bank login while an
// account waits, one event per episode, the sandbox for test keys only, abandoned sessions
// forgetting the user's password, and impossible bank answers refused before any write.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  call,
  databases,
  startTestServer,
  type TestServer,
  CountingBank,
  OTP,
  PASSWORD,
  SANDBOX,
  exchange,
  settle,
  type ReauthServer,
  linkedAccount,
  reauthSession,
  resetLogin,
  startReauthServer,
  stepOn,
} from '@relink/testkit';
import { SandboxBank } from '../../src/connectors/sandbox/index.ts';
import type { ConnectorContext, LoginInput } from '../../src/connectors/types.ts';
import { assertV2StepFailure, eventsOf, step, v2Session } from '../support/linking.ts';
import { account } from '../support/reauth.ts';

const DAY = 86_400_000;

for (const kind of databases()) {
  describe(`[${kind}] re-authorisation rules`, () => {
    let server: ReauthServer;
    let key: string;
    before(async () => {
      server = await startReauthServer(kind, { env: { RELINK_SYNC_INTERVAL: '6h' } });
      key = (await server.createApp('reauth rules')).secretKey;
    });
    after(() => server.stop());

    test('two reauth sessions at once: one opens, the other is 409 REAUTH_IN_PROGRESS; a finished one frees the account', async () => {
      const id = await linkedAccount(server, key, 'user_otp');
      await resetLogin(server, key, id);
      const replies = await Promise.all([
        reauthSession(server, key, id),
        reauthSession(server, key, id),
        call(server.url, 'POST', '/v1/connect/session', {
          key,
          body: { reauth_token: (await call(server.url, 'POST', `/accounts/${id}/reauthorise`, { key })).body.token },
        }),
      ]);
      const opened = replies.filter((r) => r.status === 200);
      assert.equal(opened.length, 1, replies.map((r) => r.text).join('\n'));
      for (const r of replies.filter((r) => r.status !== 200)) {
        assert.equal(r.status, 409, r.text);
        assert.equal(r.body.code, 'REAUTH_IN_PROGRESS');
      }
      const live = opened[0]!.body.data?.session?.id ?? opened[0]!.body.id;
      assert.equal((await reauthSession(server, key, id)).status, 409, 'still live');
      const done = await stepOn(server, key, opened[0]!.body.data ? '/v2/connect/commit' : '/v1/connect/commit', live, { otp: OTP });
      assert.equal(done.body.responseCode, 99, done.text);
      const again = await reauthSession(server, key, id);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.data.responseCode, 102, 'user_otp is asked its OTP on every new login');
    });

    test('an expired reauth session no longer holds the account', async () => {
      const id = await linkedAccount(server, key, 'user_question');
      await resetLogin(server, key, id);
      const first = await reauthSession(server, key, id);
      assert.equal(first.body.data.responseCode, 102);
      assert.equal((await reauthSession(server, key, id)).status, 409);
      server.clock.advance(600_000);
      assertV2StepFailure(await stepOn(server, key, '/v2/connect/commit', first.body.data.session.id, { answer: 'blue' }), 400, 'SESSION_EXPIRED');
      assert.equal((await reauthSession(server, key, id)).status, 200);
    });

    test('RELINK_SYNC_INTERVAL schedules the next sync; an MFA user then needs reauth, a plain one syncs', async () => {
      const otp = await linkedAccount(server, key, 'user_otp');
      const good = await linkedAccount(server, key, 'user_multi');
      server.clock.advance(6 * 3_600_000 - 1);
      await settle(server);
      for (const id of [otp, good]) {
        const updates = await eventsOf(server, id, 'mono.events.account_updated');
        assert.equal(updates.length, 1, JSON.stringify(updates.map((e) => [e.created_at, e.parsed.data.meta])));
      }
      // 16 minutes on: the link's bank session is gone, so the scheduled sync logs in again.
      server.clock.advance(16 * 60_000);
      await settle(server);
      assert.equal((await account(server, key, otp)).body.data.meta.reauth_required, true);
      assert.equal((await account(server, key, good)).body.data.meta.reauth_required, false);
      assert.equal((await eventsOf(server, good, 'mono.events.account_updated')).length, 2);
    });

    test('reauth of a healthy account refreshes it: new credentials in the vault, account_reauthorized, a sync', async () => {
      const id = await linkedAccount(server, key, 'user_good');
      const before = await server.services.database.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      const updatesBefore = (await eventsOf(server, id, 'mono.events.account_updated')).length;
      const res = await reauthSession(server, key, id);
      assert.equal(res.body.data.responseCode, 99, res.text);
      const after = await server.services.database.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      assert.notEqual(after!.credentials_secret_id, before!.credentials_secret_id);
      const vault = server.services.database.db.selectFrom('vault_secrets').select('id');
      assert.equal(await vault.where('id', '=', before!.credentials_secret_id!).executeTakeFirst(), undefined, 'the old record is gone');
      assert.equal(await server.services.vault.open(after!.credentials_secret_id!), JSON.stringify({ username: 'user_good', password: PASSWORD }));
      await settle(server);
      // (Order is proven at a real receiver in events.http.test.ts; here events share the manual clock's time.)
      assert.equal((await eventsOf(server, id, 'mono.events.account_reauthorized')).length, 1);
      assert.equal((await eventsOf(server, id, 'mono.events.account_updated')).length, updatesBefore + 1);
    });

    test('sandbox controls answer to test keys only, for the caller’s own accounts', async () => {
      const id = await linkedAccount(server, key, 'user_good');
      const live = await server.createApp('live partner', { live: true });
      const other = await server.createApp('other partner');
      const forbidden = await call(server.url, 'POST', `/v2/sandbox/accounts/${id}/reset-login`, { key: live.secretKey, body: { reason: 'mfa_required' } });
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.code, 'FORBIDDEN');
      const foreign = await call(server.url, 'POST', `/v2/sandbox/accounts/${id}/reset-login`, { key: other.secretKey });
      assert.equal(foreign.status, 404);
      assert.equal(foreign.body.code, 'ACCOUNT_NOT_FOUND');
      const bad = await call(server.url, 'POST', `/v2/sandbox/accounts/${id}/reset-login`, { key, body: { reason: 'forgot' } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /reason/);
      // And a live key cannot link the sandbox bank at all.
      const session = await call(server.url, 'POST', '/v2/connect/session', {
        key: live.secretKey,
        body: { institution: SANDBOX, auth_method: 'internet_banking', customer: { name: 'A', email: 'a@example.com' } },
      });
      assert.equal(session.status, 403, session.text);
      assert.equal(session.body.code, 'FORBIDDEN');
      const v1 = await call(server.url, 'POST', '/v1/connect/session', {
        key: live.secretKey,
        body: { institution: SANDBOX, auth_method: 'internet_banking' },
      });
      assert.equal(v1.status, 403, v1.text);
      assert.deepEqual(Object.keys(v1.body).sort(), ['code', 'message', 'status']);
    });

    test('an abandoned session loses the user’s sealed password once it expires', async () => {
      const session = await v2Session(server, key);
      const res = await step(server, key, 'v2', 'login', session, { username: 'user_otp', password: PASSWORD });
      assert.equal(res.body.responseCode, 102);
      const row = await server.services.sessions.find((await server.services.apps.authenticate(key))!.id, session);
      assert.ok(row?.credentials_secret_id && row.connector_state_secret_id);
      const secrets = [row.credentials_secret_id, row.connector_state_secret_id];
      const left = () => server.services.database.db.selectFrom('vault_secrets').select('id').where('id', 'in', secrets).execute();
      await server.services.sessions.sweep();
      assert.equal((await left()).length, 2, 'a live session keeps them');
      server.clock.advance(600_000);
      assert.ok((await server.services.sessions.sweep()) >= 1);
      assert.deepEqual(await left(), []);
    });
  });

  describe(`[${kind}] an account waiting for reauth is left alone`, () => {
    // A server of its own, so every bank call it counts is for this one account.
    let server: ReauthServer;
    let key: string;
    before(async () => {
      server = await startReauthServer(kind);
      key = (await server.createApp('quiet')).secretKey;
    });
    after(() => server.stop());

    test('while an account waits for reauth no sync logs in to the bank, and reauthorisation_required is sent once', async () => {
      const id = await linkedAccount(server, key, 'user_otp');
      const reset = await resetLogin(server, key, id);
      assert.equal(reset.sync, 'reauth_required');
      const logins = server.bank.calls.login;
      const fetches = server.bank.calls.fetchData;
      for (let i = 0; i < 4; i++) {
        server.clock.advance(DAY);
        await settle(server);
      }
      const sync = await call(server.url, 'POST', `/v2/accounts/${id}/sync`, { key });
      assert.equal(sync.status, 400, sync.text);
      assert.match(sync.body.message, /needs re-authorisation/);
      await settle(server);
      // A second reset while it already waits changes nothing at the bank's door either.
      const twice = await resetLogin(server, key, id);
      assert.equal(twice.sync, 'not_run');
      assert.equal(server.bank.calls.login, logins);
      assert.equal(server.bank.calls.fetchData, fetches);
      assert.equal(
        (await eventsOf(server, id, 'mono.events.reauthorisation_required')).length,
        1,
        JSON.stringify((await eventsOf(server, id)).map((e) => [e.type, e.created_at])),
      );
      const updated = await eventsOf(server, id, 'mono.events.account_updated');
      const last = updated.at(-1)!.parsed.data.meta;
      assert.equal(last.sync_status, 'REAUTHORISATION_REQUIRED');
      assert.match(last.sync_error, /multi-factor authentication/);
    });
  });

  describe(`[${kind}] a bank answer that cannot be is refused before anything is written`, () => {
    let server: TestServer;
    let key: string;
    const bank = new CountingBank();
    let broken = true;
    before(async () => {
      // `ok` with no account: a connector bug. Once fixed, the same session goes on.
      bank.delegate = Object.assign(Object.create(SandboxBank.prototype), new SandboxBank(), {
        login: async (input: LoginInput, context: ConnectorContext) =>
          broken ? { kind: 'ok' as const, accounts: [], state: {} } : new SandboxBank().login(input, context),
      });
      server = await startTestServer(kind, { connectors: [bank] });
      key = (await server.createApp()).secretKey;
    });
    after(() => server.stop());

    test('ok without an account: 400 BANK_CONNECTION_ERROR, the session is not burned', async () => {
      const session = await v2Session(server, key);
      const res = await step(server, key, 'v2', 'login', session, { username: 'user_good', password: PASSWORD });
      assertV2StepFailure(res, 400, 'BANK_CONNECTION_ERROR', /nothing changed, try the step again/);
      assert.equal(await server.services.database.db.selectFrom('accounts').select('id').executeTakeFirst(), undefined);
      assert.ok(server.logs.some((l) => l.includes('impossible answer')));
      broken = false;
      const done = await step(server, key, 'v2', 'login', session, { username: 'user_good', password: PASSWORD });
      assert.equal(done.body.responseCode, 99, done.text);
      await exchange(server, key, done.body.data.code);
    });
  });
}
