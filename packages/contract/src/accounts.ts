import { Type, type Static } from 'typebox';
import { Nullable } from './envelope.ts';

/** Path parameter of every account operation. */
export const AccountId = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{24}$', description: '24-hex account id' }) });

const DataStatus = Type.Enum(['AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED', 'PROCESSING']);

/** `GET /accounts/{id}`: Mono's v1 account (camelCase, `_id`). */
export const AccountV1 = Type.Object({
  meta: Type.Object({
    data_status: DataStatus,
    auth_method: Type.String(),
    reauth_required: Type.Boolean({ description: 'The account waits for re-authorisation [Relink]' }),
    last_synced_at: Nullable(Type.String({ description: 'When data was last synced, ISO 8601 [Relink]' })),
  }),
  account: Type.Object({
    _id: Type.String(),
    institution: Type.Object({ name: Type.String(), bankCode: Type.String(), type: Type.String() }),
    name: Type.String(),
    accountNumber: Type.String(),
    type: Type.String(),
    balance: Nullable(Type.Integer()),
    currency: Type.String(),
    bvn: Nullable(Type.String()),
  }),
});
export type AccountV1 = Static<typeof AccountV1>;

/** `GET /v2/accounts/{id}`'s `data` (snake case). */
export const AccountV2 = Type.Object({
  account: Type.Object({
    id: Type.String(),
    name: Type.String(),
    currency: Type.String(),
    type: Type.String(),
    account_number: Type.String(),
    balance: Nullable(Type.Integer()),
    bvn: Nullable(Type.String()),
    institution: Type.Object({ name: Type.String(), bank_code: Type.String(), type: Type.String() }),
  }),
  customer: Type.Object({ id: Type.String() }),
  meta: Type.Object({
    data_status: DataStatus,
    auth_method: Type.String(),
    retrieved_data: Type.Array(Type.String()),
    reauth_required: Type.Boolean({ description: 'The account waits for re-authorisation: no sync runs until it is re-authorised [Relink]' }),
    last_synced_at: Nullable(Type.String({ description: 'When data was last synced, ISO 8601 [Relink]' })),
    last_sync_error: Nullable(Type.String({ description: 'Why the last sync did not succeed; null after a successful one [Relink]' })),
    reauth_due_at: Nullable(
      Type.String({
        description:
          'When the bank stops accepting the stored login (a consent that lapses, a password it expires), as its connector says; re-authorise before then. Null when the bank does not say [Relink]',
      }),
    ),
  }),
});
export type AccountV2 = Static<typeof AccountV2>;

/**
 * How current the stored data a data route answers is [Relink]: on the balance, identity and
 * transactions of v1 and v2 (the account's details carry the same fields in their own `meta`),
 * so data kept from before a re-authorisation was needed never passes for fresh.
 */
export const DataMeta = Type.Object({
  reauth_required: Type.Boolean({
    description: 'The account waits for re-authorisation: this is the data of the last sync before it, and no sync runs until the user re-authorises [Relink]',
  }),
  last_synced_at: Nullable(Type.String({ description: 'When this data was last synced from the bank, ISO 8601 [Relink]' })),
});
export type DataMeta = Static<typeof DataMeta>;

export const Balance = Type.Object({
  id: Type.String(),
  name: Type.String(),
  account_number: Type.String(),
  balance: Nullable(Type.Integer()),
  currency: Type.String(),
});
export type Balance = Static<typeof Balance>;

export const IdentityV2 = Type.Object({
  full_name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  bvn: Nullable(Type.String()),
  gender: Nullable(Type.String()),
  date_of_birth: Nullable(Type.String()),
  address: Nullable(Type.String()),
});
export type IdentityV2 = Static<typeof IdentityV2>;

/** One transaction, the same object on v1 and v2. Amounts are in kobo. */
export const Transaction = Type.Object({
  _id: Type.String(),
  type: Type.Enum(['debit', 'credit']),
  amount: Type.Integer(),
  narration: Type.String(),
  date: Type.String(),
  balance: Type.Integer(),
  currency: Type.String(),
});
export type Transaction = Static<typeof Transaction>;

/**
 * Every number a client sends has both bounds, so none reaches the database as a value it cannot
 * hold or a double that rounded: 1,000,000 pages of 500 is more history than any bank returns.
 */
export const TransactionsQuery = Type.Object({
  start: Type.Optional(Type.String({ description: 'From this date (DD-MM-YYYY or ISO 8601)' })),
  end: Type.Optional(Type.String({ description: 'Up to this date (DD-MM-YYYY or ISO 8601)' })),
  narration: Type.Optional(Type.String({ maxLength: 100 })),
  type: Type.Optional(Type.Enum(['debit', 'credit'])),
  paginate: Type.Optional(Type.Boolean({ default: true })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20 })),
});
export type TransactionsQuery = Static<typeof TransactionsQuery>;

const SWITCH = ['true', 'false', 'True', 'False', 'TRUE', 'FALSE'];

