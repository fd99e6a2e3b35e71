import type { ReauthState, ReauthStore } from '@relink/sdk';
import type { PartnerDb } from './db.ts';

/**
 * The SDK's ReauthTracker kept in the app's own `users` table: the seed's `reauth_required`
 * and `reauth_code` columns on the row of the user who linked the account. Accounts no user
 * holds are not tracked (an event for one changes nothing).
 */
export class UsersReauthStore implements ReauthStore {
  constructor(private readonly db: PartnerDb) {}
  async get(accountId: string): Promise<ReauthState | undefined> {
    const user = this.db.users.byAccount(accountId);
    return (
      user && { accountId, reauthRequired: user.reauthRequired, reauthCode: user.reauthCode, changedAt: user.reauthChangedAt ?? new Date(0).toISOString() }
    );
  }
  async put(state: ReauthState): Promise<void> {
    this.db.users.setReauth(state.accountId, state.reauthRequired, state.reauthCode, state.changedAt);
  }
  async markSeen(eventId: string): Promise<boolean> {
    return this.db.events.markSeen(eventId);
  }
  async all(): Promise<ReauthState[]> {
    const states: ReauthState[] = [];
    for (const user of this.db.users.all()) {
      if (user.accountId) states.push((await this.get(user.accountId))!);
    }
    return states;
  }
}
