import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import { newReauthToken } from '../lib/ids.ts';
import { hashSecret } from '../lib/secrets.ts';
import { spendOnce } from '../db/single_use.ts';

/**
 * v1 reauth tokens (seed 000, `POST /accounts/{id}/reauthorise`): 20 characters, single use,
 * short-lived, bound to the app and the account, stored only as hashes. Consuming one is a
 * single guarded update inside the transaction that opens the reauth session, so a token is
 * spent exactly when a session is made from it.
 */
export class ReauthTokens {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async issue(appId: string, accountId: string): Promise<{ token: string; expiresAt: number }> {
    const token = newReauthToken();
    const now = this.clock.now();
    const expiresAt = now + this.ttlMs;
    await this.db
      .insertInto('reauth_tokens')
      .values({ hash: hashSecret(token), app_id: appId, account_id: accountId, expires_at: expiresAt, used_at: null, created_at: now })
      .execute();
    return { token, expiresAt };
  }

  /** Spends the token; returns the account it was issued for. */
  async consume(executor: Db, appId: string, token: string): Promise<string> {
    const accountId = await spendOnce(executor, 'reauth_tokens', appId, token, this.clock.now());
    if (!accountId)
      throw new DomainError(
        'TOKEN_INVALID',
        'Invalid reauth_token: it is unknown, expired or already used; get a new one from POST /accounts/{id}/reauthorise',
      );
    return accountId;
  }
}
