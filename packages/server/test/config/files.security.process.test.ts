// Attack: another user on the same machine reads Relink's files. The database holds sealed
// credentials beside the hashes of every key, its -wal and -shm hold recent pages of it in the
// clear, a backup is all of it, and in local test mode the master key that opens the vault lies
// in the same directory. So the data directory is 0700 and every file Relink writes is 0600,
// whatever the umask (these tests run `relink` with umask 000, where a default mode is 0666).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, createTestDatabase, databases, type TestDatabase } from '@relink/testkit';
import { relink, Served } from '../support/process.ts';

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

/** Every entry of the data directory with its mode, and the directory's own. */
function modes(dir: string): Record<string, string> {
  return Object.fromEntries([['.', modeOf(dir)], ...readdirSync(dir).map((name) => [name, modeOf(join(dir, name))])]);
}

for (const kind of databases()) {
  describe(`[${kind}] the modes of Relink's files under umask 000`, () => {
    let umask: number;
    let root: string;
    const databasesMade: TestDatabase[] = [];
    before(() => {
      umask = process.umask(0o000);
      root = mkdtempSync(join(tmpdir(), 'relink-files-'));
    });
    after(async () => {
      process.umask(umask);
      for (const db of databasesMade) await db.drop();
      rmSync(root, { recursive: true, force: true });
    });

    /**
     * `relink serve --data dir`. SQLite: DATABASE_URL unset, so the database is DATA_DIR/relink.db.
     * PostgreSQL: a database of the directory's own, and no master key set, so one is generated there.
     */
    const servers = new Map<string, string>();
    const serve = async (dir: string) => {
      if (kind === 'postgres' && !servers.has(dir)) {
        const db = await createTestDatabase(kind);
        databasesMade.push(db);
        servers.set(dir, db.url);
      }
      const database: Record<string, string> = kind === 'postgres' ? { DATABASE_URL: servers.get(dir)! } : {};
      return new Served(['serve', '--data', dir], { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...database });
    };

    test('relink serve on a fresh --data makes the directory 0700 and every file in it 0600', async () => {
      const dir = join(root, 'fresh', 'data');
      const server = await serve(dir);
      try {
        const { url } = await server.sandbox();
        assert.equal((await call(url, 'GET', '/health')).status, 200);
        const expected: Record<string, string> = { '.': '0700', 'master.key': '0600', 'sandbox-app.json': '0600' };
        if (kind === 'sqlite') Object.assign(expected, { 'relink.db': '0600', 'relink.db-wal': '0600', 'relink.db-shm': '0600' });
        assert.deepEqual(modes(dir), expected);
      } finally {
        assert.deepEqual(await server.stop(), { code: 0, signal: null });
      }
    });

    test('a data directory an older version left open is tightened at start', async () => {
      const dir = join(root, 'older');
      const first = await serve(dir);
      await first.sandbox();
      assert.deepEqual(await first.stop(), { code: 0, signal: null });
      chmodSync(dir, 0o755);
      for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o644);

      const again = await serve(dir);
      try {
        await again.listening();
        const found = modes(dir);
        assert.equal(found['.'], '0700');
        for (const [name, mode] of Object.entries(found)) if (name !== '.') assert.equal(mode, '0600', name);
        assert.ok(kind === 'postgres' || found['relink.db-wal'], 'the WAL is there again');
      } finally {
        assert.deepEqual(await again.stop(), { code: 0, signal: null });
      }
    });

    if (kind === 'postgres') return;

    test('relink backup writes a 0600 copy while serving, and relink restore leaves the database 0600', async () => {
      const dir = join(root, 'backed-up');
      const server = await serve(dir);
      let backup: string;
      try {
        await server.sandbox();
        backup = join(root, 'relink-backup.db');
        const run = await relink(['backup', backup, '--data', dir], {});
        assert.equal(run.code, 0, run.stderr);
        assert.equal(modeOf(backup), '0600');
        assert.deepEqual(
          readdirSync(root).filter((name) => name.startsWith('relink-backup')),
          ['relink-backup.db'],
          'no partial copy is left',
        );
      } finally {
        assert.deepEqual(await server.stop(), { code: 0, signal: null });
      }
      const restored = await relink(['restore', backup, '--data', dir], {});
      assert.equal(restored.code, 0, restored.stderr);
      assert.equal(modeOf(join(dir, 'relink.db')), '0600');
      assert.equal(modeOf(join(dir, 'relink.db.before-restore')), '0600');
      assert.ok(!existsSync(join(dir, 'relink.db.restoring')));
    });
  });
}
