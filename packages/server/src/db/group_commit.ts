import { sql } from 'kysely';
import type { Db } from './database.ts';

type Transaction = <T>(work: (trx: Db) => Promise<T>) => Promise<T>;

interface Write {
  key: string;
  work: (trx: Db) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: writes asked for while others are being written share one transaction, so the
 * commit (on SQLite the WAL frames of every page touched, on PostgreSQL a round trip and a WAL
 * flush) is paid once per batch. A batch starts on the next turn of the event loop after the
 * first write is asked for, or when the one before it ends, and takes everything asked for by
 * then.
 *
 * One write that throws must lose only its own writes. A batch therefore runs first as it is,
 * with no savepoints; if anything in it throws, the transaction is rolled back (nothing of the
 * batch written) and the batch runs again with each write in a SAVEPOINT of its own, which
 * keeps the others' writes and rolls back the one that throws. (Savepoints are not free: on
 * SQLite a sweep's syncs took 0.41-0.44 ms each with a savepoint per sync, 0.26-0.28 ms
 * without.) A write's `work` may therefore run twice, the first run rolled back: it must change
 * nothing but the database, and that only through the `trx` it is given.
 *
 * A write's promise settles only after its batch has committed: resolved with what `work`
 * returned, or rejected with what it threw, or, when the commit itself fails, with that error
 * (then nothing of the batch was written).
 *
 * Within a batch the writes run in order of `key`, so two batches locking the same rows (a
 * claim taken over while its first holder still writes) lock them in the same order and cannot
 * deadlock each other.
 */
export class GroupCommit {
  private queue: Write[] = [];
  private flushing = false;

  constructor(
    private readonly transaction: Transaction,
    /** Awaited before each batch (the dialect's `beforeBackgroundWrite`: SQLite's WAL limit). */
    private readonly ready: () => Promise<void> | undefined = () => undefined,
    /** The most writes one transaction takes: bounds how long it holds its rows' locks. */
    private readonly maxBatch = 64,
  ) {}

  run<T>(key: string, work: (trx: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ key, work, resolve: resolve as (value: unknown) => void, reject });
      if (this.flushing) return;
      this.flushing = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush() {
    while (this.queue.length > 0) {
      await this.ready();
      const batch = this.queue.splice(0, this.maxBatch).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const runAll = (each: (trx: Db, work: Write['work']) => Promise<Outcome>) =>
        this.transaction(async (trx) => {
          const done: Outcome[] = [];
          for (const write of batch) done.push(await each(trx, write.work));
          return done;
        });
      let outcomes: Outcome[];
      try {
        outcomes = await runAll(async (trx, work) => ({ ok: true, value: await work(trx) }));
      } catch {
        // Something in the batch threw (or the commit failed): nothing of it was written. Again,
        // each write in a savepoint of its own, so only the one that throws loses its writes.
        try {
          outcomes = await runAll(isolated);
        } catch (error) {
          for (const write of batch) write.reject(error);
          continue;
        }
      }
      batch.forEach((write, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) write.resolve(outcome.value);
        else write.reject(outcome.error);
      });
    }
    this.flushing = false;
  }
}

/** Runs `work` in a savepoint: what it wrote stays if it returns, is rolled back if it throws. */
async function isolated(trx: Db, work: (trx: Db) => Promise<unknown>): Promise<Outcome> {
  await sql`savepoint relink_write`.execute(trx);
  try {
    const value = await work(trx);
    await sql`release savepoint relink_write`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    // Rolling back to the savepoint also clears PostgreSQL's "transaction aborted" state.
    await sql`rollback to savepoint relink_write`.execute(trx);
    await sql`release savepoint relink_write`.execute(trx);
    return { ok: false, error };
  }
}
