// What an operator may do to one linked account from the console, checked on the Partners API:
// open it by id (whichever app's), sync it now, make the sandbox bank ask again (test apps), and
// unlink it after a confirmation; each in the audit log.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases, link, settle, useServer } from '@relink/testkit';
import { signedIn, visible } from '../support/console.ts';

for (const kind of databases()) {
  describe(`[${kind}] operator console: an account's actions`, () => {
    const server = useServer(kind, { logLevel: 'warn' });

    test('find, sync now, reset-login, unlink: each takes effect on the API and is audited', async () => {
      const app = await server.createApp('Lender');
      const id = await link(server, app.secretKey, 'user_good');
      await settle(server);
      const account = async () => call(server.url, 'GET', `/v2/accounts/${id}`, { key: app.secretKey });
      const operator = await signedIn(server, 'accounts@example.com');

      const missing = await operator.get('/dashboard/accounts/ffffffffffffffffffffffff');
      assert.equal(missing.status, 404);
      assert.match(visible(missing.text), /No account has the id ffffffffffffffffffffffff/);
      const found = await operator.get(`/dashboard/accounts/${id}`);
      assert.equal(found.status, 200);
      const text = visible(found.text);
      assert.match(text, /Account id \S+ App Lender Test/);
      assert.match(text, /State OK/);

      const before = (await account()).body.data.meta.last_synced_at;
      server.clock.advance(60_000);
      const sync = await operator.post(`/dashboard/accounts/${id}/sync`, {});
      assert.equal(sync.status, 303);
      assert.equal(sync.location, `/dashboard/accounts/${id}?done=sync`);
      await settle(server);
      assert.notEqual((await account()).body.data.meta.last_synced_at, before, 'the sync ran');

      const reset = await operator.post(`/dashboard/accounts/${id}/reset-login`, { reason: 'password_changed' });
      assert.equal(reset.status, 200, reset.text);
      assert.match(visible(reset.text), /The user’s new password at the sandbox bank pass_changed\d+/);
      assert.equal((await account()).body.data.meta.reauth_required, true);
      const refused = await operator.post(`/dashboard/accounts/${id}/sync`, {});
      assert.equal(refused.status, 400);
      assert.match(visible(refused.text), /needs re-authorisation before it can sync/);
      assert.equal((await operator.post(`/dashboard/accounts/${id}/reset-login`, { reason: 'forgot' })).status, 400);

      const confirm = await operator.get(`/dashboard/accounts/${id}/unlink`);
      assert.equal(confirm.status, 200);
      assert.equal((await account()).status, 200, 'the confirmation changes nothing');
      const unlinked = await operator.post(`/dashboard/accounts/${id}/unlink`, {});
      assert.equal(unlinked.status, 303);
      assert.equal(unlinked.location, '/dashboard/accounts?done=unlinked');
      assert.equal((await account()).status, 404);
      assert.equal((await operator.post(`/dashboard/accounts/${id}/sync`, {})).status, 404);

      const audit = visible((await operator.get('/dashboard/audit')).text);
      for (const action of ['account.sync_requested', 'account.sandbox_reset_login', 'account.unlinked'])
        assert.ok(audit.includes(`accounts@example.com ${action} ${id}`), action);
    });
  });
}
