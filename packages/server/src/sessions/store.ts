import type { Db } from '../db/database.ts';
import type { SessionRow, SessionsTable } from '../db/schema.ts';
import type { Insertable, Updateable } from 'kysely';

export class SessionStore {
  constructor(private readonly db: Db) {}

  async insert(row: Insertable<SessionsTable>, executor: Db = this.db) {
    await executor.insertInto('sessions').values(row).execute();
  }

  /** Scoped to the app: another app's session is indistinguishable from none. */
  find(appId: string, id: string, executor: Db = this.db): Promise<SessionRow | undefined> {
    return executor.selectFrom('sessions').selectAll().where('id', '=', id).where('app_id', '=', appId).executeTakeFirst();
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

  /** The live (unfinished) re-authorisation sessions of an account other than `exceptId`. */
  liveReauthsOf(accountId: string, exceptId: string, executor: Db): Promise<SessionRow[]> {
    return executor
      .selectFrom('sessions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('kind', '=', 'reauth')
      .where('status', 'not in', ['completed', 'failed'])
      .where('id', '!=', exceptId)
      .execute();
  }

  /**
   * Ends a session as cancelled, whatever step it is in, unless it completed or failed. Its
   * version moves whatever it was, so a step at the bank meanwhile (which claimed the session and
   * releases it guarded by that claim's version) cannot write its result: that step's whole
   * transaction, a completion included, rolls back.
   */
  async cancel(row: SessionRow, state: string, now: number, executor: Db): Promise<boolean> {
    const result = await executor
      .updateTable('sessions')
      .set((eb) => ({
        state,
        status: 'failed',
        busy_until: null,
        version: eb('version', '+', 1),
        credentials_secret_id: null,
        connector_state_secret_id: null,
        updated_at: now,
      }))
      .where('id', '=', row.id)
      .where('status', 'not in', ['completed', 'failed'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Those of `ids` that are `appId`'s and still live (neither completed nor failed). */
  liveOf(appId: string, ids: string[], executor: Db = this.db): Promise<SessionRow[]> {
    return executor
      .selectFrom('sessions')
      .selectAll()
      .where('app_id', '=', appId)
      .where('id', 'in', ids)
      .where('status', 'not in', ['completed', 'failed'])
      .execute();
  }

  async anyCompleted(appId: string, ids: string[], executor: Db = this.db): Promise<boolean> {
    const row = await executor
      .selectFrom('sessions')
      .select('id')
      .where('app_id', '=', appId)
      .where('id', 'in', ids)
      .where('status', '=', 'completed')
      .executeTakeFirst();
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
