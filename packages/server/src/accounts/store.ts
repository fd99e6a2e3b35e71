import { type Insertable, type Updateable, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AccountRow, AccountsTable, SessionOrigin, TransactionRow } from '../db/schema.ts';

/** Which of an app's live accounts a list holds; times in epoch milliseconds. */
export interface AccountFilter {
  reauthRequired?: boolean | undefined;
  institutionId?: string | undefined;
  customerId?: string | undefined;
  dataStatus?: AccountsTable['data_status'] | undefined;
  linkedSince?: number | undefined;
  linkedBefore?: number | undefined;
  syncedSince?: number | undefined;
  notSyncedSince?: number | undefined;
}

export class AccountStore {
  constructor(private readonly db: Db) {}

  /** Scoped to the app; unlinked accounts are gone. */
  find(appId: string, id: string, executor: Db = this.db): Promise<AccountRow | undefined> {
    return executor.selectFrom('accounts').selectAll().where('id', '=', id).where('app_id', '=', appId).where('unlinked_at', 'is', null).executeTakeFirst();
  }

  findById(id: string, executor: Db = this.db): Promise<AccountRow | undefined> {
    return executor.selectFrom('accounts').selectAll().where('id', '=', id).where('unlinked_at', 'is', null).executeTakeFirst();
  }

  /** The live account this bank account is already linked as, for this app (and customer). */
  findLinked(appId: string, institutionId: string, accountNumber: string, customerId: string | null, executor: Db = this.db) {
    return executor
      .selectFrom('accounts')
      .selectAll()
      .where('app_id', '=', appId)
      .where('institution_id', '=', institutionId)
      .where('account_number', '=', accountNumber)
      .where('unlinked_at', 'is', null)
      .$if(customerId !== null, (q) => q.where('customer_id', '=', customerId!))
      .orderBy('created_at')
      .executeTakeFirst();
  }

  async insert(row: Insertable<AccountsTable>, executor: Db = this.db) {
    await executor.insertInto('accounts').values(row).execute();
  }

  /**
   * Locks a live account's row (of `appId`, when given) for the rest of `trx` (a no-op update;
   * SQLite's writes are serial anyway) and returns it as it is now, or undefined if it is
   * unlinked or unknown: one statement, the update returning the row it locked.
   * Every transaction that changes an account and its vault records takes this lock first, so
   * links, unlinks and syncs of one account queue up instead of deadlocking.
   */
  lockLive(id: string, trx: Db, appId?: string): Promise<AccountRow | undefined> {
    return trx
      .updateTable('accounts')
      .set((eb) => ({ updated_at: eb.ref('updated_at') }))
      .where('id', '=', id)
      .where('unlinked_at', 'is', null)
      .$if(appId !== undefined, (q) => q.where('app_id', '=', appId!))
      .returningAll()
      .executeTakeFirst();
  }

  async update(id: string, changes: Updateable<AccountsTable>, executor: Db = this.db) {
    await executor.updateTable('accounts').set(changes).where('id', '=', id).execute();
  }

