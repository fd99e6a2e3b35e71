import type { Db } from '../db/database.ts';
import type { SessionRow, SessionsTable } from '../db/schema.ts';
import type { Insertable, Updateable } from 'kysely';

export class SessionStore {
  constructor(private readonly db: Db) {}

  async insert(row: Insertable<SessionsTable>, executor: Db = this.db) {
    await executor.insertInto('sessions').values(row).execute();
  }

  /** Scoped to the app: another app's session is indistinguishable from none. */
  find(appId: string, id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).where('app_id', '=', appId).executeTakeFirst();
  }

  /**
   * Claims the session for one step: a single guarded update that succeeds for exactly one
   * of several concurrent callers (same version, not busy). The winner holds it until
   * `busyUntil`, or until `release` writes the step's result.
   */
  async claim(id: string, version: number, now: number, busyUntil: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ busy_until: busyUntil, version: version + 1 })
      .where('id', '=', id)
      .where('version', '=', version)
      .where((eb) => eb.or([eb('busy_until', 'is', null), eb('busy_until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Writes a step's result and frees the session; guarded by the version `claim` set. */
  async release(id: string, claimedVersion: number, changes: Updateable<SessionsTable>, executor: Db = this.db): Promise<boolean> {
    const result = await executor
      .updateTable('sessions')
      .set({ ...changes, busy_until: null, version: claimedVersion + 1 })
      .where('id', '=', id)
      .where('version', '=', claimedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Ends a session a newer one replaces (a hosted link opened again), unless it completed or
   * failed: it expires now, and its version moves, so a step in flight cannot write its result
   * (`release` is guarded by the version it claimed with, so that step's whole transaction, a
   * completion included, rolls back) and no later step can claim it.
   */
  async end(id: string, now: number, executor: Db = this.db): Promise<boolean> {
    const result = await executor
      .updateTable('sessions')
      .set((eb) => ({ expires_at: now, version: eb('version', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where('status', 'not in', ['completed', 'failed'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The kind and account of each of `ids` that is `appId`'s. */
  kindsOf(appId: string, ids: string[], executor: Db = this.db) {
    return executor.selectFrom('sessions').select(['id', 'kind', 'account_id']).where('app_id', '=', appId).where('id', 'in', ids).execute();
  }

  async anyCompleted(appId: string, ids: string[], executor: Db = this.db): Promise<boolean> {
    const row = await executor.selectFrom('sessions').select('id').where('app_id', '=', appId).where('id', 'in', ids).where('status', '=', 'completed').executeTakeFirst();
    return row !== undefined;
  }

  /** Sessions past their expiry, or ended, that still hold vault records and are not mid-step. */
  withSecretsToSweep(now: number, limit: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('status', 'in', ['completed', 'failed'])]))
      .where((eb) => eb.or([eb('credentials_secret_id', 'is not', null), eb('connector_state_secret_id', 'is not', null)]))
      .where((eb) => eb.or([eb('busy_until', 'is', null), eb('busy_until', '<', now)]))
      .limit(limit)
      .execute();
  }

  /** Forgets a swept session's vault records, unless a step claimed it since it was read. */
  async clearSecrets(row: SessionRow, now: number, executor: Db): Promise<boolean> {
    const result = await executor
      .updateTable('sessions')
      .set({ credentials_secret_id: null, connector_state_secret_id: null, updated_at: now })
      .where('id', '=', row.id)
      .where('version', '=', row.version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
