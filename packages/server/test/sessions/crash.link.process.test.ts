// Fault: `kill -9` while a link step is at the bank. After a restart the session is still
// whole: the step that died left no account, no code and no event; the same step, retried,
// links exactly one account with exactly one account_connected event.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases, type HttpResult, retryUntil, testConfig, waitFor } from '@relink/testkit';
import { openDatabase } from '../../src/db/database.ts';
import { servedDatabase } from '../support/process.ts';

for (const kind of databases()) {
  describe(`[${kind}] kill -9 during a link step`, () => {
    // A step's claim on its session lasts the connector timeout plus 5 s: short, so the retry need not wait long.
    const fixture = servedDatabase(kind, { RELINK_CONNECTOR_TIMEOUT_MS: '3000' });

    test('the killed step leaves nothing half-done; the retried step links once', async () => {
      const first = fixture.serve();
      const { url, key } = await first.sandbox();
      const created = await call(url, 'POST', '/v2/connect/session', {
        key,
        body: { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' },
      });
      const session: string = created.body.data.session.id;
      const step = (base: string) =>
        call(base, 'POST', '/v2/connect/login', { key, body: { username: 'user_slow', password: 'pass_good' }, headers: { 'x-session-id': session } });

      const database = openDatabase(testConfig(fixture.db).database);
      try {
        const inFlight = step(url).catch((error: Error) => error);
        // user_slow takes 2 s at the bank: kill once the step has claimed the session.
        await waitFor(
          async () => (await database.db.selectFrom('sessions').select('busy_until').where('id', '=', session).executeTakeFirstOrThrow()).busy_until !== null,
          10_000,
          'the step to start',
        );
        first.kill();
        assert.ok((await inFlight) instanceof Error, 'the client saw the connection die');
        const accounts = async () => (await database.db.selectFrom('accounts').select('id').execute()).length;
        assert.equal(await accounts(), 0);
        assert.equal((await database.db.selectFrom('codes').select('hash').execute()).length, 0);
        assert.equal((await database.db.selectFrom('events').select('id').execute()).length, 0);

        const second = fixture.serve();
        const again = await second.listening();
        // The dead step's claim runs out after the connector timeout plus 5 s; until then it is busy.
        const busy = (res: HttpResult) => res.status === 409 && res.body.code === 'SESSION_BUSY';
        const retried = await retryUntil(
          () => step(again),
          (res) => !busy(res),
          { timeoutMs: 30_000, intervalMs: 500, what: 'the dead step’s claim to run out' },
        );
        assert.equal(retried.status, 200, retried.text);
        assert.equal(retried.body.responseCode, 99);
        const exchanged = await call(again, 'POST', '/account/auth', { key, body: { code: retried.body.data.code } });
        assert.equal(exchanged.status, 200, exchanged.text);
        assert.equal(await accounts(), 1);
        const connected = await database.db.selectFrom('events').select('id').where('type', '=', 'mono.events.account_connected').execute();
        assert.equal(connected.length, 1, 'one link, one account_connected');
        assert.equal((await step(again)).body.code, 'SESSION_COMPLETED');
        assert.deepEqual(await second.stop(), { code: 0, signal: null });
      } finally {
        await database.close();
      }
    });
  });
}
