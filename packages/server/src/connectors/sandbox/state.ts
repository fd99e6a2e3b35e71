import { createHash, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';

/**
 * The sandbox bank's own records, as a real bank keeps them: a user whose password was changed
 * (stored hashed) and a user the bank will ask for MFA on the next login. Kept in a store so
 * that it survives a restart and every Relink instance sees the same bank.
 */
export interface SandboxUserRecord {
  /** SHA-256 of the changed password; absent while the password is the default. */
  passwordHash?: string | undefined;
  /** The next login asks for an OTP, whatever the user's scenario. */
  forceMfa: boolean;
}

/** A bank user whose password is not the default, at one institution. */
export interface ChangedPassword {
  institutionId: string;
  username: string;
  passwordHash: string;
}

export interface SandboxBankState {
  get(institutionId: string, username: string): Promise<SandboxUserRecord | undefined>;
  setPassword(institutionId: string, username: string, password: string): Promise<void>;
  setForceMfa(institutionId: string, username: string, on: boolean): Promise<void>;
  /** The users among `usernames` whose password was changed, at every institution. */
  changedPasswords(usernames: readonly string[]): Promise<ChangedPassword[]>;
  /** Forgets every user's record: each is back to the default password and no forced MFA. Returns how many had either. */
  clear(): Promise<number>;
}

export const hashPassword = (password: string) => createHash('sha256').update(password).digest('hex');

export function passwordMatches(record: SandboxUserRecord | undefined, password: string, fallback: string): boolean {
  const expected = record?.passwordHash ?? hashPassword(fallback);
  return timingSafeEqual(Buffer.from(hashPassword(password), 'hex'), Buffer.from(expected, 'hex'));
}

/** In memory: for a bank constructed on its own (connector tests). */
export class MemorySandboxState implements SandboxBankState {
  readonly #users = new Map<string, SandboxUserRecord>();
  async get(institutionId: string, username: string) {
    return this.#users.get(`${institutionId}:${username}`);
  }
  async setPassword(institutionId: string, username: string, password: string) {
    const key = `${institutionId}:${username}`;
    this.#users.set(key, { forceMfa: false, ...this.#users.get(key), passwordHash: hashPassword(password) });
  }
  async setForceMfa(institutionId: string, username: string, on: boolean) {
    const key = `${institutionId}:${username}`;
    this.#users.set(key, { ...this.#users.get(key), forceMfa: on });
  }
  async changedPasswords(usernames: readonly string[]) {
    return [...this.#users].flatMap(([key, record]) => {
      const at = key.indexOf(':');
      const [institutionId, username] = [key.slice(0, at), key.slice(at + 1)];
      return record.passwordHash && usernames.includes(username) ? [{ institutionId, username, passwordHash: record.passwordHash }] : [];
    });
  }
  async clear() {
    const count = [...this.#users.values()].filter((r) => r.passwordHash || r.forceMfa).length;
    this.#users.clear();
    return count;
  }
}

/** In the database (table `sandbox_bank_users`): what the server uses. */
export class DatabaseSandboxState implements SandboxBankState {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async get(institutionId: string, username: string): Promise<SandboxUserRecord | undefined> {
    const row = await this.db
      .selectFrom('sandbox_bank_users')
      .select(['password_hash', 'force_mfa'])
      .where('institution_id', '=', institutionId)
      .where('username', '=', username)
      .executeTakeFirst();
    return row && { passwordHash: row.password_hash ?? undefined, forceMfa: row.force_mfa === 1 };
  }

  setPassword(institutionId: string, username: string, password: string) {
    return this.upsert(institutionId, username, { password_hash: hashPassword(password) });
  }

  setForceMfa(institutionId: string, username: string, on: boolean) {
    return this.upsert(institutionId, username, { force_mfa: on ? 1 : 0 });
  }

  async changedPasswords(usernames: readonly string[]): Promise<ChangedPassword[]> {
    if (usernames.length === 0) return [];
    const rows = await this.db
      .selectFrom('sandbox_bank_users')
      .select(['institution_id', 'username', 'password_hash'])
      .where('username', 'in', [...usernames])
      .where('password_hash', 'is not', null)
      .orderBy('institution_id')
      .orderBy('username')
      .execute();
    return rows.map((row) => ({ institutionId: row.institution_id, username: row.username, passwordHash: row.password_hash! }));
  }

  async clear(): Promise<number> {
    // The users that had something to undo, then the records left behind by an OTP already answered.
    const changed = await this.db
      .deleteFrom('sandbox_bank_users')
      .where((eb) => eb.or([eb('password_hash', 'is not', null), eb('force_mfa', '=', 1)]))
      .executeTakeFirst();
    await this.db.deleteFrom('sandbox_bank_users').execute();
    return Number(changed.numDeletedRows);
  }

  private async upsert(institutionId: string, username: string, changes: { password_hash?: string; force_mfa?: number }) {
    const now = this.clock.now();
    await this.db
      .insertInto('sandbox_bank_users')
      .values({ institution_id: institutionId, username, password_hash: null, force_mfa: 0, ...changes, updated_at: now })
      .onConflict((oc) => oc.columns(['institution_id', 'username']).doUpdateSet({ ...changes, updated_at: now }))
      .execute();
  }
}
