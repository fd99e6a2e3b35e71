// Fault: `kill -9` while a data sync is at the bank. After a restart the account is as the
// last committed write left it, another instance takes the sync over once the dead one's claim
// runs out, and the events are those of one sync: nothing from the killed one, nothing twice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases, testConfig, waitFor } from '@relink/testkit';
import { openDatabase } from '../../src/db/database.ts';
import { servedDatabase } from '../support/process.ts';

for (const kind of databases()) {
  describe(`[${kind}] kill -9 during a data sync`, () => {
    // A dead worker's hold on an account runs out after 2 s, so the test need not wait 5 minutes.
    const fixture = servedDatabase(kind, { RELINK_SYNC_CLAIM_SECONDS: '2' });

    test('the killed sync leaves no trace; the restarted server syncs once and sends each event once', async () => {
      const first = fixture.serve();
      const { url, key } = await first.sandbox();
      const linkOn = async (base: string, username: string) => {
        const created = await call(base, 'POST', '/v2/connect/session', {
          key,
          body: { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' },
        });
        const session: string = created.body.data.session.id;
        const login = await call(base, 'POST', '/v2/connect/login', { key, body: { username, password: 'pass_good' }, headers: { 'x-session-id': session } });
        assert.equal(login.body.responseCode, 99, login.text);
        return (await call(base, 'POST', '/account/auth', { key, body: { code: login.body.data.code } })).body.id as string;
      };
      const id = await linkOn(url, 'user_slow');

      const database = openDatabase(testConfig(fixture.db).database);
      try {
        const eventsOf = (account: string, type: string) =>
          database.db.selectFrom('events').select('id').where('account_id', '=', account).where('type', '=', type).execute();
        const events = (type: string) => eventsOf(id, type);
        const row = () => database.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        await waitFor(async () => (await events('mono.events.account_updated')).length === 1, 15_000, 'the first sync');

        // reset-login runs the account's sync in the request; user_slow takes 2 s at the bank.
        const inFlight = call(url, 'POST', `/v2/sandbox/accounts/${id}/reset-login`, { key, body: { reason: 'mfa_required' } }).catch((error: Error) => error);
        // Not just any claim: reset-login first holds the account for itself (60 s) and then
        // ends the bank session; a kill in between would leave no sync to take over. The sync's
        // own claim comes after that commit, which drops the bank session.
        const syncing = async () => {
          const current = await row();
          return current.bank_state_secret_id === null && current.sync_claimed_until !== null;
        };
        await waitFor(syncing, 10_000, 'the sync to claim the account');
        first.kill();
        assert.ok((await inFlight) instanceof Error, 'the client saw the connection die');
        const killed = await row();
        assert.equal(killed.reauth_required, 0, 'the dead sync wrote nothing');
        assert.equal((await events('mono.events.reauthorisation_required')).length, 0);
        assert.equal((await events('mono.events.account_updated')).length, 1);

        const second = fixture.serve();
        const again = await second.listening();
        // Once the dead claim runs out the restarted server's worker takes the sync over and
        // meets the forced MFA: the account needs re-authorisation, said once.
        await waitFor(async () => (await row()).reauth_required === 1, 30_000, 'the restarted server to finish the sync');
        // A further pass changes nothing. An account linked now is synced by a pass that began
        // after this sync was written, whose claim takes every account then due (oldest first);
        // the clean stop below lets whatever that pass claimed finish before the events are counted.
        const later = await linkOn(again, 'user_good');
        await waitFor(async () => (await eventsOf(later, 'mono.events.account_updated')).length === 1, 15_000, 'a later pass to sync another account');
        const account = await call(again, 'GET', `/v2/accounts/${id}`, { key });
        assert.equal(account.body.data.meta.reauth_required, true);
        assert.equal(account.body.data.meta.data_status, 'AVAILABLE', 'the data of the last good sync stays');
        assert.deepEqual(await second.stop(), { code: 0, signal: null });
        assert.equal((await events('mono.events.reauthorisation_required')).length, 1);
        assert.equal((await events('mono.events.account_updated')).length, 2, 'the link’s sync and this one');
      } finally {
        await database.close();
      }
    });
  });
}
