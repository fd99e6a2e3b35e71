import type { Db } from '../db/database.ts';
import type { AppRow, AppUpdate, NewAppRow } from '../db/schema.ts';

export class AppStore {
  constructor(private readonly db: Db) {}

  async insert(row: NewAppRow, executor: Db = this.db): Promise<void> {
    await executor.insertInto('apps').values(row).execute();
  }

  /** Only live (not deleted) apps answer to a key. */
  findByKeyHash(hash: string): Promise<AppRow | undefined> {
    return this.db.selectFrom('apps').selectAll().where('secret_key_hash', '=', hash).where('deleted_at', 'is', null).executeTakeFirst();
  }

  findById(id: string): Promise<AppRow | undefined> {
    return this.db.selectFrom('apps').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  }

  list(): Promise<AppRow[]> {
    return this.db.selectFrom('apps').selectAll().where('deleted_at', 'is', null).orderBy('created_at').orderBy('id').execute();
  }

  async update(id: string, changes: AppUpdate, executor: Db = this.db): Promise<boolean> {
    const result = await executor.updateTable('apps').set(changes).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
