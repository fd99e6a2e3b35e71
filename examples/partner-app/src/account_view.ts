import type { ReauthTracker } from '@relink/sdk';
import type { PartnerDb, User } from './db.ts';
import { RelinkError, type Relink } from './relink.ts';
import type { AccountView } from './views/dashboard.ts';

/**
 * What the dashboard shows for a user's linked account, read from Relink on every view (so it
 * is as fresh as Relink's last sync). Relink's `meta.reauth_required` is also a check on the
 * webhook: when it disagrees with the user's row, a delivery was missed or is still on its
 * way, and the tracker's `reconcile` takes Relink's word.
 */
export async function loadAccount(
  deps: { db: PartnerDb; relink: Relink; tracker: ReauthTracker },
  user: User,
): Promise<{ user: User; account?: AccountView; error?: string }> {
  if (!user.accountId) return { user };
  try {
    const [details, transactions] = await Promise.all([
      deps.relink.accounts.get(user.accountId),
      deps.relink.accounts.transactions(user.accountId, { limit: 5 }),
    ]);
    if (details.meta.reauth_required !== user.reauthRequired) {
      await deps.tracker.reconcile([user.accountId]);
      user = deps.db.users.get(user.id)!;
    }
    return { user, account: { details, transactions: transactions.data } };
  } catch (error) {
    if (error instanceof RelinkError && error.status === 404)
      return { user, error: 'This bank account is no longer linked. Link it again to keep your loan offer.' };
    return { user, error: 'We could not reach your bank data just now. Try again in a minute.' };
  }
}
