import type { Db } from '../db/database.ts';
import type { EpisodeOutcome, ReauthCause } from '../db/schema.ts';
import { newId } from '../lib/ids.ts';

/** A step a person takes in a re-authorisation, as an episode notes it (its first time). */
export type EpisodeStep = 'session' | 'login' | 'challenge';

/**
 * The `reauth_episodes` rows (migration 0020): every write is one statement inside the
 * transaction of the change it records, so an episode cannot disagree with its account. An
 * account has at most one open episode (`ended_at` null): it begins only where the account
 * moves into `reauth_required`, and every change that clears that flag ends it.
 */
export class EpisodeStore {
  async begin(trx: Db, episode: { appId: string; accountId: string; institutionId: string; cause: ReauthCause; at: number }): Promise<void> {
    await trx
      .insertInto('reauth_episodes')
      .values({
        id: newId('rep'),
        app_id: episode.appId,
        account_id: episode.accountId,
        institution_id: episode.institutionId,
        cause: episode.cause,
        started_at: episode.at,
        sessions: 0,
      })
      .execute();
  }

  /** Notes `step` on the account's open episode, if it has one: the first time stays. */
  async note(trx: Db, accountId: string, step: EpisodeStep, at: number): Promise<void> {
    const open = trx.updateTable('reauth_episodes').where('account_id', '=', accountId).where('ended_at', 'is', null);
    if (step === 'session') {
      await open.set((eb) => ({ sessions: eb('sessions', '+', 1), session_at: eb.fn.coalesce('session_at', eb.val(at)) })).execute();
    } else {
      const column = step === 'login' ? 'login_at' : 'challenge_at';
      await open
        .set(step === 'login' ? { login_at: at } : { challenge_at: at })
        .where(column, 'is', null)
        .execute();
    }
  }

  async end(trx: Db, accountId: string, outcome: EpisodeOutcome, at: number): Promise<void> {
    await trx.updateTable('reauth_episodes').set({ ended_at: at, outcome }).where('account_id', '=', accountId).where('ended_at', 'is', null).execute();
  }
}
