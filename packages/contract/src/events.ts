/**
 * The webhook events Relink sends (docs/contract.md §6), as schemas and the types a partner switches
 * on. Every body is `{event, event_id, timestamp, data}`; `data` depends on `event`. Mono's
 * casing is kept: camelCase and `_id`. Their names are in names.ts.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { JOB_NAMES, JOB_STATUSES } from './accounts.ts';
import { Nullable } from './envelope.ts';
import { Income, InsightsMeta } from './insights.ts';
import type { EventName } from './names.ts';

export { EVENT_NAMES, type EventName } from './names.ts';

export const AccountRef = Type.Object({ account: Type.Object({ _id: Type.String() }) });
export type AccountRef = Static<typeof AccountRef>;

export const AccountConnectedData = Type.Object({
  id: Type.String(),
  customer: Type.String(),
  meta: Type.Object({ data_status: Type.Literal('PROCESSING'), auth_method: Type.String(), ref: Type.Optional(Type.String()) }),
});
export type AccountConnectedData = Static<typeof AccountConnectedData>;

export const SYNC_STATUSES = ['SUCCESSFUL', 'FAILED', 'REAUTHORISATION_REQUIRED'] as const;

export const AccountUpdatedData = Type.Object({
  account: Type.Object({
    _id: Type.String(),
    name: Type.String(),
    accountNumber: Type.String(),
    currency: Type.String(),
    balance: Nullable(Type.Integer()),
    type: Type.String(),
    bvn: Nullable(Type.String()),
    authMethod: Type.String(),
    institution: Type.Object({ name: Type.String(), bankCode: Type.String(), type: Type.String() }),
    created_at: Type.String(),
    updated_at: Type.String(),
  }),
  meta: Type.Object({
    data_status: Type.Enum(['AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED', 'PROCESSING']),
    auth_method: Type.String(),
    retrieved_data: Type.Array(Type.String()),
    sync_status: Type.Optional(Type.Enum([...SYNC_STATUSES])),
    sync_error: Type.Optional(Type.String({ description: 'Why the sync did not succeed [Relink]' })),
    job_id: Type.Optional(Type.String({ description: 'The real-time job (`x-job-id`) this sync ran for' })),
    has_new_data: Type.Optional(Type.Literal(true, { description: 'On a real-time job’s sync, when the bank had something new' })),
  }),
});
export type AccountUpdatedData = Static<typeof AccountUpdatedData>;

/** `mono.accounts.jobs.update`: a real-time job finished (Mono sends `account` as the id string here). */
export const JobUpdateData = Type.Object({
  account: Type.String(),
  app: Type.String(),
  id: Type.String(),
  name: Type.Enum([...JOB_NAMES]),
  status: Type.Enum([...JOB_STATUSES]),
});
export type JobUpdateData = Static<typeof JobUpdateData>;

/**
 * `mono.events.reauthorisation_due` [Relink]: the bank will stop accepting the account's stored
 * login at `reauth_due_at` (a consent that lapses, a password it expires), as its connector
 * said; sent once per expiry, `RELINK_REAUTH_DUE_LEAD_HOURS` before it, so the partner can ask
 * the user to re-authorise before the data stops.
 */
export const ReauthDueData = Type.Object({
  account: Type.Object({ _id: Type.String() }),
  reauth_due_at: Type.String({ format: 'date-time', description: 'When the bank stops accepting the stored login, ISO 8601' }),
});
export type ReauthDueData = Static<typeof ReauthDueData>;

export const SyncFailedData = Type.Object({ ...AccountRef.properties, reason: Type.String() });
export type SyncFailedData = Static<typeof SyncFailedData>;

const { account: _account, ...analysis } = Income.properties;

/**
 * `mono.events.account_income`: an income analysis asked for with `GET /v2/accounts/{id}/income`
 * is ready. Mono's flat shape: `account` (the id string), `app`, the holder's name and number,
 * then the analysis's fields, as `GET /v2/accounts/{id}/income` answers them; Relink adds `meta`.
 */
export const AccountIncomeData = Type.Object({
  account: Type.String(),
  app: Type.String(),
  account_name: Type.String(),
  account_number: Type.String(),
  ...analysis,
  meta: Type.Object(InsightsMeta.properties, { description: 'How fresh the data the analysis comes from is [Relink]' }),
});
export type AccountIncomeData = Static<typeof AccountIncomeData>;

const eventOf = <const E extends EventName, D extends TSchema>(event: E, data: D) =>
  Type.Object({ event: Type.Literal(event), event_id: Type.String(), timestamp: Type.String({ format: 'date-time' }), data });

/** Each event's `data`, by name. */
export const EVENT_DATA = {
  'mono.events.account_connected': AccountConnectedData,
  'mono.events.account_updated': AccountUpdatedData,
  'mono.events.reauthorisation_required': AccountRef,
  'mono.events.reauthorisation_due': ReauthDueData,
  'mono.events.account_reauthorized': AccountRef,
  'mono.events.sync_failed': SyncFailedData,
  'mono.events.account_unlinked': AccountRef,
  'mono.accounts.jobs.update': JobUpdateData,
  'mono.events.account_income': AccountIncomeData,
} as const;

/** Any webhook body Relink sends: a union on `event`. */
export const RelinkEvent = Type.Union([
  eventOf('mono.events.account_connected', AccountConnectedData),
  eventOf('mono.events.account_updated', AccountUpdatedData),
  eventOf('mono.events.reauthorisation_required', AccountRef),
  eventOf('mono.events.reauthorisation_due', ReauthDueData),
  eventOf('mono.events.account_reauthorized', AccountRef),
  eventOf('mono.events.sync_failed', SyncFailedData),
  eventOf('mono.events.account_unlinked', AccountRef),
  eventOf('mono.accounts.jobs.update', JobUpdateData),
  eventOf('mono.events.account_income', AccountIncomeData),
]);
export type RelinkEvent = Static<typeof RelinkEvent>;

/** The `data` of the event named `E`. */
export type EventData<E extends EventName> = Static<(typeof EVENT_DATA)[E]>;

/** The account an event is about. */
export function accountOf(event: RelinkEvent): string {
  if (event.event === 'mono.events.account_connected') return event.data.id;
  if (event.event === 'mono.accounts.jobs.update' || event.event === 'mono.events.account_income') return event.data.account;
  return event.data.account._id;
}
