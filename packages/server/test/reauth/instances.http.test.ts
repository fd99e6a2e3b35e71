// Two Relink instances over one database: each scheduled sync runs once, and either instance
// continues a re-authorisation the other started.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createTestDatabase,
  databases,
  type TestDatabase,
  OTP,
  exchange,
  type ReauthServer,
  linkedAccount,
  reauthSession,
  resetLogin,
  startReauthServer,
  stepOn,
} from '@relink/testkit';
import { eventsOf } from '../support/linking.ts';
import { account } from '../support/reauth.ts';

for (const kind of databases()) {
  describe(`[${kind}] re-authorisation across two instances`, () => {
    let db: TestDatabase;
    let a: ReauthServer;
    let b: ReauthServer;
    let key: string;
    before(async () => {
      db = await createTestDatabase(kind);
      a = await startReauthServer(kind, { db, env: { RELINK_SYNC_INTERVAL: '1h' } });
      b = await startReauthServer(kind, { db, env: { RELINK_SYNC_INTERVAL: '1h' } });
      key = (await a.createApp()).secretKey;
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await db.drop();
    });

    test('each scheduled sync runs once between them', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await linkedAccount(a, key, i % 2 ? 'user_good' : 'user_multi'));
      const logins = () => a.bank.calls.login + b.bank.calls.login;
      const before = logins();
      for (const s of [a, b]) s.clock.advance(3_600_000);
      // On PostgreSQL both sweep at once. Two SQLite connections in one process cannot interleave
      // transactions (the second's busy wait blocks the thread the first needs), so there the
      // instances take turns, which still shows the second finds nothing left to claim.
      if (kind === 'postgres') await Promise.all([a.services.sync.runDue(), b.services.sync.runDue(), a.services.sync.runDue(), b.services.sync.runDue()]);
      else for (const s of [a, b, a, b]) await s.services.sync.runDue();
      for (const id of ids) assert.equal((await eventsOf(a, id, 'mono.events.account_updated')).length, 2, id);
      // The bank sessions from the links have expired by now: each scheduled sync logs in once.
      assert.equal(logins(), before + ids.length, 'one bank login per account');
    });

    test('a reauth started on A is committed on B and its code exchanged on A; the sandbox bank’s state is shared', async () => {
      const id = await linkedAccount(a, key, 'user_otp');
      // The password changes through B; A's bank sees it, because the sandbox bank keeps it in the database.
      const reset = await resetLogin(b, key, id, 'password_changed');
      const started = await reauthSession(a, key, id);
      assert.equal(started.body.data.next, '/v2/connect/reauth/login', started.text);
      assert.equal((await reauthSession(b, key, id)).status, 409, 'B sees A’s live session');
      const session = started.body.data.session.id;
      const login = await stepOn(b, key, '/v2/connect/reauth/login', session, { username: 'user_otp', password: reset.new_password });
      assert.equal(login.body.responseCode, 102, login.text);
      const done = await stepOn(a, key, '/v2/connect/commit', session, { otp: OTP });
      assert.equal(done.body.responseCode, 99, done.text);
      assert.equal(await exchange(b, key, done.body.data.code, '/v2/accounts/auth'), id);
      assert.equal((await account(a, key, id)).body.data.meta.reauth_required, false);
    });
  });
}
