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
  'mono.events.account_income',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/**
 * Where a webhook delivery stands (`/v2/webhooks/deliveries`) [Relink]: `pending`, not attempted
 * yet; `failing`, attempted and failed, to be tried again at `next_attempt_at`; `succeeded`;
 * `failed`, given up (the retry schedule ran out, a 410, or nowhere to send it). Undelivered is
 * `pending` or `failing`.
 */
export const DELIVERY_STATUSES = ['pending', 'failing', 'succeeded', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATUSES)[number];

/** Where a reauth session's 102 continues [Relink]: a new login, or the MFA answer. */
export const REAUTH_NEXT = { login: '/v2/connect/reauth/login', commit: '/v2/connect/commit' } as const;
