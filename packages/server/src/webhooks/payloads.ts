import { type Account, payloads } from '../accounts/model.ts';
import type { EventType } from '../events/events.ts';
import { newObjectId } from '../lib/ids.ts';

/**
 * The `data` of each event for an account (docs/contract.md §6), built by the same functions the real
 * state changes use, so a partner rehearsing with the sandbox fire helper gets the real shapes.
 * The income analysis reads the account's transactions: `WebhookDeps.incomeEventData` makes it.
 */
export function accountEventData(type: Exclude<EventType, 'mono.events.account_income'>, account: Account): unknown {
  switch (type) {
    case 'mono.events.account_connected':
      return payloads.accountConnected(account);
    case 'mono.events.account_updated':
      return payloads.accountUpdated(account);
    case 'mono.events.sync_failed':
      return payloads.syncFailed(account.id, 'sandbox: fired by the sandbox webhook helper');
    case 'mono.events.reauthorisation_due':
      return payloads.reauthDue(account.id, account.loginExpiresAt ?? account.updatedAt + 7 * 86_400_000);
    case 'mono.events.reauthorisation_required':
    case 'mono.events.account_reauthorized':
    case 'mono.events.account_unlinked':
      return payloads.accountOnly(account.id);
    case 'mono.accounts.jobs.update':
      return payloads.jobUpdated({ id: newObjectId(), accountId: account.id, appId: account.appId, name: 'jobs.accounts.sync_balance', status: 'finished' });
  }
}
