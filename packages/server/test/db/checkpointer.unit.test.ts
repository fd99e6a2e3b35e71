// The SQLite checkpointer (db/dialects/sqlite_checkpointer.ts) on a real database file, with its
// real worker thread: once the WAL is over its limit, a background writer's `caughtUp()` makes it
// wait for a checkpoint that has copied the whole WAL back, after which the next write starts
// the WAL over; without that brake a long sweep grew a 384 MB database's WAL to 2.7 GB.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { retryUntil, waitFor } from '@relink/testkit/wait';
import { startCheckpointer } from '../../src/db/dialects/sqlite_checkpointer.ts';

const dir = mkdtempSync(join(tmpdir(), 'relink-checkpointer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('over the WAL limit a background writer waits for the checkpoint; the next write starts the WAL over', async () => {
  const file = join(dir, 'wal.db');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table t (x text)');
  const checkpointer = startCheckpointer(file, 20, 50);
  try {
    // A PASSIVE checkpoint reports the WAL's frames, or busy (log -1) while the worker's own
    // checkpoint runs at that instant: asked again until it reports.
    const frames = async () =>
      (
        await retryUntil(
          () => (db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number }[])[0]!,
          (r) => r.busy === 0 && r.log >= 0,
          { intervalMs: 5, timeoutMs: 30_000, what: 'a checkpoint that is not busy' },
        )
      ).log;
    await sleep(100);
    assert.equal(checkpointer.caughtUp(), undefined, 'within the limit: nothing to wait for');

    // A reader whose snapshot predates the writes pins them: no checkpoint can copy them back (and
    // start the WAL over) until it ends, so the WAL is over the limit for as long as the test needs.
    const reader = new SQLite(file);
    reader.exec('begin');
    reader.prepare('select count(*) from t').get();
    const insert = db.prepare('insert into t values (?)');
    db.transaction(() => {
      for (let i = 0; i < 200; i++) insert.run('x'.repeat(4_000));
    })();
    assert.ok((await frames()) > 50, 'the WAL is over the limit');
    // The worker reports after each checkpoint (every 20 ms here, later on a loaded machine).
    const asked = await retryUntil(
      () => ({ waiting: checkpointer.caughtUp() }),
      ({ waiting }) => waiting !== undefined,
      { intervalMs: 10, what: 'over the limit: the writer to be asked to wait' },
    );
    reader.exec('commit');
    reader.close();
    await asked.waiting;

    // Released because a checkpoint copied everything back (not by the 2 s cap): so the next
    // write starts the WAL over.
    insert.run('after');
    const after = await frames();
    assert.ok(after <= 2, `the WAL started over (${after} frames)`);
    assert.equal((db.prepare('select count(*) as n from t').get() as { n: number }).n, 201, 'nothing lost');
    await waitFor(() => checkpointer.caughtUp() === undefined, 5_000, 'within the limit again: nothing to wait for');
  } finally {
    await checkpointer.stop();
    db.close();
  }
});
