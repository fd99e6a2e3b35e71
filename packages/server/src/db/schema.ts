import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types. Times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL);
 * booleans are 0/1 integers; JSON is stored as text. This keeps every column portable.
 */
export interface Schema {
  apps: AppsTable;
  vault_secrets: VaultSecretsTable;
  customers: CustomersTable;
  accounts: AccountsTable;
  sessions: SessionsTable;
  codes: CodesTable;
  transactions: TransactionsTable;
  idempotency_keys: IdempotencyKeysTable;
  events: EventsTable;
  bootstrap_steps: BootstrapStepsTable;
}

export interface AppsTable {
  id: string;
  name: string;
  mode: 'test' | 'live';
  secret_key_hash: string | null;
  secret_key_hint: string | null;
  public_key: string;
  webhook_url: string | null;
  webhook_secret_id: string | null;
  webhook_disabled_at: number | null;
  webhook_disabled_reason: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}
export type AppRow = Selectable<AppsTable>;
export type NewAppRow = Insertable<AppsTable>;
export type AppUpdate = Updateable<AppsTable>;

export interface VaultSecretsTable {
  id: string;
  purpose: string;
  /** Id of the master key that wrapped `wrapped_key`. */
  kek_id: string;
  wrapped_key: string;
  ciphertext: string;
  created_at: number;
  updated_at: number;
}

export interface CustomersTable {
  id: string;
  app_id: string;
  name: string | null;
  email: string | null;
  created_at: number;
}

export interface AccountsTable {
  id: string;
  app_id: string;
  customer_id: string;
  institution_id: string;
  auth_method: string;
  account_number: string;
  name: string;
  type: string;
  currency: string;
  balance: number | null;
  bvn: string | null;
  /** JSON of the bank's identity record. */
  identity: string | null;
  data_status: 'AVAILABLE' | 'PARTIAL' | 'UNAVAILABLE' | 'FAILED' | 'PROCESSING';
  /** JSON array: `identity`, `balance`, `transactions`. */
  retrieved_data: string;
  reauth_required: number;
  credentials_secret_id: string | null;
  bank_state_secret_id: string | null;
  /** When a data sync should next run; null when none is wanted. */
  sync_due_at: number | null;
  /** A sync worker holds this account until then. */
  sync_claimed_until: number | null;
  last_synced_at: number | null;
  created_at: number;
  updated_at: number;
  unlinked_at: number | null;
}
export type AccountRow = Selectable<AccountsTable>;

export interface SessionsTable {
  id: string;
  app_id: string;
  kind: 'link' | 'reauth';
  institution_id: string;
  auth_method: string;
  customer_id: string | null;
  /** The account being re-authorised (reauth), or the one linked (after completion). */
  account_id: string | null;
  /** JSON of `SessionState` (sessions/machine.ts). */
  state: string;
  connector_state_secret_id: string | null;
  credentials_secret_id: string | null;
  version: number;
  busy_until: number | null;
  expires_at: number;
  created_at: number;
  updated_at: number;
}
export type SessionRow = Selectable<SessionsTable>;

