import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { CustomerRow, CustomersTable } from '../db/schema.ts';
import { isUniqueViolation } from '../db/unique.ts';

/** Which of an app's customers a list holds: Mono's `email` and `phone` filters. */
export interface CustomerFilter {
  email?: string | undefined;
  phone?: string | undefined;
}

/** The customers table: the only code that reads or writes it. A deleted customer is found by none of its reads. */
export class CustomerStore {
  constructor(private readonly db: Db) {}

  find(appId: string, id: string, executor: Db = this.db): Promise<CustomerRow | undefined> {
    return executor.selectFrom('customers').selectAll().where('id', '=', id).where('app_id', '=', appId).where('deleted_at', 'is', null).executeTakeFirst();
  }

  findByEmail(appId: string, email: string, executor: Db = this.db): Promise<CustomerRow | undefined> {
    return executor
      .selectFrom('customers')
      .selectAll()
      .where('app_id', '=', appId)
      .where('email', '=', email)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  /**
   * Inserts the customer unless the app has one with its email, and answers whether it did: one
   * statement over the unique (app, email) index, so of two racing creates of one email exactly
   * one makes a customer.
   */
  async insert(row: Insertable<CustomersTable>, executor: Db = this.db): Promise<boolean> {
    const inserted = await executor
      .insertInto('customers')
      .values(row)
      .onConflict((oc) => oc.columns(['app_id', 'email']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /**
   * Changes a live customer in `trx`: `missing` when it is gone, `email_taken` when its new email
   * is another customer's (the unique index decides a race; `trx` is then spoilt on PostgreSQL,
   * so the caller rolls it back).
   */
  async update(id: string, changes: Updateable<CustomersTable>, trx: Db): Promise<'updated' | 'missing' | 'email_taken'> {
    try {
      const result = await trx.updateTable('customers').set(changes).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? 'updated' : 'missing';
    } catch (error) {
      if (changes.email !== undefined && isUniqueViolation(error)) return 'email_taken';
      throw error;
    }
  }

  /**
   * Locks a live customer's row for the rest of `trx` (a no-op update returning the row) and
   * answers it, or undefined when it is unknown or deleted. Deleting a customer and completing a
   * link for it both take this lock first, so a link never lands on a customer deleted meanwhile
   * and a delete never misses an account linked meanwhile.
   */
  lockLive(appId: string, id: string, trx: Db): Promise<CustomerRow | undefined> {
    return trx
      .updateTable('customers')
      .set((eb) => ({ updated_at: eb.ref('updated_at') }))
      .where('id', '=', id)
      .where('app_id', '=', appId)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /** Erases the customer's details and marks it deleted; the row stays for the unlinked accounts that still name it. */
  async erase(id: string, now: number, trx: Db): Promise<void> {
    await trx
      .updateTable('customers')
      .set({
        name: null,
        first_name: null,
        last_name: null,
        business_name: null,
        email: null,
        phone: null,
        address: null,
        identity_secret_id: null,
        deleted_at: now,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** A page of the app's live customers, oldest first (ties by id), and how many match in all. */
  async list(appId: string, filter: CustomerFilter, page: { limit: number; offset: number }): Promise<{ rows: CustomerRow[]; total: number }> {
    const base = this.db
      .selectFrom('customers')
      .where('app_id', '=', appId)
      .where('deleted_at', 'is', null)
      .$if(filter.email !== undefined, (q) => q.where('email', '=', filter.email!))
      .$if(filter.phone !== undefined, (q) => q.where('phone', '=', filter.phone!));
    const [{ total }] = (await base.select((eb) => eb.fn.countAll<number>().as('total')).execute()) as [{ total: number }];
    const rows = await base.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
    return { rows, total: Number(total) };
  }

  /** The names of the app's customers among `ids`. */
  async names(appId: string, ids: string[]): Promise<{ id: string; name: string | null }[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('customers').select(['id', 'name']).where('app_id', '=', appId).where('id', 'in', ids).execute();
  }
}
