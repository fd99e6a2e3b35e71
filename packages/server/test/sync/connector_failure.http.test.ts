// A bank connector that throws instead of answering with an outcome (a defect in the
// connector) is treated like a bank that cannot be reached: a sync records the failure where
// the partner and the operator see it, a link step answers BANK_CONNECTION_ERROR, never a 500,
// and what the connector threw (here, a message holding the login) reaches no answer and no event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, linkedAccount, type ReauthServer, SANDBOX, settle, startReauthServer } from '@relink/testkit';
import { eventsOf } from '../support/linking.ts';

const LEAK = 'pass_good was rejected by the core banking host';

for (const kind of databases()) {
  describe(`[${kind}] a connector that throws`, () => {
    let server: ReauthServer;
    let key: string;
    before(async () => {
      server = await startReauthServer(kind);
      ({ secretKey: key } = await server.createApp('Throwing bank'));
    });
    after(() => server.stop());

    /** Runs `work` with the bank's `method` throwing. */
    async function throwing<T>(method: 'fetchData' | 'login', work: () => Promise<T>): Promise<T> {
      const bank = server.bank.delegate;
      server.bank.delegate = Object.assign(Object.create(bank), {
        [method]: async () => {
          throw new Error(LEAK);
        },
      });
      try {
        return await work();
      } finally {
        server.bank.delegate = bank;
      }
    }

    test('a sync: the account shows the failure and sync_failed is sent; the data of the last good sync stays', async () => {
      const id = await linkedAccount(server, key, 'user_good');
      const before = await call(server.url, 'GET', `/v2/accounts/${id}`, { key });
      assert.equal(before.body.data.meta.last_sync_error, null);
      await throwing('fetchData', async () => {
        assert.equal((await call(server.url, 'POST', `/v2/accounts/${id}/sync`, { key })).status, 200);
        await settle(server);
      });
      const after = await call(server.url, 'GET', `/v2/accounts/${id}`, { key });
      assert.equal(after.body.data.meta.last_sync_error, "The bank's connector failed");
      assert.equal(after.body.data.meta.data_status, 'AVAILABLE', 'the last good data stays');
      const failed = await eventsOf(server, id, 'mono.events.sync_failed');
      assert.equal(failed.length, 1);
      assert.ok(!JSON.stringify([after.body, failed.map((e) => e.body)]).includes('pass_good'));
    });

    test('a link: the login step answers BANK_CONNECTION_ERROR, not a 500', async () => {
      const session = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        body: { institution: SANDBOX, auth_method: 'internet_banking', scope: 'financial_data', customer: { name: 'Ada Obi', email: 'ada@example.com' } },
      });
      const id = session.body.data.session.id;
      const login = await throwing('login', () =>
        call(server.url, 'POST', '/v2/connect/login', { key, headers: { 'x-session-id': id }, body: { username: 'user_good', password: 'pass_good' } }),
      );
      assert.equal(login.status, 400, login.text);
      assert.equal(login.body.code, 'BANK_CONNECTION_ERROR');
      assert.match(login.body.message, /The bank's connector failed/);
      assert.ok(!login.text.includes('core banking host'), login.text);
    });
  });
}