export interface CodesTable {
  hash: string;
  app_id: string;
  account_id: string;
  session_id: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface TransactionsTable {
  id: string;
  account_id: string;
  bank_id: string;
  type: 'debit' | 'credit';
  amount: number;
  narration: string;
  date: number;
  balance: number;
  currency: string;
  created_at: number;
}
export type TransactionRow = Selectable<TransactionsTable>;

export interface IdempotencyKeysTable {
  app_id: string;
  key: string;
  request_hash: string;
  status: 'pending' | 'done';
  response_status: number | null;
  response_body: string | null;
  locked_until: number;
  expires_at: number;
  created_at: number;
}

export interface EventsTable {
  id: string;
  app_id: string;
  type: string;
  account_id: string | null;
  /** The exact JSON body delivered to webhooks; signed and sent byte for byte. */
  body: string;
  created_at: number;
}
export type EventRow = Selectable<EventsTable>;

// Webhook delivery (migration 0003). Declaration merging keeps this section append-only.
export interface Schema {
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export interface AppsTable {
  /** The secret that still signs, beside the new one, until `previous_webhook_secret_expires_at`. */
  previous_webhook_secret_id: ColumnType<string | null, string | null | undefined, string | null>;
  previous_webhook_secret_expires_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveriesTable {
  id: string;
  app_id: string;
  event_id: string;
  /** The URL of the latest attempt (the app's URL when none was made yet). */
  url: string;
  status: DeliveryStatus;
  /** The delivery this one replays, if any. */
  replay_of: string | null;
  attempt_count: number;
  /** When the next attempt is due; null once the delivery is complete. */
  next_attempt_at: number | null;
  /** A dispatcher holds this delivery until then; `claim_token` names the holder. */
  claimed_until: number | null;
  claim_token: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  app_id: string;
  url: string;
  attempted_at: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  /** The first 256 bytes of the response body (RESPONSE_EXCERPT_BYTES). */
  response_body_excerpt: string | null;
}
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;

export interface BootstrapStepsTable {
  step: string;
  done_at: number;
}

// Re-authorisation (migration 0006).
export interface Schema {
  reauth_tokens: ReauthTokensTable;
  sandbox_bank_users: SandboxBankUsersTable;
}

export interface AccountsTable {
  /** The live reauth session, if any: set by one guarded update, so an account has at most one. */
  reauth_session_id: ColumnType<string | null, string | null | undefined, string | null>;
  reauth_session_expires_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** Why the last data sync did not succeed; null after a successful one. */
  last_sync_error: ColumnType<string | null, string | null | undefined, string | null>;
  /** Who started the live reauth session (migration 0010): a `public` one is superseded by any newer start. */
  reauth_session_origin: ColumnType<SessionOrigin | null, SessionOrigin | null | undefined, SessionOrigin | null>;
}

export interface SessionsTable {
  /** `SessionState.status`, kept beside the JSON so unfinished and expired sessions can be queried. */
  status: ColumnType<SessionStatusColumn, SessionStatusColumn | undefined, SessionStatusColumn>;
  /** Who started it (migration 0010): `partner` (secret key, or a token or link the partner issued) or `public` (the widget's public key alone). */
  origin: ColumnType<SessionOrigin, SessionOrigin | undefined, SessionOrigin>;
}
export type SessionOrigin = 'partner' | 'public';
export type SessionStatusColumn = 'awaiting_login' | 'awaiting_input' | 'awaiting_account' | 'completed' | 'failed';

/** v1 reauth tokens (`POST /accounts/{id}/reauthorise`): single use, short-lived, stored hashed. */
export interface ReauthTokensTable {
  hash: string;
  app_id: string;
  account_id: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

/** The sandbox bank's own records: a user's changed password (hashed) and forced MFA. */
export interface SandboxBankUsersTable {
  institution_id: string;
  username: string;
  password_hash: string | null;
  force_mfa: number;
  updated_at: number;
}

// Relink Connect, the widget (migration 0008).
export interface Schema {
  connect_sessions: ConnectSessionsTable;
  connect_links: ConnectLinksTable;
}

export interface AppsTable {
  /** JSON array of origins allowed to frame the widget; null: any. */
  connect_origins: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A session the widget started with the app's public key. */
export interface ConnectSessionsTable {
  session_id: string;
  app_id: string;
  /** The partner's `reference` (or a hosted link's `meta.ref`). */
  reference: string | null;
  link_id: string | null;
  created_at: number;
}

/** A hosted link (`POST /v2/accounts/initiate`): single use, expires. */
export interface ConnectLinksTable {
  id: string;
  app_id: string;
  scope: 'auth' | 'reauth';
  customer_id: string | null;
  account_id: string | null;
  reference: string | null;
  institution_id: string | null;
  auth_method: string | null;
  redirect_url: string | null;
  expires_at: number;
  used_at: number | null;
  created_at: number;
  /** The link's one live session: the one its last start made (migration 0011). */
  live_session_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** A start in progress holds the link (one at a time) with this token… */
  start_token: ColumnType<string | null, string | null | undefined, string | null>;
  /** …until then; a crashed start frees it when this passes. */
  start_until: ColumnType<number | null, number | null | undefined, number | null>;
}
export type ConnectLinkRow = Selectable<ConnectLinksTable>;

// Attempt caps per bank user (migration 0007).
export interface Schema {
  bank_user_failures: BankUserFailuresTable;
}

export interface BankUserFailuresTable {
  /** HMAC of the institution and the non-secret login fields: who the bank would lock out. */
  bank_user: string;
  kind: 'login' | 'answer' | 'login_public' | 'answer_public';
  /** Attempts in flight or failed since `window_start`; an attempt that succeeds clears them. */
  failures: number;
  window_start: number;
}

// The /connect/demo page's one-time values (migration 0010).
export interface Schema {
  connect_demos: ConnectDemosTable;
}

export interface ConnectDemosTable {
  /** SHA-256 of the value in the page's cookie; the value itself is never stored. */
  hash: string;
  /** The test-mode app the page opened the widget for. */
  app_id: string;
  /** The widget session this page load started last, once it started one. */
  session_id: string | null;
  expires_at: number;
  /** When its one exchange spent it. */
  used_at: number | null;
  created_at: number;
}

// Customers (migration 0015): Mono's customer resource.
export interface CustomersTable {
  type: ColumnType<CustomerType, CustomerType | undefined, CustomerType>;
  first_name: ColumnType<string | null, string | null | undefined, string | null>;
  last_name: ColumnType<string | null, string | null | undefined, string | null>;
  business_name: ColumnType<string | null, string | null | undefined, string | null>;
  phone: ColumnType<string | null, string | null | undefined, string | null>;
  address: ColumnType<string | null, string | null | undefined, string | null>;
  /** The vault record holding the KYC identity (`{type, number}`), if one was given. */
  identity_secret_id: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<number, number | undefined, number>;
  /** Set when the customer was deleted: its details are erased, the row stays for the unlinked accounts that name it. */
  deleted_at: ColumnType<number | null, number | null | undefined, number | null>;
}
export type CustomerType = 'individual' | 'business';
export type CustomerRow = Selectable<CustomersTable>;
// Real-time data jobs (migration 0016).
export interface Schema {
  realtime_jobs: RealtimeJobsTable;
}

export interface RealtimeJobsTable {
  id: string;
  app_id: string;
  account_id: string;
  name: 'jobs.accounts.sync_balance' | 'jobs.accounts.sync_statement';
  status: 'processing' | 'finished' | 'failed';
  /** 1 when the bank had transactions or a balance the account did not. */
  has_new_data: number;
  /** 1 when it failed because the bank wants the user to re-authorise. */
  reauth_required: number;
  /** Why it failed. */
  error: string | null;
  started_at: number;
  finished_at: number | null;
}
export type RealtimeJobRow = Selectable<RealtimeJobsTable>;
// PDF statements (migration 0018).
export interface Schema {
  statement_jobs: StatementJobsTable;
  statement_files: StatementFilesTable;
  statement_urls: StatementUrlsTable;
}

export type StatementJobStatus = 'BUILDING' | 'BUILT' | 'FAILED';

/** A PDF statement to build, being built, or built: one per `output=pdf` call. */
export interface StatementJobsTable {
  id: string;
  app_id: string;
  account_id: string;
  /** `last{N}months`, as asked. */
  period: string;
  /** The period's bounds, fixed when the job is made, so every build of it is the same statement. */
  start_at: number;
  end_at: number;
  status: StatementJobStatus;
  /** Builds claimed so far: one unless a builder died or failed mid-build. */
  attempts: number;
  /** A builder holds the job until then; `claim_token` names which. */
  claimed_until: number | null;
  claim_token: string | null;
  /** Why it FAILED. */
  error: string | null;
  pages: number | null;
  bytes: number | null;
  created_at: number;
  updated_at: number;
  built_at: number | null;
  /** The job, its file and its URLs are deleted then. */
  expires_at: number;
}
export type StatementJobRow = Selectable<StatementJobsTable>;

/** A built statement's PDF. */
export interface StatementFilesTable {
  job_id: string;
  content: Buffer;
  created_at: number;
}

/** A URL handed out for a job's file: the SHA-256 of its random token, never the token. */
export interface StatementUrlsTable {
  token_hash: string;
  job_id: string;
  app_id: string;
  expires_at: number;
  created_at: number;
}
// Re-authorisation episodes (migration 0017): when and why the account came to wait for one.
export interface AccountsTable {
  /** When a sync moved the account into `reauth_required`; null when it is not waiting (or began waiting before 0017). */
  reauth_required_at: ColumnType<number | null, number | null | undefined, number | null>;
  reauth_cause: ColumnType<ReauthCause | null, ReauthCause | null | undefined, ReauthCause | null>;
}

// Warnings before a login breaks (migration 0021).
export interface AccountsTable {
  /** When the bank stops accepting the stored login, as its connector last said (epoch ms); null when it did not say. */
  login_expires_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** The `login_expires_at` a `reauthorisation_due` was sent for: one per expiry. */
  reauth_due_notified_for: ColumnType<number | null, number | null | undefined, number | null>;
}

/**
 * Why a sync found that the account needs its person again (`sync/answer.ts`): the bank asked
 * for an OTP on a new login, rejected the stored password, reports the account locked, or let
 * the stored credentials into another user's accounts; or it asked for a new login even after one.
 */
export type ReauthCause = 'mfa_required' | 'password_changed' | 'locked' | 'other_user' | 'session_expired';
// What an operator reads (migration 0020).
export interface Schema {
  reauth_episodes: ReauthEpisodesTable;
}

/** How a re-authorisation episode ended (docs/metrics.md): re-authorised, or the account unlinked or linked afresh while it waited. */
export type EpisodeOutcome = 'completed' | 'unlinked' | 'relinked';

/** One re-authorisation episode: from the sync that found the account needs its person to what ended the wait. */
export interface ReauthEpisodesTable {
  id: string;
  app_id: string;
  account_id: string;
  institution_id: string;
  cause: ReauthCause;
  /** When `reauthorisation_required` was recorded: the account's `reauth_required_at`. */
  started_at: number;
  /** Reauth sessions opened for the account while it waited. */
  sessions: ColumnType<number, number | undefined, number>;
  /** When the first of them opened. */
  session_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** When the person first sent a login (not the background login with the stored credentials). */
  login_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** When the bank's challenge (an OTP, a question) was first shown. */
  challenge_at: ColumnType<number | null, number | null | undefined, number | null>;
  ended_at: ColumnType<number | null, number | null | undefined, number | null>;
  outcome: ColumnType<EpisodeOutcome | null, EpisodeOutcome | null | undefined, EpisodeOutcome | null>;
}
export type ReauthEpisodeRow = Selectable<ReauthEpisodesTable>;

// The operator console (migration 0019): operators, their sessions, sign-in limits, the audit log.
export interface Schema {
  operators: OperatorsTable;
  operator_sessions: OperatorSessionsTable;
  operator_sign_in_failures: OperatorSignInFailuresTable;
  audit_log: AuditLogTable;
}

export interface OperatorsTable {
  id: string;
  /** Lower-cased; unique. Null for the first start's operator until its set-up link is used. */
  email: string | null;
  /** `scrypt$…` with its parameters (operators/password.ts); null until the set-up link is used. */
  password_hash: string | null;
  /** SHA-256 of the one-time set-up link's token, until it is used or replaced. */
  setup_token_hash: string | null;
  setup_expires_at: number | null;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
}
export type OperatorRow = Selectable<OperatorsTable>;

export interface OperatorSessionsTable {
  /** SHA-256 of the cookie's random value; the value itself is never stored. */
  id_hash: string;
  operator_id: string;
  created_at: number;
  /** Moved forward at most once a minute; the idle expiry counts from it. */
  last_seen_at: number;
  /** The absolute expiry. */
  expires_at: number;
}
export type OperatorSessionRow = Selectable<OperatorSessionsTable>;

export interface OperatorSignInFailuresTable {
  /** `email:<sha256>` or `ip:<address>`. */
  subject: string;
  failures: number;
  window_start: number;
}

export interface AuditLogTable {
  /** Time-ordered (`newId('aud')`), so the newest come first by id. */
  id: string;
  at: number;
  /** Null for the command line and for an operator since removed. */
  operator_id: string | null;
  /** The operator's email at the time, or `cli`. */
  actor: string;
  action: string;
  target: string | null;
  /** JSON object. */
  detail: string;
  ip: string | null;
}
export type AuditRow = Selectable<AuditLogTable>;
