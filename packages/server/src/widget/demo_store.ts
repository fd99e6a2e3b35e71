import type { Db } from '../db/database.ts';

/** The /connect/demo page's one-time values, by hash (connect/demo.ts says why). */
export class DemoStore {
  constructor(private readonly db: Db) {}

  /** A new value for a page load; values that expired go in the same breath, so the table stays small. */
  async insert(row: { hash: string; app_id: string; expires_at: number; created_at: number }) {
    await this.db.deleteFrom('connect_demos').where('expires_at', '<=', row.created_at).execute();
    await this.db
      .insertInto('connect_demos')
      .values({ ...row, session_id: null, used_at: null })
      .execute();
  }

  /** Binds the value to the session its page just started: the latest one, while the value is unspent and alive, and only for the app it was minted for. */
  async bind(hash: string, appId: string, sessionId: string, now: number): Promise<void> {
    await this.db
      .updateTable('connect_demos')
      .set({ session_id: sessionId })
      .where('hash', '=', hash)
      .where('app_id', '=', appId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
  }

  live(hash: string, now: number) {
    return this.db
      .selectFrom('connect_demos')
      .selectAll()
      .where('hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  /** Spends the value, if it is still unspent, alive and bound to `sessionId`: one guarded update. */
  async spend(executor: Db, hash: string, sessionId: string, now: number): Promise<boolean> {
    const result = await executor
      .updateTable('connect_demos')
      .set({ used_at: now })
      .where('hash', '=', hash)
      .where('session_id', '=', sessionId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