  /**
   * Makes `sessionId` the account's one live reauth session: a single guarded update, so of two
   * concurrent starts exactly one wins, on any number of instances. The account is free when no
   * session holds it, when the hold lapsed, or when the holder was started with only the public
   * key: any newer start supersedes that one (docs/security.md), so a public-key holder cannot
   * keep the owner out. `until` is a short lease at first (a start that never answers frees the
   * account within a minute); `extendReauth` lengthens it once the start has answered.
   */
  async holdForReauth(id: string, sessionId: string, origin: SessionOrigin, now: number, until: number, executor: Db): Promise<boolean> {
    const result = await executor
      .updateTable('accounts')
      .set({ reauth_session_id: sessionId, reauth_session_expires_at: until, reauth_session_origin: origin })
      .where('id', '=', id)
      .where('unlinked_at', 'is', null)
      .where((eb) => eb.or([eb('reauth_session_id', 'is', null), eb('reauth_session_expires_at', '<=', now), eb('reauth_session_origin', '=', 'public')]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The session holding the account for re-authorisation, while its hold lasts. */
  async reauthHolder(id: string, now: number, executor: Db): Promise<{ id: string; expiresAt: number; origin: SessionOrigin } | undefined> {
    const row = await executor
      .selectFrom('accounts')
      .select(['reauth_session_id', 'reauth_session_expires_at', 'reauth_session_origin'])
      .where('id', '=', id)
      .where('reauth_session_expires_at', '>', now)
      .executeTakeFirst();
    return row?.reauth_session_id
      ? { id: row.reauth_session_id, expiresAt: row.reauth_session_expires_at!, origin: row.reauth_session_origin ?? 'partner' }
      : undefined;
  }

  /** Lengthens `sessionId`'s hold to `until`, if it still holds the account. */
  async extendReauth(id: string, sessionId: string, until: number, executor: Db): Promise<void> {
    await executor.updateTable('accounts').set({ reauth_session_expires_at: until }).where('id', '=', id).where('reauth_session_id', '=', sessionId).execute();
  }

  /** Frees the account for another reauth session, if `sessionId` still holds it. */
  async releaseReauth(id: string, sessionId: string, executor: Db): Promise<void> {
    await executor
      .updateTable('accounts')
      .set({ reauth_session_id: null, reauth_session_expires_at: null, reauth_session_origin: null })
      .where('id', '=', id)
      .where('reauth_session_id', '=', sessionId)
      .execute();
  }

  async transactions(
    accountId: string,
    filter: { start?: number | undefined; end?: number | undefined; type?: string | undefined; narration?: string | undefined },
    page: { limit: number; offset: number },
  ): Promise<{ rows: TransactionRow[]; total: number }> {
    const base = this.db
      .selectFrom('transactions')
      .where('account_id', '=', accountId)
      .$if(filter.start !== undefined, (q) => q.where('date', '>=', filter.start!))
      .$if(filter.end !== undefined, (q) => q.where('date', '<=', filter.end!))
      .$if(filter.type !== undefined, (q) => q.where('type', '=', filter.type as 'debit' | 'credit'))
      .$if(filter.narration !== undefined, (q) => q.where('narration', 'like', `%${escapeLike(filter.narration!)}%`));
    const [{ total }] = (await base.select((eb) => eb.fn.countAll<number>().as('total')).execute()) as [{ total: number }];
    const rows = await base.selectAll().orderBy('date', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute();
    return { rows, total: Number(total) };
  }

  /** Every stored transaction of the account, oldest first; the index on (account_id, date) serves it. */
  ledger(accountId: string): Promise<TransactionRow[]> {
    return this.db.selectFrom('transactions').selectAll().where('account_id', '=', accountId).orderBy('date').orderBy('id').execute();
  }

  /**
   * A page of the app's live accounts that `filter` selects, oldest link first (ties by id), and
   * how many it selects in all. Oldest first keeps pages still when accounts are linked meanwhile:
   * a new link lands on the last page, never shifting one a caller is paging through.
   */
  async list(appId: string, filter: AccountFilter, page: { limit: number; offset: number }): Promise<{ rows: AccountRow[]; total: number }> {
    const base = this.db
      .selectFrom('accounts')
      .where('app_id', '=', appId)
      .where('unlinked_at', 'is', null)
      .$if(filter.reauthRequired !== undefined, (q) => q.where('reauth_required', '=', filter.reauthRequired ? 1 : 0))
      .$if(filter.institutionId !== undefined, (q) => q.where('institution_id', '=', filter.institutionId!))
      .$if(filter.customerId !== undefined, (q) => q.where('customer_id', '=', filter.customerId!))
      .$if(filter.dataStatus !== undefined, (q) => q.where('data_status', '=', filter.dataStatus!))
      .$if(filter.linkedSince !== undefined, (q) => q.where('created_at', '>=', filter.linkedSince!))
      .$if(filter.linkedBefore !== undefined, (q) => q.where('created_at', '<', filter.linkedBefore!))
      .$if(filter.syncedSince !== undefined, (q) => q.where('last_synced_at', '>=', filter.syncedSince!))
      .$if(filter.notSyncedSince !== undefined, (q) =>
        q.where((eb) => eb.or([eb('last_synced_at', 'is', null), eb('last_synced_at', '<', filter.notSyncedSince!)])),
      );
    const [{ total }] = (await base.select((eb) => eb.fn.countAll<number>().as('total')).execute()) as [{ total: number }];
    const rows = await base.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
    return { rows, total: Number(total) };
  }

  async countLinked(customerId: string, executor: Db = this.db): Promise<number> {
    const row = await executor
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_id', '=', customerId)
      .where('unlinked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * A statement's figures for the account's transactions dated `start`..`end` (inclusive): how
   * many, the sums of credits and debits, its first and last transaction (by date, then id),
   * the last one before it, and the date of the oldest stored at all. One round trip per figure,
   * each served by the (account_id, date) index.
   */
  async periodFigures(accountId: string, start: number, end: number) {
    const period = this.db.selectFrom('transactions').where('account_id', '=', accountId).where('date', '>=', start).where('date', '<=', end);
    const totals = await period
      .select([
        (eb) => eb.fn.countAll<number>().as('count'),
        sql<number>`cast(coalesce(sum(case when type = 'credit' then amount else 0 end), 0) as bigint)`.as('credit'),
        sql<number>`cast(coalesce(sum(case when type = 'debit' then amount else 0 end), 0) as bigint)`.as('debit'),
      ])
      .executeTakeFirstOrThrow();
    const first = await period.selectAll().orderBy('date').orderBy('id').limit(1).executeTakeFirst();
    const last = await period.selectAll().orderBy('date', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    const before = await this.db
      .selectFrom('transactions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('date', '<', start)
      .orderBy('date', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const oldest = await this.db.selectFrom('transactions').select('date').where('account_id', '=', accountId).orderBy('date').limit(1).executeTakeFirst();
    return { count: Number(totals.count), credit: Number(totals.credit), debit: Number(totals.debit), first, last, before, oldest: oldest?.date };
  }

  /**
   * Up to `limit` of the account's transactions dated `start`..`end`, in date order (then id),
   * after `after` when given: a keyset page, so reading a long period costs the same per page
   * from its first to its last.
   */
  periodTransactions(
    accountId: string,
    range: { start: number; end: number },
    order: 'asc' | 'desc',
    limit: number,
    after?: { date: number; id: string },
  ): Promise<TransactionRow[]> {
    const beyond = order === 'asc' ? '>' : '<';
    return this.db
      .selectFrom('transactions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('date', '>=', range.start)
      .where('date', '<=', range.end)
      .$if(after !== undefined, (q) =>
        q.where((eb) => eb.or([eb('date', beyond, after!.date), eb.and([eb('date', '=', after!.date), eb('id', beyond, after!.id)])])),
      )
      .orderBy('date', order)
      .orderBy('id', order)
      .limit(limit)
      .execute();
  }

  async deleteData(accountId: string, executor: Db = this.db) {
    await executor.deleteFrom('transactions').where('account_id', '=', accountId).execute();
  }
}

function escapeLike(value: string): string {
  return value.replace(/[%_\\]/g, '');
}
