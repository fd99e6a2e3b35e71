// `relink sandbox reset-login` and `relink sandbox reset` as a person runs them: a real process over the server's database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databases, TEST_MASTER_KEY, type ReauthServer, linkedAccount, startReauthServer } from '@relink/testkit';
import { eventsOf } from '../support/linking.ts';
import { relink } from '../support/process.ts';
import { account } from '../support/reauth.ts';

for (const kind of databases()) {
  describe(`[${kind}] relink sandbox reset-login and reset`, () => {
    let server: ReauthServer;
    let key: string;
    before(async () => {
      server = await startReauthServer(kind);
      key = (await server.createApp('cli partner')).secretKey;
    });
    after(() => server.stop());
    const vars = () => ({ DATABASE_URL: server.db.url, RELINK_DATA_DIR: server.db.dataDir, RELINK_MASTER_KEY: TEST_MASTER_KEY });

    test('password_changed: prints the new password, the account needs reauth, the event is recorded once', async () => {
      const id = await linkedAccount(server, key, 'user_good');
      const run = await relink(['sandbox', 'reset-login', id, '--reason', 'password_changed'], vars());
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Reset the bank login of user_good/);
      const password = /password for user_good is now: (pass_\S+)/.exec(run.stdout)?.[1];
      assert.ok(password, run.stdout);
      assert.match(run.stdout, /needs re-authorisation/);
      assert.equal((await account(server, key, id)).body.data.meta.reauth_required, true);
      assert.equal((await eventsOf(server, id, 'mono.events.reauthorisation_required')).length, 1);
      assert.match(run.stdout, /on its way to the webhook/);
      // Again on an account that already waits: the text says no second event is sent, and none is.
      const twice = await relink(['sandbox', 'reset-login', id], vars());
      assert.equal(twice.code, 0, twice.stderr);
      assert.match(twice.stdout, /already waited for re-authorisation: no second mono\.events\.reauthorisation_required is sent/);
      assert.doesNotMatch(twice.stdout, /on its way/);
      assert.equal((await eventsOf(server, id, 'mono.events.reauthorisation_required')).length, 1);
      // The server's own sandbox bank (same database) now wants the new password.
      const again = await relink(['sandbox', 'reset-login', id, '--json'], vars());
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(JSON.parse(again.stdout), {
        account: id,
        reason: 'mfa_required',
        username: 'user_good',
        new_password: null,
        reauth_required: true,
        sync: 'not_run',
      });
      const bad = await relink(['sandbox', 'reset-login', id, '--reason', 'forgot'], vars());
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /--reason must be one of mfa_required, password_changed/);
      const unknown = await relink(['sandbox', 'reset-login', '5f171a530295e231abca1153'], vars());
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no account 5f171a530295e231abca1153/);
    });

    test('relink sandbox reset puts the bank user back: pass_good again, the hints say nothing changed', async () => {
      const id = await linkedAccount(server, key, 'user_multi');
      const run = await relink(['sandbox', 'reset-login', id, '--reason', 'password_changed', '--json'], vars());
      assert.equal(JSON.parse(run.stdout).new_password, 'pass_changed1');
      // user_good's password from the test before is still changed too.
      assert.deepEqual((await server.services.sandbox.changedPasswords()).map((c) => `${c.username} ${c.password} ${c.institution}`).sort(), [
        'user_good pass_changed1 Relink Sandbox Bank',
        'user_multi pass_changed1 Relink Sandbox Bank',
      ]);
      const reset = await relink(['sandbox', 'reset'], vars());
      assert.equal(reset.code, 0, reset.stderr);
      assert.match(reset.stdout, /^Put 2 sandbox bank users back as the bank began: every user logs in with pass_good/);
      assert.deepEqual(await server.services.sandbox.changedPasswords(), []);
      const again = await relink(['sandbox', 'reset', '--json'], vars());
      assert.deepEqual(JSON.parse(again.stdout), { users: 0 });
      assert.match((await relink(['sandbox', 'reset'], vars())).stdout, /already as it began/);
    });
  });
}
