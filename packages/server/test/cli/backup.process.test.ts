// Operations: `relink backup` copies a SQLite database while servers write to it, and `relink
// restore` puts a copy back; the restored database serves everything the original did. On
// PostgreSQL both commands point to pg_dump/pg_restore (docs/operations.md).
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { startTestServer, call, createTestDatabase, databases, TEST_MASTER_KEY, type TestDatabase, link, settle, waitFor, useServer } from '@relink/testkit';
import { v2Session } from '../support/linking.ts';
import { databaseVars, relink } from '../support/process.ts';

/** The files in `dir` whose names start with `prefix`, sorted. */
const filesOf = (dir: string, prefix: string) =>
  readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .sort();

/** Every table's rows, as text, in a stable order. */
function snapshot(file: string): Record<string, string[]> {
  const db = new SQLite(file, { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => [name, (db.prepare(`select * from "${name}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort()]),
    );
  } finally {
    db.close();
  }
}

for (const kind of databases()) {
  describe(`[${kind}] relink backup and restore`, () => {
    const server = useServer(kind);
    let key: string;
    let account: string;
    const vars = (db: TestDatabase) => ({ ...databaseVars(db), RELINK_MASTER_KEY: TEST_MASTER_KEY });
    before(async () => {
      key = (await server.createApp()).secretKey;
      account = await link(server, key, 'user_good');
      await settle(server);
    });

    if (kind === 'postgres') {
      test('on PostgreSQL the commands answer with the pg_dump route', async () => {
        for (const command of ['backup', 'restore']) {
          const run = await relink([command, join(server.db.dataDir, 'x.db'), '--data', server.db.dataDir], vars(server.db));
          assert.equal(run.code, 2, run.stderr);
          assert.match(run.stderr, /pg_dump --format=custom/);
          assert.match(run.stderr, /pg_restore/);
        }
      });
      return;
    }

    test('a backup taken while the server writes restores to a database that serves the same data', async () => {
      const file = join(server.db.dataDir, 'backup-1.db');
      let writing = true;
      let written = 0;
      const writer = (async () => {
        while (writing) {
          await v2Session(server, key);
          written++;
        }
      })();
      await waitFor(() => written >= 5, 10_000, 'five sessions before the backup');
      const writtenBefore = written;
      const run = await relink(['backup', file, '--data', server.db.dataDir, '--json'], vars(server.db));
      const writtenDuring = written - writtenBefore;
      writing = false;
      await writer;
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).file, file);
      assert.ok(writtenDuring > 0, 'the server went on writing while the backup ran');
      assert.deepEqual(filesOf(server.db.dataDir, 'backup-1'), ['backup-1.db'], 'the backup alone: no .partial, -wal or -shm beside it');

      const copy = snapshot(file);
      assert.ok(copy.sessions!.length >= 1 + writtenBefore, `the link session and the ${writtenBefore} written before the backup`);
      assert.ok(copy.sessions!.length <= 1 + written);

      // Restore into a fresh data directory and serve it.
      const fresh = await createTestDatabase('sqlite');
      try {
        const restored = await relink(['restore', file, '--data', fresh.dataDir], vars(fresh));
        assert.equal(restored.code, 0, restored.stderr);
        assert.deepEqual(snapshot(join(fresh.dataDir, 'relink.db')), copy, 'the restored file is the backup, row for row');
        assert.deepEqual(filesOf(fresh.dataDir, 'relink.db'), ['relink.db'], 'no .restoring, -wal or -shm left by the restore');
        assert.deepEqual(filesOf(server.db.dataDir, 'backup-1'), ['backup-1.db'], 'reading the backup left nothing beside it');
        const again = await startTestServer('sqlite', { db: fresh });
        try {
          assert.equal((await call(again.url, 'GET', `/v2/accounts/${account}`, { key })).body.data.account.id, account);
          const identity = await call(again.url, 'GET', `/accounts/${account}/identity`, { key });
          assert.match(identity.body.bvn, /^\d{11}$/, 'vault records open with the same master key');
          const live = await call(server.url, 'GET', `/accounts/${account}/transactions?paginate=false`, { key });
          const back = await call(again.url, 'GET', `/accounts/${account}/transactions?paginate=false`, { key });
          assert.deepEqual(back.body.data, live.body.data);
        } finally {
          await again.close();
        }
      } finally {
        await fresh.drop();
      }
    });

    test('a quiet backup is the live database exactly; restore keeps the file it replaces', async () => {
      const file = join(server.db.dataDir, 'backup-2.db');
      assert.equal((await relink(['backup', file, '--data', server.db.dataDir], vars(server.db))).code, 0);
      const live = server.db.url.slice('sqlite:'.length);
      assert.deepEqual(snapshot(file), snapshot(live));
      assert.notEqual((await relink(['backup', file, '--data', server.db.dataDir], vars(server.db))).code, 0, 'an existing file is not overwritten');

      const target = await createTestDatabase('sqlite');
      try {
        const first = await startTestServer('sqlite', { db: target });
        await first.createApp('Replaced');
        await first.close();
        const run = await relink(['restore', file, '--data', target.dataDir], vars(target));
        assert.equal(run.code, 0, run.stderr);
        assert.ok(existsSync(join(target.dataDir, 'relink.db.before-restore')));
        assert.deepEqual(snapshot(join(target.dataDir, 'relink.db')), snapshot(live));
        assert.deepEqual(filesOf(target.dataDir, 'relink.db'), ['relink.db', 'relink.db.before-restore']);
        // A backup of a database no server has open leaves nothing beside either file.
        const quiet = join(target.dataDir, 'quiet.db');
        assert.equal((await relink(['backup', quiet, '--data', target.dataDir], vars(target))).code, 0);
        assert.deepEqual(filesOf(target.dataDir, ''), ['quiet.db', 'relink.db', 'relink.db.before-restore'].concat(filesOf(target.dataDir, 'master')).sort());
        assert.deepEqual(snapshot(quiet), snapshot(live));
      } finally {
        await target.drop();
      }
    });

    test('restore refuses a file that is not a Relink database', async () => {
      const junk = join(server.db.dataDir, 'junk.db');
      new SQLite(junk).close();
      const run = await relink(['restore', junk, '--data', server.db.dataDir], vars(server.db));
      assert.equal(run.code, 1);
      assert.match(run.stderr, /not a Relink database/);
    });
  });
}
