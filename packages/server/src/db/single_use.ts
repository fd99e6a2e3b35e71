import { sql } from 'kysely';
import type { Db } from './database.ts';
import { hashSecret } from '../lib/secrets.ts';

/**
 * Spends a single-use secret (an auth code or a reauth token) of `appId`: one guarded update,
 * so of two concurrent spends exactly one wins. Returns the account it was issued for, or
 * undefined when it is unknown, another app's, expired or already used. With `sessionId`
 * (codes only), a code another session issued is left unspent too.
 */
export async function spendOnce(
  executor: Db,
  table: 'codes' | 'reauth_tokens',
  appId: string,
  secret: string,
  now: number,
  sessionId?: string,
): Promise<string | undefined> {
  const hash = hashSecret(secret);
  const result = await executor
    .updateTable(table)
    .set({ used_at: now })
    .where('hash', '=', hash)
    .where('app_id', '=', appId)
    .$if(sessionId !== undefined, (q) => q.where(sql.ref('session_id'), '=', sessionId!))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  const row = await executor.selectFrom(table).select('account_id').where('hash', '=', hash).executeTakeFirstOrThrow();
  return row.account_id;
}
