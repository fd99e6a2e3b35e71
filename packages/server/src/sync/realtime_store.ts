import type { Updateable } from 'kysely';
import { AccountStore } from '../accounts/store.ts';
import type { Db } from '../db/database.ts';
import type { AccountRow, RealtimeJobRow, RealtimeJobsTable } from '../db/schema.ts';

/** How long an account's finished jobs are kept for `GET /v2/accounts/{id}/jobs/{jobId}`. */
const KEEP_MS = 86_400_000;

/**
 * Real-time jobs (`realtime_jobs`). A job starts under the lock every writer of an account takes
 * (`AccountStore.lockLive`), so of two instances starting a job for one account at once the
 * second sees the first's job and takes it instead of starting its own.
 */
export class RealtimeStore {
  private readonly accounts: AccountStore;

  constructor(private readonly db: Db) {
    this.accounts = new AccountStore(db);
  }

  /** The account's newest job. */
  latest(accountId: string, executor: Db = this.db): Promise<RealtimeJobRow | undefined> {
    return executor.selectFrom('realtime_jobs').selectAll().where('account_id', '=', accountId).orderBy('started_at', 'desc').limit(1).executeTakeFirst();
  }

  find(appId: string, accountId: string, id: string): Promise<RealtimeJobRow | undefined> {
    return this.db
      .selectFrom('realtime_jobs')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .where('app_id', '=', appId)
      .executeTakeFirst();
  }

  /**
   * In one transaction: locks the live account, and gives `reuse` its newest job to take instead
   * of a new one; otherwise inserts `job` (and deletes the account's jobs older than a day).
   * Undefined when the account is unlinked; `reauth` when it waits for re-authorisation.
   */
  start(
    job: RealtimeJobRow,
    reuse: (latest: RealtimeJobRow) => boolean,
  ): Promise<{ job: RealtimeJobRow; started: boolean } | { reauth: AccountRow } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const account = await this.accounts.lockLive(job.account_id, trx, job.app_id);
      if (!account) return undefined;
      if (account.reauth_required) return { reauth: account };
      const latest = await this.latest(job.account_id, trx);
      if (latest && reuse(latest)) return { job: latest, started: false };
      await trx
        .deleteFrom('realtime_jobs')
        .where('account_id', '=', job.account_id)
        .where('started_at', '<', job.started_at - KEEP_MS)
        .execute();
      await trx.insertInto('realtime_jobs').values(job).execute();
      return { job, started: true };
    });
  }

  async finish(id: string, changes: Updateable<RealtimeJobsTable>, trx: Db): Promise<void> {
    await trx.updateTable('realtime_jobs').set(changes).where('id', '=', id).execute();
  }

  findById(id: string): Promise<RealtimeJobRow | undefined> {
    return this.db.selectFrom('realtime_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
