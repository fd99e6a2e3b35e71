/**
 * The contract's plain lists, in a module that loads no schema: what a one-shot `relink`
 * command needs from the contract, importable alone as `@relink/contract/names` (building the
 * schemas cost such a command about 60 ms of CPU). The modules that describe them re-export them.
 */

/** The webhook events Relink sends (docs/contract.md §6). */
export const EVENT_NAMES = [
  'mono.events.account_connected',
  'mono.events.account_updated',
  'mono.events.reauthorisation_required',
  'mono.events.reauthorisation_due',
  'mono.events.account_reauthorized',
  'mono.events.sync_failed',
  'mono.events.account_unlinked',
  'mono.accounts.jobs.update',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Where a webhook delivery stands (`/v2/webhooks/deliveries`). */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

/** Where a reauth session's 102 continues [Relink]: a new login, or the MFA answer. */
export const REAUTH_NEXT = { login: '/v2/connect/reauth/login', commit: '/v2/connect/commit' } as const;
