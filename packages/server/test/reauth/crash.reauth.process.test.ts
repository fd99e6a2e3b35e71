// Fault: `kill -9` while a re-authorisation's start is at the bank. The client never learns
// the session id, so nobody can finish or cancel it; the account must not stay held for the
// session's ten minutes. The start holds it on a lease of at most a minute (the connector
// timeout plus 5 s, here 8 s) until its background login answers: after that, a new start opens.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases, type HttpResult, retryUntil, testConfig, waitFor, link } from '@relink/testkit';
import { openDatabase } from '../../src/db/database.ts';
import { servedDatabase } from '../support/process.ts';

for (const kind of databases()) {
  describe(`[${kind}] kill -9 during a re-authorisation's start`, () => {
    const fixture = servedDatabase(kind, { RELINK_CONNECTOR_TIMEOUT_MS: '3000' });

    test('the orphaned hold lapses within the lease; the next start opens and completes', async () => {
      const first = fixture.serve();
      const { url, key } = await first.sandbox();
      const account = await link({ url }, key, 'user_slow');
      const start = (base: string) => call(base, 'POST', '/v2/connect/reauth/session', { key, body: { account } });

      const database = openDatabase(testConfig(fixture.db).database);
      try {
        const held = async () =>
          (await database.db.selectFrom('accounts').select('reauth_session_id').where('id', '=', account).executeTakeFirstOrThrow()).reauth_session_id;
        const inFlight = start(url).catch((error: Error) => error);
        // user_slow takes 2 s at the bank: kill once the start holds the account.
        await waitFor(async () => (await held()) !== null, 10_000, 'the start to hold the account');
        first.kill();
        const killedAt = Date.now();
        assert.ok((await inFlight) instanceof Error, 'the client saw the connection die');

        const second = fixture.serve();
        const again = await second.listening();
        const inProgress = (res: HttpResult) => res.status === 409 && res.body.code === 'REAUTH_IN_PROGRESS';
        const next = await retryUntil(
          () => start(again),
          (res) => !inProgress(res),
          { timeoutMs: 30_000 - (Date.now() - killedAt), intervalMs: 500, what: 'the orphaned hold to lapse' },
        );
        const waited = Date.now() - killedAt;
        assert.equal(next.status, 200, next.text);
        assert.ok(waited < 15_000, `the account was free again after ${waited} ms (lease 8 s)`);
        assert.equal(next.body.data.responseCode, 99, next.text);
        const exchanged = await call(again, 'POST', '/account/auth', { key, body: { code: next.body.data.code } });
        assert.equal(exchanged.body.id, account);
        assert.equal(await held(), null, 'the completed re-authorisation released the account');
        assert.deepEqual(await second.stop(), { code: 0, signal: null });
      } finally {
        await database.close();
      }
    });
  });
}
