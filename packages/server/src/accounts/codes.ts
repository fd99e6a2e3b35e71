import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { newCode } from '../lib/ids.ts';
import { hashSecret } from '../lib/secrets.ts';
import { DomainError } from '../lib/errors.ts';
import { spendOnce } from '../db/single_use.ts';

/**
 * Auth codes: single-use, short-lived, stored only as hashes. Consuming one is a single
 * guarded update, so of two concurrent exchanges exactly one gets the account id.
 */
export class Codes {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async issue(executor: Db, input: { appId: string; accountId: string; sessionId: string }): Promise<string> {
    const code = newCode();
    const now = this.clock.now();
    await executor
      .insertInto('codes')
      .values({
        hash: hashSecret(code),
        app_id: input.appId,
        account_id: input.accountId,
        session_id: input.sessionId,
        expires_at: now + this.ttlMs,
        used_at: null,
        created_at: now,
      })
      .execute();
    return code;
  }

  async exchange(appId: string, code: string): Promise<string> {
    const accountId = await spendOnce(this.db, 'codes', appId, code, this.clock.now());
    if (!accountId) throw new DomainError('CODE_INVALID', 'Invalid code: it is unknown, expired or already used');
    return accountId;
  }

  /**
   * Spends `code` only if session `sessionId` of `appId` issued it: one guarded update, so a
   * code of any other session stays unspent. The demo page's exchange (connect/demo.ts).
   */
  exchangeFromSession(executor: Db, appId: string, sessionId: string, code: string): Promise<string | undefined> {
    return spendOnce(executor, 'codes', appId, code, this.clock.now(), sessionId);
  }
}