/**
 * Mono's real-time data: `true` makes the call a live bank call through the account's stored
 * login, under Relink's bound of one per account per `RELINK_REALTIME_INTERVAL`. Mono's guides
 * spell it `x-realtime`, its API reference `x-real-time`: both are read.
 */
export const RealtimeHeaders = Type.Object({
  'x-realtime': Type.Optional(Type.Enum(SWITCH, { description: '`true`: fetch from the bank now, not the last sync (Mono real-time data)' })),
  'x-real-time': Type.Optional(Type.Enum(SWITCH, { description: 'The same as `x-realtime`, as Mono’s API reference spells it' })),
});
export type RealtimeHeaders = Static<typeof RealtimeHeaders>;

/** What a real-time job fetches, by the call that started it: balance (and details) or transactions. */
export const JOB_NAMES = ['jobs.accounts.sync_balance', 'jobs.accounts.sync_statement'] as const;
export const JOB_STATUSES = ['processing', 'finished', 'failed'] as const;

/** Path parameters of `GET /v2/accounts/{id}/jobs/{jobId}`. */
export const JobParams = Type.Object({ ...AccountId.properties, jobId: Type.String({ pattern: '^[0-9a-f]{24}$', description: 'From `x-job-id`' }) });

/** A real-time job: Mono's `{id, status, name, account, app}`, and what Relink adds. */
export const RealtimeJob = Type.Object({
  id: Type.String(),
  status: Type.Enum([...JOB_STATUSES]),
  name: Type.Enum([...JOB_NAMES]),
  account: Type.String(),
  app: Type.String(),
  has_new_data: Type.Boolean({ description: 'The bank had transactions or a balance the account did not [Relink]' }),
  reauth_required: Type.Boolean({ description: 'It failed because the bank wants the user to re-authorise [Relink]' }),
  error: Nullable(Type.String({ description: 'Why it failed [Relink]' })),
  created_at: Type.String({ description: 'ISO 8601 [Relink]' }),
  finished_at: Nullable(Type.String({ description: 'ISO 8601 [Relink]' })),
});
export type RealtimeJob = Static<typeof RealtimeJob>;

/** `page` and `limit` of a paged operator list. */
export const PageQuery = {
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};

/** A reauth token: 20 characters, single use, 10 minutes. */
export const ReauthToken = Type.String({
  pattern: '^[0-9A-Za-z]{20}$',
  description: 'Single use, 10 minutes; send it as `reauth_token` to POST /v1/connect/session',
});

const Since = (what: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: `${what} (ISO 8601 date or date-time, or DD-MM-YYYY) [Relink]` }));

/**
 * `GET /v2/accounts`: Mono pages the list with `page` (and `limit`), and its clients also send
 * `customer`; every other filter is Relink's, named for what it selects. A page holds at most 100.
 */
export const AccountsQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  reauth_required: Type.Optional(
    Type.Boolean({ description: 'Only accounts that wait for re-authorisation (true), or only those that do not (false) [Relink]' }),
  ),
  institution: Type.Optional(
    Type.String({ pattern: '^[0-9a-f]{24}$', description: 'Only accounts at this institution (its 24-hex id, as in GET /v3/institutions) [Relink]' }),
  ),
  customer: Type.Optional(Type.String({ pattern: '^[0-9a-f]{24}$', description: "Only this customer's accounts (the 24-hex customer id)" })),
  data_status: Type.Optional(DataStatus),
  linked_since: Since('Only accounts linked at or after this time'),
  linked_before: Since('Only accounts linked before this time'),
  synced_since: Since('Only accounts whose last data sync finished at or after this time'),
  not_synced_since: Since('Only accounts with no data sync finished at or after this time (never synced included): the stale ones'),
});
export type AccountsQuery = Static<typeof AccountsQuery>;

/**
 * One account of `GET /v2/accounts` (Mono's list item: flat, snake case, `institution` with its
 * id and `customer` with its name), with the account's state beside it [Relink].
 */
export const AccountListItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  account_number: Type.String(),
  currency: Type.String(),
  balance: Nullable(Type.Integer()),
  type: Type.String(),
  bvn: Nullable(Type.String()),
  auth_method: Type.String(),
  status: DataStatus,
  institution: Type.Object({ id: Type.String(), name: Type.String(), bank_code: Type.String(), type: Type.String() }),
  customer: Type.Object({ id: Type.String(), name: Nullable(Type.String()) }),
  data_status: DataStatus,
  retrieved_data: Type.Array(Type.String()),
  reauth_required: Type.Boolean({ description: 'The account waits for re-authorisation [Relink]' }),
  last_synced_at: Nullable(Type.String({ description: 'When data was last synced, ISO 8601 [Relink]' })),
  last_sync_error: Nullable(Type.String({ description: 'Why the last sync did not succeed [Relink]' })),
  created_at: Type.String({ description: 'When the account was linked, ISO 8601 [Relink]' }),
  updated_at: Type.String(),
});
export type AccountListItem = Static<typeof AccountListItem>;
