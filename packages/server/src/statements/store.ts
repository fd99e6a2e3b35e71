import type { Db } from '../db/database.ts';
import type { Capabilities } from '../db/dialects/types.ts';
import type { StatementJobRow } from '../db/schema.ts';
import { sql } from 'kysely';
import { newId } from '../lib/ids.ts';

/** A job a builder holds: the row as claimed, and the token that names this hold. */
export interface ClaimedJob {
  job: StatementJobRow;
  token: string;
}

/** Statement jobs, their files and the URLs to them: the only code that reads or writes those tables. */
export class StatementStore {
  constructor(
    private readonly db: Db,
    private readonly capabilities: Pick<Capabilities, 'skipLocked'>,
  ) {}

  async insertJob(row: StatementJobRow): Promise<void> {
    await this.db.insertInto('statement_jobs').values(row).execute();
  }

  /** How many of the app's jobs are still to build (a soft cap's count: two concurrent asks may both pass it). */
  async countBuilding(appId: string): Promise<number> {
    const row = await this.db
      .selectFrom('statement_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('app_id', '=', appId)
      .where('status', '=', sql.lit('BUILDING'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The job, if it is this app's and this account's and not yet swept. */
  findJob(appId: string, accountId: string, id: string, now: number): Promise<StatementJobRow | undefined> {
    return this.db
      .selectFrom('statement_jobs')
      .selectAll()
      .where('id', '=', id)
      .where('app_id', '=', appId)
      .where('account_id', '=', accountId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  async addUrl(row: { token_hash: string; job_id: string; app_id: string; expires_at: number; created_at: number }): Promise<void> {
    await this.db.insertInto('statement_urls').values(row).execute();
  }

  /** The file a URL token (by its hash) names, if the URL is live and its job built. */
  fileByToken(tokenHash: string, now: number): Promise<{ job_id: string; app_id: string; account_id: string; content: Buffer } | undefined> {
    return this.db
      .selectFrom('statement_urls as u')
      .innerJoin('statement_jobs as j', 'j.id', 'u.job_id')
      .innerJoin('statement_files as f', 'f.job_id', 'j.id')
      .select(['j.id as job_id', 'j.app_id', 'j.account_id', 'f.content'])
      .where('u.token_hash', '=', tokenHash)
      .where('u.expires_at', '>', now)
      .where('j.status', '=', 'BUILT')
      .executeTakeFirst();
  }

  /**
   * Claims up to `limit` jobs still to build, oldest first, in one guarded statement, as
   * `DeliveryStore.claimDue` claims deliveries: the selection is a MATERIALIZED CTE (run once),
   * skipping rows another instance's claim has locked where SKIP LOCKED exists, and the update
   * repeats the claim's condition, so a job is never held by two claims. Each claim counts an
   * attempt; the new `claim_token` names the holder in every later write. `BUILDING` is a
   * literal, not a parameter, here and in `countBuilding`: a partial index (jobs still to build)
   * is used only when the query's own condition shows it applies.
   */
  async claim(now: number, leaseMs: number, limit: number): Promise<ClaimedJob[]> {
    const token = newId('clm');
    const rows = await this.db
      .with(
        (cte) => cte('due').materialized(),
        (db) =>
          db
            .selectFrom('statement_jobs')
            .select('id')
            .where('status', '=', sql.lit('BUILDING'))
            .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
            .where('expires_at', '>', now)
            .orderBy('created_at')
            .limit(limit)
            .$if(this.capabilities.skipLocked, (q) => q.forUpdate().skipLocked()),
      )
      .updateTable('statement_jobs')
      .set((eb) => ({ claimed_until: now + leaseMs, claim_token: token, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      .where('status', '=', 'BUILDING')
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
      .returningAll()
      .execute();
    return rows.map((job) => ({ job, token }));
  }

  /**
   * FAILED, with why, for every job still to build that has had `maxAttempts` builds and is held
   * by none: its last builder died with it (a build that throws fails the job itself), so the
   * job would otherwise wait as BUILDING until it expires.
   */
  async failAbandoned(now: number, maxAttempts: number, error: string): Promise<void> {
    await this.db
      .updateTable('statement_jobs')
      .set({ status: 'FAILED', error, updated_at: now, claimed_until: null, claim_token: null })
      .where('status', '=', sql.lit('BUILDING'))
      .where('attempts', '>=', maxAttempts)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
      .execute();
  }

  /** Lengthens a hold to `until`; false when the hold was lost (it lapsed and another builder took the job). */
  async extend(claimed: ClaimedJob, until: number): Promise<boolean> {
    const result = await this.db
      .updateTable('statement_jobs')
      .set({ claimed_until: until })
      .where('id', '=', claimed.job.id)
      .where('claim_token', '=', claimed.token)
      .where('status', '=', 'BUILDING')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * The built file, written only while this hold still holds the job: the job's update is the
   * guard, and the file goes in the same transaction, so of two builders of one job (one whose
   * hold lapsed, say) exactly one writes a file. Answers whether this one did.
   */
  complete(claimed: ClaimedJob, file: { content: Buffer; pages: number }, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('statement_jobs')
        .set({ status: 'BUILT', pages: file.pages, bytes: file.content.length, built_at: now, updated_at: now, claimed_until: null, claim_token: null })
        .where('id', '=', claimed.job.id)
        .where('claim_token', '=', claimed.token)
        .where('status', '=', 'BUILDING')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.insertInto('statement_files').values({ job_id: claimed.job.id, content: file.content, created_at: now }).execute();
      return true;
    });
  }

  /** The job cannot be built: FAILED, with why, if this hold still holds it. */
  async fail(claimed: ClaimedJob, error: string, now: number): Promise<void> {
    await this.db
      .updateTable('statement_jobs')
      .set({ status: 'FAILED', error, updated_at: now, claimed_until: null, claim_token: null })
      .where('id', '=', claimed.job.id)
      .where('claim_token', '=', claimed.token)
      .execute();
  }

  /** Gives the job back, for any builder to claim from `at` on (now: a shutdown; later: a retry after an error). */
  async release(claimed: ClaimedJob, at: number | null): Promise<void> {
    await this.db
      .updateTable('statement_jobs')
      .set({ claimed_until: at, claim_token: null })
      .where('id', '=', claimed.job.id)
      .where('claim_token', '=', claimed.token)
      .execute();
  }

  /** Deletes up to `limit` jobs whose lifetime is over, with their files and URLs; answers how many jobs went. */
  sweep(now: number, limit: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const ids = (await trx.selectFrom('statement_jobs').select('id').where('expires_at', '<=', now).limit(limit).execute()).map((r) => r.id);
      if (ids.length === 0) return 0;
      await trx.deleteFrom('statement_urls').where('job_id', 'in', ids).execute();
      await trx.deleteFrom('statement_files').where('job_id', 'in', ids).execute();
      await trx.deleteFrom('statement_jobs').where('id', 'in', ids).execute();
      return ids.length;
    });
  }
}
