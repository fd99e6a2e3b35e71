// Attack: using a secret key after it was rotated away or its app deleted, against an instance
// other than the one (or the process) that rotated it. Instances may remember resolved keys;
// whichever instance or process changes an app, every instance must refuse the old key on its
// very next request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createTestDatabase, databases, startTestServer, TEST_MASTER_KEY, type TestDatabase, type TestServer } from '@relink/testkit';
import { relinkInProcess } from '../support/cli.ts';
import { relink as relinkProcess } from '../support/process.ts';

for (const kind of databases()) {
  describe(`[${kind}] a changed key, on every instance at once`, () => {
    let db: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      db = await createTestDatabase(kind);
      a = await startTestServer(kind, { db, logLevel: 'warn' });
      b = await startTestServer(kind, { db, logLevel: 'warn' });
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await db?.drop();
    });

    const statuses = async (key: string) => Promise.all([a, b].map(async (server) => (await call(server.url, 'GET', '/v3/institutions', { key })).status));
    /** Each instance answers the key several times, so whatever it remembers, it remembers now. */
    const warm = async (key: string) => {
      for (let i = 0; i < 3; i++) assert.deepEqual(await statuses(key), [200, 200]);
    };
    const vars = () => ({ DATABASE_URL: db.url, RELINK_MASTER_KEY: TEST_MASTER_KEY });

    test('rotated through instance A: the old key is 401 on A and on B, the new one 200 on both', async () => {
      const app = await a.createApp('Rotated on A');
      await warm(app.secretKey);
      const rotated = (await a.services.apps.rotateKey(app.id))!;
      assert.deepEqual(await statuses(app.secretKey), [401, 401]);
      assert.deepEqual(await statuses(rotated.secretKey), [200, 200]);
    });

    test('rotated by the CLI in another process: 401 on both instances at once', async () => {
      const app = await b.createApp('Rotated by the CLI');
      await warm(app.secretKey);
      const run = await relinkProcess(['keys', 'rotate', '--app', app.id, '--json', '--data', db.dataDir], vars());
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await statuses(app.secretKey), [401, 401]);
      assert.deepEqual(await statuses(JSON.parse(run.stdout).secretKey), [200, 200]);
    });

    test('app deleted by the CLI (another connection): its key is 401 on both instances at once', async () => {
      const app = await a.createApp('Deleted');
      await warm(app.secretKey);
      const run = await relinkInProcess(['apps', 'delete', '--app', app.id, '--data', db.dataDir], vars());
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await statuses(app.secretKey), [401, 401]);
    });

    test("one app's rotation leaves another app's key working everywhere", async () => {
      const kept = await a.createApp('Kept');
      const other = await a.createApp('Other');
      await warm(kept.secretKey);
      await b.services.apps.rotateKey(other.id);
      assert.deepEqual(await statuses(kept.secretKey), [200, 200]);
    });
  });
}
