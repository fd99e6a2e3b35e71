import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { call, databases, startTestServer, type HttpResult, type TestServer, CountingBank, OTP, PASSWORD, link } from '@relink/testkit';
import { eventsOf, step, v1Session, v2Session } from '../support/linking.ts';

// Two steps of one session at once (a double-clicked button, a retried request) must change
// the session once: one answer, one code, one account, one event.
for (const kind of databases()) {
  describe(`[${kind}] concurrent steps of one session`, () => {
    let server: TestServer;
    let key: string;
    const bank = new CountingBank();
    before(async () => {
      server = await startTestServer(kind, { connectors: [bank] });
      key = (await server.createApp()).secretKey;
    });
    beforeEach(() => {
      bank.delayMs = 0;
    });
    after(() => server.stop());

    const db = () => server.services.database.db;

    /** Exactly one 99; every other reply a 409 that says busy or completed. */
    const onceOnly = (replies: HttpResult[]) => {
      const won = replies.filter((r) => r.status === 200);
      assert.equal(won.length, 1, replies.map((r) => r.text).join('\n'));
      assert.equal(won[0]!.body.responseCode, 99);
      for (const lost of replies.filter((r) => r.status !== 200)) {
        assert.equal(lost.status, 409, lost.text);
        assert.ok(['SESSION_BUSY', 'SESSION_COMPLETED'].includes(lost.body.code), lost.text);
        assert.equal(lost.body.responseCode, 400);
      }
      return won[0]!.body.data.code as string;
    };

    const linkedOnce = async (session: string) => {
      const codes = await db().selectFrom('codes').selectAll().where('session_id', '=', session).execute();
      assert.equal(codes.length, 1, 'one code');
      const accountId = codes[0]!.account_id;
      const connected = await eventsOf(server, accountId, 'mono.events.account_connected');
      assert.equal(connected.length, 1, 'one account_connected');
      return accountId;
    };

    for (const delayMs of [0, 50]) {
      test(`two identical correct OTP commits at once (bank delay ${delayMs} ms): one 99, one 409, one code and account`, async () => {
        for (const api of ['v1', 'v2'] as const) {
          // A fresh app, so the account cannot be one an earlier link already made.
          const key = (await server.createApp(`round ${api} ${delayMs}`)).secretKey;
          const session = api === 'v1' ? await v1Session(server, key) : await v2Session(server, key, { name: 'C', email: `c${delayMs}@example.com` });
          assert.equal((await step(server, key, api, 'login', session, { username: 'user_otp', password: PASSWORD })).body.responseCode, 102);
          bank.delayMs = delayMs;
          const accountsBefore = await db().selectFrom('accounts').select('id').execute();
          const replies = await Promise.all([0, 1].map(() => step(server, key, api, 'commit', session, { otp: OTP })));
          bank.delayMs = 0;
          const code = onceOnly(replies);
          const accountId = await linkedOnce(session);
          const accountsAfter = await db().selectFrom('accounts').select('id').execute();
          assert.equal(accountsAfter.length - accountsBefore.length, 1);
          const exchanged = await call(server.url, 'POST', '/account/auth', { key, body: { code } });
          assert.equal(exchanged.body.id, accountId);
        }
      });
    }

    test('five logins at once on one session: one 99, the rest 409', async () => {
      bank.delayMs = 30;
      const session = await v1Session(server, key);
      const logins = bank.calls.login;
      const replies = await Promise.all([0, 1, 2, 3, 4].map(() => step(server, key, 'v1', 'login', session, { username: 'user_good', password: PASSWORD })));
      onceOnly(replies);
      await linkedOnce(session);
      assert.equal(bank.calls.login, logins + 1, 'the bank saw one login');
    });

    test('two different account choices at once: exactly one account is linked', async () => {
      bank.delayMs = 30;
      const session = await v2Session(server, key, { name: 'M', email: 'multi@example.com' });
      const offered = (await step(server, key, 'v2', 'login', session, { username: 'user_multi', password: PASSWORD })).body.data.accounts;
      const replies = await Promise.all(offered.map((a: any) => step(server, key, 'v2', 'commit', session, { accountNumber: a.accountNumber })));
      onceOnly(replies);
      await linkedOnce(session);
    });

    test('a burst of wrong OTPs reaches the bank at most three times and fails the session', async () => {
      bank.delayMs = 20;
      const session = await v1Session(server, key);
      await step(server, key, 'v1', 'login', session, { username: 'user_otp', password: PASSWORD });
      const answers = bank.calls.answer;
      for (let round = 0; round < 4; round++) {
        const replies = await Promise.all([0, 1, 2, 3].map((i) => step(server, key, 'v1', 'commit', session, { otp: `0000${i}` })));
        for (const r of replies) assert.ok([400, 409].includes(r.status), r.text);
      }
      assert.ok(bank.calls.answer - answers <= 3, `the bank was asked ${bank.calls.answer - answers} times`);
      const final = await step(server, key, 'v1', 'commit', session, { otp: OTP });
      assert.equal(final.status, 400, final.text);
      assert.equal(final.body.code, 'OTP_ATTEMPTS_EXCEEDED');
    });

    test('a data sync still running when the account is unlinked does not bring its data back', async () => {
      const key = (await server.createApp('unlink race')).secretKey;
      bank.delayMs = 300; // the sync the link starts is still at the bank while we unlink
      const id = await link(server, key, 'user_good', { api: 'v1' });
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${id}/unlink`, { key })).status, 200);
      const fetches = bank.calls.fetchData;
      await server.services.sync.wake();
      bank.delayMs = 0;
      assert.ok(fetches > 0);
      assert.ok(!server.logs.some((l) => l.includes('sync failed unexpectedly')), 'the race is expected, not a crash');
      assert.equal((await call(server.url, 'GET', `/accounts/${id}`, { key })).status, 404);
      const row = await db().selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.identity, null);
      assert.equal(row.credentials_secret_id, null);
      assert.equal(row.bank_state_secret_id, null);
      assert.equal((await db().selectFrom('transactions').select('id').where('account_id', '=', id).execute()).length, 0);
      const updated = await eventsOf(server, id, 'mono.events.account_updated');
      assert.equal(updated.length, 0, 'no account_updated after account_unlinked');
    });

    /** Holds the next fetchData at the bank until released, then answers `outcome` instead of the data. */
    const holdNextFetch = (outcome: { kind: 'session_expired' | 'unavailable'; message: string }) => {
      const real = bank.delegate;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let reached!: () => void;
      const atBank = new Promise<void>((resolve) => (reached = resolve));
      bank.delegate = Object.assign(Object.create(real), {
        fetchData: async () => {
          bank.delegate = real;
          reached();
          await released;
          return outcome;
        },
      });
      return { atBank, release };
    };

    test('a sync that fails after the account was unlinked records no sync_failed', async () => {
      const key = (await server.createApp('unlink during failing sync')).secretKey;
      const id = await link(server, key, 'user_good', { api: 'v1' });
      await server.services.sync.wake();
      const held = holdNextFetch({ kind: 'unavailable', message: 'the bank is down' });
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${id}/sync`, { key })).status, 200);
      await held.atBank;
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${id}/unlink`, { key })).status, 200);
      held.release();
      await server.services.sync.wake();
      const failed = await eventsOf(server, id, 'mono.events.sync_failed');
      assert.equal(failed.length, 0, 'no sync_failed after account_unlinked');
    });

    test('a sync that needed re-authorisation under the old login does not flag an account linked again meanwhile', async () => {
      const key = (await server.createApp('relink during sync')).secretKey;
      const linkAgain = () => link(server, key, 'user_good', { api: 'v1' });
      const id = await linkAgain();
      await server.services.sync.wake();
      const held = holdNextFetch({ kind: 'session_expired', message: 'the bank session ended' });
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${id}/sync`, { key })).status, 200);
      await held.atBank;
      assert.equal(await linkAgain(), id, 'the same bank account links again as the same account');
      // The old sync now logs in again with the credentials it read before the relink; the bank refuses.
      const real = bank.delegate;
      let refused = 0;
      bank.delegate = Object.assign(Object.create(real), {
        login: async () => {
          bank.delegate = real;
          refused++;
          return { kind: 'invalid_credentials', message: 'old password' };
        },
      });
      held.release();
      await server.services.sync.wake();
      bank.delegate = real;
      assert.equal(refused, 1, 'the old sync logged in again and was refused');
      assert.ok(!server.logs.some((l) => l.includes('sync failed unexpectedly')), 'the race is expected, not a crash');
      const row = await db().selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.reauth_required, 0);
      const flagged = await eventsOf(server, id, 'mono.events.reauthorisation_required');
      assert.equal(flagged.length, 0);
      const account = await call(server.url, 'GET', `/v2/accounts/${id}`, { key });
      assert.equal(account.status, 200, account.text);
      assert.equal(account.body.data.meta.data_status, 'AVAILABLE');
    });

    test('unlinking an account while its first data sync is being written always succeeds', async () => {
      const key = (await server.createApp('unlink during first sync')).secretKey;
      for (let i = 0; i < 15; i++) {
        const id = await link(server, key, 'user_good', { api: 'v1' });
        // The link has woken the sync worker; unlink and a manual sync race it.
        const [unlinked] = await Promise.all([call(server.url, 'POST', `/v2/accounts/${id}/unlink`, { key }), server.services.sync.runDue()]);
        assert.equal(unlinked.status, 200, unlinked.text);
      }
      await server.services.sync.wake();
      assert.ok(!server.logs.some((l) => l.includes('sync failed unexpectedly')));
    });

    test('one code exchanged twice at once: one account id, one CODE_INVALID', async () => {
      const session = await v1Session(server, key);
      const code = (await step(server, key, 'v1', 'login', session, { username: 'user_good', password: PASSWORD })).body.data.code;
      const replies = await Promise.all([0, 1, 2].map((i) => call(server.url, 'POST', i % 2 ? '/v2/accounts/auth' : '/account/auth', { key, body: { code } })));
      assert.equal(replies.filter((r) => r.status === 200).length, 1, replies.map((r) => r.text).join('\n'));
      for (const r of replies.filter((r) => r.status !== 200)) assert.equal(r.body.code, 'CODE_INVALID');
    });
  });
}
