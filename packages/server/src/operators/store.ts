import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AuditRow, OperatorRow, OperatorSessionRow } from '../db/schema.ts';

/** Operators, their sessions, sign-in failures and the audit log: rows only (OperatorService owns it). */
export class OperatorStore {
  constructor(private readonly db: Db) {}

  count(): Promise<number> {
    return this.db
      .selectFrom('operators')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.n));
  }

  list(): Promise<OperatorRow[]> {
    return this.db.selectFrom('operators').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  byEmail(email: string): Promise<OperatorRow | undefined> {
    return this.db.selectFrom('operators').selectAll().where('email', '=', email).executeTakeFirst();
  }

  byId(id: string): Promise<OperatorRow | undefined> {
    return this.db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
  }

  bySetupToken(hash: string, now: number): Promise<OperatorRow | undefined> {
    return this.db.selectFrom('operators').selectAll().where('setup_token_hash', '=', hash).where('setup_expires_at', '>', now).executeTakeFirst();
  }

  /** Inserts an operator; false when the email is taken (the unique index decides a race). */
  async insert(row: OperatorRow, step?: string): Promise<boolean> {
    try {
      await this.db.transaction().execute(async (trx) => {
        // First, so of two processes doing the same one-time step exactly one writes anything.
        if (step) await trx.insertInto('bootstrap_steps').values({ step, done_at: row.created_at }).execute();
        await trx.insertInto('operators').values(row).execute();
      });
      return true;
    } catch (error) {
      if (row.email && (await this.byEmail(row.email))) return false;
      if (step && (await this.db.selectFrom('bootstrap_steps').select('step').where('step', '=', step).executeTakeFirst())) return false;
      throw error;
    }
  }

  /**
   * Spends a set-up token: sets the password (and the email, when the operator has none) in one
   * guarded update, so a token works once however many requests race with it.
   */
  async spendSetupToken(hash: string, now: number, changes: { password_hash: string; email: string | null }): Promise<string | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('operators')
        .select(['id', 'email'])
        .where('setup_token_hash', '=', hash)
        .where('setup_expires_at', '>', now)
        .executeTakeFirst();
      if (!row) return undefined;
      const result = await trx
        .updateTable('operators')
        .set({ password_hash: changes.password_hash, email: row.email ?? changes.email, setup_token_hash: null, setup_expires_at: null, updated_at: now })
        .where('id', '=', row.id)
        .where('setup_token_hash', '=', hash)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? row.id : undefined;
    });
  }

  /** A new set-up token for the operator; with `clearPassword` the old password stops working too. */
  async setSetupToken(id: string, hash: string, expiresAt: number, now: number, clearPassword: boolean): Promise<boolean> {
    const result = await this.db
      .updateTable('operators')
      .set({ setup_token_hash: hash, setup_expires_at: expiresAt, updated_at: now, ...(clearPassword ? { password_hash: null } : {}) })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async updatePassword(id: string, passwordHash: string, now: number): Promise<void> {
    await this.db.updateTable('operators').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', id).execute();
  }

  async signedIn(id: string, now: number): Promise<void> {
    await this.db.updateTable('operators').set({ last_sign_in_at: now }).where('id', '=', id).execute();
  }

  async remove(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('operator_sessions').where('operator_id', '=', id).execute();
      const result = await trx.deleteFrom('operators').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    });
  }

  async insertSession(row: OperatorSessionRow): Promise<void> {
    await this.db.insertInto('operator_sessions').values(row).execute();
  }

  session(idHash: string): Promise<(OperatorSessionRow & { email: string | null }) | undefined> {
    return this.db
      .selectFrom('operator_sessions')
      .innerJoin('operators', 'operators.id', 'operator_sessions.operator_id')
      .selectAll('operator_sessions')
      .select('operators.email')
      .where('operator_sessions.id_hash', '=', idHash)
      .executeTakeFirst();
  }

  async touchSession(idHash: string, now: number): Promise<void> {
    await this.db.updateTable('operator_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).where('last_seen_at', '<', now).execute();
  }

  async deleteSession(idHash: string): Promise<boolean> {
    const result = await this.db.deleteFrom('operator_sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async deleteSessionsOf(operatorId: string): Promise<number> {
    const result = await this.db.deleteFrom('operator_sessions').where('operator_id', '=', operatorId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Sessions past either expiry, of every operator. */
  async deleteExpiredSessions(now: number, idleBefore: number): Promise<void> {
    await this.db
      .deleteFrom('operator_sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)]))
      .execute();
  }

  /**
   * Counts one failure against `subject` unless it already has `max` in the current window:
   * one guarded upsert, so concurrent attempts on any instance cannot all slip under the cap.
   * Returns false when the cap is reached (nothing counted).
   */
  async reserveFailure(subject: string, max: number, now: number, windowMs: number): Promise<boolean> {
    const expired = now - windowMs;
    const row = await this.db
      .insertInto('operator_sign_in_failures')
      .values({ subject, failures: 1, window_start: now })
      .onConflict((oc) =>
        oc
          .column('subject')
          .doUpdateSet({
            failures: sql<number>`case when operator_sign_in_failures.window_start <= ${expired} then 1 else operator_sign_in_failures.failures + 1 end`,
            window_start: sql<number>`case when operator_sign_in_failures.window_start <= ${expired} then ${now} else operator_sign_in_failures.window_start end`,
          })
          .where((eb) => eb.or([eb('operator_sign_in_failures.window_start', '<=', expired), eb('operator_sign_in_failures.failures', '<', max)])),
      )
      .returning('failures')
      .executeTakeFirst();
    return row !== undefined;
  }

  windowStart(subject: string): Promise<number | undefined> {
    return this.db
      .selectFrom('operator_sign_in_failures')
      .select('window_start')
      .where('subject', '=', subject)
      .executeTakeFirst()
      .then((row) => row?.window_start);
  }

  async refundFailure(subject: string): Promise<void> {
    await this.db
      .updateTable('operator_sign_in_failures')
      .set({ failures: sql<number>`failures - 1` })
      .where('subject', '=', subject)
      .where('failures', '>', 0)
      .execute();
  }

  /** Counts whose window has passed: they limit nothing any more. */
  async deleteStaleFailures(before: number): Promise<void> {
    await this.db.deleteFrom('operator_sign_in_failures').where('window_start', '<=', before).execute();
  }

  async clearFailures(subject: string): Promise<void> {
    await this.db.deleteFrom('operator_sign_in_failures').where('subject', '=', subject).execute();
  }

  async insertAudit(row: AuditRow): Promise<void> {
    await this.db.insertInto('audit_log').values(row).execute();
  }

  async audit(page: { limit: number; offset: number }): Promise<{ rows: AuditRow[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
      this.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }
}
