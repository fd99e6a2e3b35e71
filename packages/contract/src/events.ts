/**
 * The webhook events Relink sends (CONTRACT §6), as types a partner can switch on. Every body
 * is `{event, event_id, timestamp, data}`; `data` depends on `event`. Mono's casing is kept:
 * camelCase and `_id`.
 */
export const EVENT_NAMES = [
  'mono.events.account_connected',
  'mono.events.account_updated',
  'mono.events.reauthorisation_required',
  'mono.events.account_reauthorized',
  'mono.events.sync_failed',
  'mono.events.account_unlinked',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export interface AccountRef {
  account: { _id: string };
}

export interface AccountConnectedData {
  id: string;
  customer: string;
  meta: { data_status: 'PROCESSING'; auth_method: string; ref?: string };
}

export interface AccountUpdatedData {
  account: {
    _id: string;
    name: string;
    accountNumber: string;
    currency: string;
    balance: number | null;
    type: string;
    bvn: string | null;
    authMethod: string;
    institution: { name: string; bankCode: string; type: string };
    created_at: string;
    updated_at: string;
  };
  meta: {
    data_status: 'AVAILABLE' | 'PARTIAL' | 'UNAVAILABLE' | 'FAILED' | 'PROCESSING';
    auth_method: string;
    retrieved_data: string[];
    sync_status?: 'SUCCESSFUL' | 'FAILED' | 'REAUTHORISATION_REQUIRED';
    /** Why the sync did not succeed [Relink]. */
    sync_error?: string;
  };
}

interface EventBase<E extends EventName, D> {
  event: E;
  event_id: string;
  timestamp: string;
  data: D;
}

export type RelinkEvent =
  | EventBase<'mono.events.account_connected', AccountConnectedData>
  | EventBase<'mono.events.account_updated', AccountUpdatedData>
  | EventBase<'mono.events.reauthorisation_required', AccountRef>
  | EventBase<'mono.events.account_reauthorized', AccountRef>
  | EventBase<'mono.events.sync_failed', AccountRef & { reason: string }>
  | EventBase<'mono.events.account_unlinked', AccountRef>;

/** The account an event is about. */
export function accountOf(event: RelinkEvent): string {
  return event.event === 'mono.events.account_connected' ? event.data.id : event.data.account._id;
}
