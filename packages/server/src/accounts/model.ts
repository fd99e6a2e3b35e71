import type { AccountConnectedData, AccountListItem, AccountRef, AccountUpdatedData, JobUpdateData, ReauthDueData, SyncFailedData } from '@relink/contract';
import type { AccountRow } from '../db/schema.ts';
import type { BankTransaction } from '../connectors/types.ts';
import type { Institution } from '../institutions/registry.ts';

export type DataStatus = AccountRow['data_status'];

export interface Account {
  id: string;
  appId: string;
  customerId: string;
  institution: Institution;
  authMethod: string;
  accountNumber: string;
  name: string;
  type: string;
  currency: string;
  balance: number | null;
  bvn: string | null;
  /** The stored identity (`vault:<id>`, or legacy JSON); read it with `openIdentity`. */
  identity: string | null;
  dataStatus: DataStatus;
  retrievedData: string[];
  reauthRequired: boolean;
  lastSyncedAt: number | null;
  /** Why the last sync did not succeed; null after a successful one. */
  lastSyncError: string | null;
  /** When the bank stops accepting the stored login, as its connector last said; null when it does not say. */
  loginExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A stored transaction as the bank reported it (`id`: the bank's). */
export type Transaction = BankTransaction;

/** Which of an account's transactions a page holds: dates in milliseconds, inclusive. */
export interface TransactionFilter {
  start?: number | undefined;
  end?: number | undefined;
  type?: string | undefined;
  narration?: string | undefined;
}

export function toAccount(row: AccountRow, institution: Institution): Account {
  return {
    id: row.id,
    appId: row.app_id,
    customerId: row.customer_id,
    institution,
    authMethod: row.auth_method,
    accountNumber: row.account_number,
    name: row.name,
    type: row.type,
    currency: row.currency,
    balance: row.balance,
    bvn: row.bvn,
    identity: row.identity,
    dataStatus: row.data_status,
    retrievedData: JSON.parse(row.retrieved_data) as string[],
    reauthRequired: row.reauth_required === 1,
    lastSyncedAt: row.last_synced_at,
    lastSyncError: row.last_sync_error,
    loginExpiresAt: row.login_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `GET /accounts/{id}` (v1, Mono's shape; `reauth_required` and `last_synced_at` are Relink's additions). */
export function accountV1(a: Account) {
  return {
    meta: { data_status: a.dataStatus, auth_method: a.authMethod, reauth_required: a.reauthRequired, last_synced_at: iso(a.lastSyncedAt) },
    account: {
      _id: a.id,
      institution: { name: a.institution.name, bankCode: a.institution.bankCode, type: a.institution.type },
      name: a.name,
      accountNumber: a.accountNumber,
      type: a.type,
      balance: a.balance,
      currency: a.currency,
      bvn: a.bvn,
    },
  };
}

/** The `meta` of every data route: whether the stored data waits for a re-authorisation, and its age [Relink]. */
export function dataMeta(a: Account) {
  return { reauth_required: a.reauthRequired, last_synced_at: iso(a.lastSyncedAt) };
}

/** `GET /v2/accounts/{id}` data (snake case). */
export function accountV2(a: Account) {
  return {
    account: {
      id: a.id,
      name: a.name,
      currency: a.currency,
      type: a.type,
      account_number: a.accountNumber,
      balance: a.balance,
      bvn: a.bvn,
      institution: { name: a.institution.name, bank_code: a.institution.bankCode, type: a.institution.type },
    },
    customer: { id: a.customerId },
    meta: {
      data_status: a.dataStatus,
      auth_method: a.authMethod,
      retrieved_data: a.retrievedData,
      reauth_required: a.reauthRequired,
      last_synced_at: iso(a.lastSyncedAt),
      last_sync_error: a.lastSyncError,
      reauth_due_at: iso(a.loginExpiresAt),
    },
  };
}

/** One account of `GET /v2/accounts`: Mono's flat list item, with the account's state beside it [Relink]. */
export function accountListItem(a: Account, customerName: string | null): AccountListItem {
  return {
    id: a.id,
    name: a.name,
    account_number: a.accountNumber,
    currency: a.currency,
    balance: a.balance,
    type: a.type,
    bvn: a.bvn,
    auth_method: a.authMethod,
    status: a.dataStatus,
    institution: { id: a.institution.id, name: a.institution.name, bank_code: a.institution.bankCode, type: a.institution.type },
    customer: { id: a.customerId, name: customerName },
    data_status: a.dataStatus,
    retrieved_data: a.retrievedData,
    reauth_required: a.reauthRequired,
    last_synced_at: iso(a.lastSyncedAt),
    last_sync_error: a.lastSyncError,
    created_at: new Date(a.createdAt).toISOString(),
    updated_at: new Date(a.updatedAt).toISOString(),
  };
}

/** Webhook payloads (docs/contract.md §6): camelCase and `_id`, as Mono sends them. */
export const payloads = {
  // Each is checked against the contract's event schema by its return type.
  accountConnected: (a: Account, ref?: string): AccountConnectedData => ({
    id: a.id,
    customer: a.customerId,
    meta: { data_status: 'PROCESSING' as const, auth_method: a.authMethod, ...(ref ? { ref } : {}) },
  }),
  /**
   * `syncStatus` is Mono's `SUCCESSFUL | FAILED | REAUTHORISATION_REQUIRED`; a failure says why in `sync_error` [Relink]. A sync
   * run for a real-time job names it (`job_id`) and says `has_new_data` when the bank had something new, as Mono's do.
   */
  /** `mono.events.reauthorisation_due` [Relink]: re-authorise before `expiresAt`. */
  reauthDue: (accountId: string, expiresAt: number): ReauthDueData => ({ account: { _id: accountId }, reauth_due_at: new Date(expiresAt).toISOString() }),
  accountUpdated: (
    a: Account,
    syncStatus?: AccountUpdatedData['meta']['sync_status'],
    syncError?: string,
    job?: { jobId: string; hasNewData: boolean },
  ): AccountUpdatedData => ({
    account: {
      _id: a.id,
      name: a.name,
      accountNumber: a.accountNumber,
      currency: a.currency,
      balance: a.balance,
      type: a.type,
      bvn: a.bvn,
      authMethod: a.authMethod,
      institution: { name: a.institution.name, bankCode: a.institution.bankCode, type: a.institution.type },
      created_at: new Date(a.createdAt).toISOString(),
      updated_at: new Date(a.updatedAt).toISOString(),
    },
    meta: {
      data_status: a.dataStatus,
      auth_method: a.authMethod,
      retrieved_data: a.retrievedData,
      ...(syncStatus ? { sync_status: syncStatus } : {}),
      ...(syncError ? { sync_error: syncError } : {}),
      ...(job ? { job_id: job.jobId } : {}),
      ...(job?.hasNewData ? { has_new_data: true as const } : {}),
    },
  }),
  /** `mono.accounts.jobs.update`: Mono's `{account, app, id, name, status}`, the account as its id. */
  jobUpdated: (job: { id: string; accountId: string; appId: string; name: JobUpdateData['name']; status: JobUpdateData['status'] }): JobUpdateData => ({
    account: job.accountId,
    app: job.appId,
    id: job.id,
    name: job.name,
    status: job.status,
  }),
  accountOnly: (accountId: string): AccountRef => ({ account: { _id: accountId } }),
  syncFailed: (accountId: string, reason: string): SyncFailedData => ({ account: { _id: accountId }, reason }),
};
