import type { Insertable, Updateable } from 'kysely';
import { AccountStore } from '../accounts/store.ts';
import type { Db } from '../db/database.ts';
import type { Capabilities } from '../db/dialects/types.ts';
import type { AccountRow, AccountsTable, TransactionsTable } from '../db/schema.ts';

/**
 * The sync's own reads and writes: claims on accounts (`sync_due_at`, `sync_claimed_until`), the
 * guarded write of a sync's result and the bank's transactions. Rows are read and locked as
 * every writer of an account does (`AccountStore`).
 */
export class SyncStore {
  private readonly accounts: AccountStore;

  constructor(
    private readonly db: Db,
    private readonly capabilities: Pick<Capabilities, 'skipLocked'> = { skipLocked: false },
  ) {
    this.accounts = new AccountStore(db);
  }

  findById(id: string): Promise<AccountRow | undefined> {
    return this.accounts.findById(id);
  }

  /** See `AccountStore.lockLive`: every transaction that changes an account locks it first. */
  lockLive(id: string, trx: Db): Promise<AccountRow | undefined> {
    return this.accounts.lockLive(id, trx);
  }

  update(id: string, changes: Updateable<AccountsTable>, executor: Db = this.db): Promise<void> {
    return this.accounts.update(id, changes, executor);
  }

  /**
   * Writes `changes` to a live account only while it still holds the credentials
   * `credentialsSecretId` (those of the link a sync was claimed under), in one guarded statement
   * that also locks the row for the rest of `trx`; returns the row as written, or undefined when
   * the account was unlinked or linked again meanwhile.
   */
  updateIfLinkedWith(id: string, credentialsSecretId: string | null, changes: Updateable<AccountsTable>, trx: Db): Promise<AccountRow | undefined> {
    return trx
      .updateTable('accounts')
      .set(changes)
      .where('id', '=', id)
      .where('unlinked_at', 'is', null)
      .where('credentials_secret_id', credentialsSecretId === null ? 'is' : '=', credentialsSecretId)
      .returningAll()
      .executeTakeFirst();
  }

  /** Claims this account's sync if it is not waiting for reauth and no worker holds it. */
  async claimSync(id: string, now: number, holdUntil: number): Promise<AccountRow | undefined> {
    const result = await this.db
      .updateTable('accounts')
      .set({ sync_claimed_until: holdUntil })
      .where('id', '=', id)
      .where('unlinked_at', 'is', null)
      .where('reauth_required', '=', 0)
      .where((eb) => eb.or([eb('sync_claimed_until', 'is', null), eb('sync_claimed_until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? this.accounts.findById(id) : undefined;
  }

  /** Gives back a claim that was not started, if it is still the one taken until `holdUntil`. */
  async releaseSync(id: string, holdUntil: number): Promise<void> {
    await this.db.updateTable('accounts').set({ sync_claimed_until: null }).where('id', '=', id).where('sync_claimed_until', '=', holdUntil).execute();
  }

  /**
   * Claims up to `limit` accounts whose sync is due, oldest due first, in one guarded
   * statement, and returns their rows. As the webhook claim (`DeliveryStore.claimDue`): the
   * selection is a MATERIALIZED CTE, run once, skipping rows another instance's claim has
   * locked where SKIP LOCKED exists; the outer update repeats the conditions, so an account
   * is never held by two claims. One statement per batch instead of a select, an update and
   * a read per account was what bounded a sweep over 100,000 accounts (docs/benchmarks.md).
   */
  claimDueSyncs(now: number, holdUntil: number, limit: number): Promise<AccountRow[]> {
    return this.db
      .with(
        (cte) => cte('due').materialized(),
        (db) =>
          db
            .selectFrom('accounts')
            .select('id')
            .where('sync_due_at', '<=', now)
            .where('unlinked_at', 'is', null)
            .where('reauth_required', '=', 0)
            .where((eb) => eb.or([eb('sync_claimed_until', 'is', null), eb('sync_claimed_until', '<', now)]))
            .orderBy('sync_due_at')
            .limit(limit)
            .$if(this.capabilities.skipLocked, (q) => q.forUpdate().skipLocked()),
      )
      .updateTable('accounts')
      .set({ sync_claimed_until: holdUntil })
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      .where('sync_due_at', '<=', now)
      .where('unlinked_at', 'is', null)
      .where('reauth_required', '=', 0)
      .where((eb) => eb.or([eb('sync_claimed_until', 'is', null), eb('sync_claimed_until', '<', now)]))
      .returningAll()
      .execute();
  }

  /** Records that `reauthorisation_due` goes out for `expiresAt`: false when it already went (one guarded update). */
  async markReauthDue(id: string, expiresAt: number, executor: Db = this.db): Promise<boolean> {
    const result = await executor
      .updateTable('accounts')
      .set({ reauth_due_notified_for: expiresAt })
      .where('id', '=', id)
      .where('login_expires_at', '=', expiresAt)
      .where((eb) => eb.or([eb('reauth_due_notified_for', 'is', null), eb('reauth_due_notified_for', '<>', expiresAt)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertTransactions(rows: Insertable<TransactionsTable>[], executor: Db = this.db): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += 200) {
      const result = await executor
        .insertInto('transactions')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) => oc.columns(['account_id', 'bank_id']).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return inserted;
  }
}
