import { Type } from 'typebox';
import {
  AccountId,
  AccountListItem,
  AccountsQuery,
  AccountV1,
  AccountV2,
  Balance,
  DataMeta,
  IdentityV2,
  JobParams,
  RealtimeHeaders,
  RealtimeJob,
  Transaction,
  TransactionsQuery,
} from '../accounts.ts';
import { Paging, V1Failure, V2Envelope, V2Failure } from '../envelope.ts';
import { operation } from '../operation.ts';

const ACCOUNT = '6a1f2c3d4e5f60718293a4b5';
const REALTIME =
  'With `x-realtime: true` (or `x-real-time: true`) the bank is asked now, through the stored login, at most once per account per `RELINK_REALTIME_INTERVAL` (calls between answer that job): the reply carries `x-job-id`, `x-job-status` (`finished`, `processing`, `failed`), `x-has-new-data: true` and `x-reauth-required`. A refused stored login answers 400 `REAUTHORISATION_REQUIRED`, a bank that does not answer 503 `BANK_UNAVAILABLE`.';
const CodeBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) }, { examples: [{ code: 'code_q90t4ar2uriet5ey4rs22v0x' }] });

/** Mono's bare `{id}`. A code from a re-authorisation gives the original account id. */
export const exchangeCodeV1 = operation({
  method: 'POST',
  path: '/account/auth',
  summary: 'Exchange a code for an account id (v1)',
  tags: ['Accounts'],
  body: CodeBody,
  response: Type.Object({ id: Type.String() }, { examples: [{ id: ACCOUNT }] }),
  failure: V1Failure,
});

/** The v2 envelope with `data:{id}` and the same top-level `id`, so readers of either shape work. */
export const exchangeCode = operation({
  method: 'POST',
  path: '/v2/accounts/auth',
  summary: 'Exchange a code for an account id (v2)',
  tags: ['Accounts'],
  body: CodeBody,
  response: V2Envelope(
    Type.Object({ id: Type.String() }),
    { id: Type.String() },
    {
      examples: [
        { status: 'successful', message: 'Request completed successfully', timestamp: '2026-11-29T12:26:36.853Z', id: ACCOUNT, data: { id: ACCOUNT } },
      ],
    },
  ),
  failure: V2Failure,
});

export const getAccountV1 = operation({
  method: 'GET',
  path: '/accounts/:id',
  summary: 'Account details (v1)',
  tags: ['Accounts'],
  params: AccountId,
  description: REALTIME,
  headers: RealtimeHeaders,
  response: AccountV1,
  failure: V1Failure,
});

export const getAccount = operation({
  method: 'GET',
  path: '/v2/accounts/:id',
  summary: 'Account details (v2)',
  tags: ['Accounts'],
  params: AccountId,
  description: REALTIME,
  headers: RealtimeHeaders,
  response: V2Envelope(AccountV2),
  failure: V2Failure,
});

export const getBalance = operation({
  method: 'GET',
  path: '/v2/accounts/:id/balance',
  summary: 'Account balance (v2)',
  tags: ['Accounts'],
  params: AccountId,
  description: REALTIME,
  headers: RealtimeHeaders,
  response: V2Envelope(Balance, { meta: DataMeta }),
  failure: V2Failure,
});

export const getIdentity = operation({
  method: 'GET',
  path: '/v2/accounts/:id/identity',
  summary: 'Account holder identity from the bank (v2)',
  tags: ['Accounts'],
  params: AccountId,
  response: V2Envelope(IdentityV2, { meta: DataMeta }),
  failure: V2Failure,
});

export const getIdentityV1 = operation({
  method: 'GET',
  path: '/accounts/:id/identity',
  summary: 'Account holder identity from the bank (v1)',
  tags: ['Accounts'],
  params: AccountId,
  response: Type.Object(
    { meta: DataMeta },
    { additionalProperties: true, description: "The bank's identity record as Mono's v1 sends it (`fullName`, `email`, ...), and `meta` [Relink]" },
  ),
  failure: V1Failure,
});

export const listTransactionsV1 = operation({
  method: 'GET',
  path: '/accounts/:id/transactions',
  summary: 'Account transactions (v1)',
  tags: ['Accounts'],
  params: AccountId,
  description: REALTIME,
  headers: RealtimeHeaders,
  query: TransactionsQuery,
  response: Type.Object({ paging: Paging, data: Type.Array(Transaction), meta: DataMeta }),
  failure: V1Failure,
});

export const listTransactions = operation({
  method: 'GET',
  path: '/v2/accounts/:id/transactions',
  summary: 'Account transactions (v2)',
  tags: ['Accounts'],
  params: AccountId,
  description: REALTIME,
  headers: RealtimeHeaders,
  query: TransactionsQuery,
  response: V2Envelope(Type.Array(Transaction), { meta: Type.Object({ ...Paging.properties, ...DataMeta.properties }) }),
  failure: V2Failure,
});

/** A real-time job that `x-job-id` named: Mono's job poll. */
export const getJob = operation({
  method: 'GET',
  path: '/v2/accounts/:id/jobs/:jobId',
  summary: 'A real-time job of the account (v2)',
  description:
    'The job a real-time call (`x-realtime: true`) started, as its `x-job-id` header named it. Only the account’s jobs of the last 24 hours are kept.',
  tags: ['Accounts'],
  params: JobParams,
  response: V2Envelope(RealtimeJob),
  failure: V2Failure,
});

const Done = Type.Object({ status: Type.String(), message: Type.String() });

export const unlinkV1 = operation({
  method: 'POST',
  path: '/accounts/:id/unlink',
  summary: 'Unlink an account: delete its stored credentials and data (v1)',
  tags: ['Accounts'],
  params: AccountId,
  response: Done,
  failure: V1Failure,
});

export const unlink = operation({
  method: 'POST',
  path: '/v2/accounts/:id/unlink',
  summary: 'Unlink an account: delete its stored credentials and data (v2)',
  tags: ['Accounts'],
  params: AccountId,
  response: V2Envelope(Type.Null()),
  failure: V2Failure,
});

export const syncV1 = operation({
  method: 'POST',
  path: '/accounts/:id/sync',
  summary: 'Queue a data sync now (v1)',
  tags: ['Accounts'],
  params: AccountId,
  response: Done,
  failure: V1Failure,
});

export const sync = operation({
  method: 'POST',
  path: '/v2/accounts/:id/sync',
  summary: 'Queue a data sync now (v2)',
  tags: ['Accounts'],
  params: AccountId,
  response: V2Envelope(Type.Object({ status: Type.String() })),
  failure: V2Failure,
});

/** The app's linked accounts, oldest link first, so a new link never shifts a page already read. */
export const listAccounts = operation({
  method: 'GET',
  path: '/v2/accounts',
  summary: "List the app's linked accounts, filtered and paged",
  description:
    'Oldest link first. `reauth_required=true` is how a partner finds every account waiting for re-authorisation after missing webhooks; the other filters narrow by bank, customer, data status and link or sync time.',
  tags: ['Accounts'],
  query: AccountsQuery,
  response: V2Envelope(Type.Array(AccountListItem), { meta: Paging }),
  failure: V2Failure,
});
