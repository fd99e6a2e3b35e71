// The built `relink` bin, the way an operator runs it: the one-shot commands come from the
// bundle in dist/bundle/ (scripts/build.mjs), `serve` from dist/cli/serve.js. Each command runs
// as its own process beside a running `relink serve` over the same database, and what it does
// is seen by that server at once. The commands' behaviour in detail is tested in process
// (cli.process.test.ts, webhooks.http.test.ts); this file is about the build the bin runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases, TEST_MASTER_KEY } from '@relink/testkit';
import { relink, servedDatabase } from '../support/process.ts';

for (const kind of databases()) {
  describe(`[${kind}] the built bin`, () => {
    const served = servedDatabase(kind, { LOG_LEVEL: 'warn' });
    const vars = () => ({ DATABASE_URL: served.db.url, RELINK_MASTER_KEY: TEST_MASTER_KEY, RELINK_DATA_DIR: served.db.dataDir });
    const json = async (args: string[]) => {
      const run = await relink([...args, '--json'], vars());
      assert.equal(run.code, 0, `relink ${args.join(' ')}: ${run.stderr}`);
      return JSON.parse(run.stdout);
    };

    test('every kind of one-shot command runs through the bin and acts on the database serve is using', async () => {
      const server = served.serve();
      const url = await server.listening();

      const app = await json(['apps', 'create', '--name', 'Through the bin']);
      assert.equal((await call(url, 'GET', '/v3/institutions', { key: app.secretKey })).status, 200);
      const rotated = await json(['keys', 'rotate', '--app', app.id]);
      assert.equal((await call(url, 'GET', '/v3/institutions', { key: app.secretKey })).status, 401);
      assert.equal((await call(url, 'GET', '/v3/institutions', { key: rotated.secretKey })).status, 200);
      assert.ok((await json(['apps', 'list'])).some((listed: { id: string }) => listed.id === app.id));

      assert.deepEqual(await json(['webhooks', 'deliveries', '--app', app.id]), []);
      assert.deepEqual(await json(['connect', 'origins', '--app', app.id, 'https://shop.example']), { app: app.id, origins: ['https://shop.example'] });
      assert.equal((await json(['vault', 'rotate'])).unknownKeyIds.length, 0);

      const migrated = await relink(['migrate'], vars());
      assert.deepEqual([migrated.code, migrated.stdout], [0, 'Schema is up to date.\n']);
      const unknown = await relink(['sandbox', 'reset-login', '5f171a530295e231abca1153'], vars());
      assert.deepEqual([unknown.code, unknown.stderr], [1, 'relink: no account 5f171a530295e231abca1153\n']);

      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    });
  });
}
