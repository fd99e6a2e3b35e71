// PostgreSQL statements prepared once per connection (db/dialects/postgres.ts): a parameterised
// statement is sent under a name, so the server parses and plans it on a connection's first use
// only; RELINK_PG_PREPARED_STATEMENTS=off sends every statement unnamed; and a table changed
// under a prepared statement by another instance's migration does not break requests.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { call, databases, type HttpResult, startTestServer, type TestServer, linkedAccount, reauthSession } from '@relink/testkit';
import { openDatabase } from '../../src/db/database.ts';
import { account } from '../support/reauth.ts';

/** What the connection a transaction holds has prepared, after running `select … where id = $1` twice on it. */
async function preparedAfterTwoSelects(server: TestServer) {
  return server.services.database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < 2; i++) await trx.selectFrom('apps').select('name').where('id', '=', 'no-such-app').execute();
    const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(trx);
    return rows;
  });
}

/** As a newer build's migration would, from a connection of its own: a column added to `table`. */
async function alterTable(server: TestServer, table: string) {
  const other = openDatabase({ kind: 'postgres', url: server.db.url });
  try {
    await sql`alter table ${sql.table(table)} add column added_by_a_newer_build integer`.execute(other.db);
  } finally {
    await other.close();
  }
}

if (databases().includes('postgres')) {
  describe('[postgres] statements prepared once per connection', () => {
    const servers: TestServer[] = [];
    after(async () => {
      for (const server of servers) await server.stop();
    });
    const start = async (env: Record<string, string> = {}) => {
      const server = await startTestServer('postgres', { env });
      servers.push(server);
      return server;
    };

    test('a parameterised statement is prepared under a name on its first use and reused; text without parameters is not', async () => {
      const server = await start();
      const prepared = await preparedAfterTwoSelects(server);
      const mine = prepared.filter((row) => row.statement.startsWith('select "name" from "apps" where "id" = $1'));
      assert.equal(mine.length, 1, `prepared once, not per use: ${JSON.stringify(prepared)}`);
      assert.match(mine[0]!.name, /^relink_[0-9a-f]{24}_\d+$/);
      assert.ok(!prepared.some((row) => /^\s*(begin|start|set local)/i.test(row.statement)), 'transaction control stays unnamed');
    });

    test('RELINK_PG_PREPARED_STATEMENTS=off: nothing is prepared', async () => {
      const server = await start({ RELINK_PG_PREPARED_STATEMENTS: 'off' });
      assert.deepEqual(await preparedAfterTwoSelects(server), []);
      const app = await server.createApp();
      assert.equal((await call(server.url, 'GET', '/v3/institutions', { key: app.secretKey })).status, 200);
    });

    test('another instance adds a column to a table under a prepared `select *`: requests go on, nothing answers 500', async () => {
      const server = await start();
      const app = await server.createApp();
      // Each request looks its key up with `select * from apps …`, now prepared on the pool's connections.
      const requests = () => Promise.all(Array.from({ length: 20 }, () => call(server.url, 'GET', '/v3/institutions', { key: app.secretKey })));
      assert.deepEqual(new Set((await requests()).map((r) => r.status)), new Set([200]));
      await alterTable(server, 'apps');
      const afterwards = await requests();
      assert.deepEqual(
        afterwards.map((r) => r.status),
        Array(20).fill(200),
        JSON.stringify(afterwards.find((r) => r.status !== 200)?.body),
      );
      assert.ok(!server.logs.some((line) => line.includes('"level":50')), 'nothing was logged as an error');
    });

    test('inside a transaction the refused statement fails its request with a 503 to retry, nothing written; the retry succeeds', async () => {
      const server = await start();
      const app = await server.createApp();
      const id = await linkedAccount(server, app.secretKey);
      // Reading the account prepares `select * from accounts …`, which a reauth session's start
      // runs in its transaction; twenty reads at once, three times, reach every pooled connection.
      for (let round = 0; round < 3; round++) {
        const reads = await Promise.all(Array.from({ length: 20 }, () => account(server, app.secretKey, id)));
        assert.deepEqual(new Set(reads.map((r) => r.status)), new Set([200]));
      }
      await alterTable(server, 'accounts');
      const answers: HttpResult[] = [];
      for (let i = 0; i < 5 && answers.at(-1)?.status !== 200; i++) answers.push(await reauthSession(server, app.secretKey, id));
      const statuses = answers.map((r) => r.status);
      assert.equal(statuses.at(-1), 200, JSON.stringify(answers.at(-1)?.body));
      for (const refused of answers.slice(0, -1)) {
        assert.equal(refused.status, 503, JSON.stringify(refused.body));
        assert.equal(refused.body.code ?? refused.body.error?.code, 'SERVICE_UNAVAILABLE', JSON.stringify(refused.body));
        assert.ok(refused.headers.get('retry-after'));
      }
      // Not a 409 REAUTH_IN_PROGRESS on the retry: the refused start held nothing.
      assert.ok(statuses.length >= 2, `the first start met the stale statement: ${statuses.join(', ')}`);
    });
  });
}
