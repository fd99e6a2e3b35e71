import type { Ui } from '@relink/contract';

/**
 * The one interface every bank integration implements.
 *
 * A connector is stateless: whatever it must remember between steps (a half-finished login,
 * a bank session cookie, which challenge it asked) goes into `state`, a JSON-serialisable
 * value Relink encrypts and stores. Any server instance can then resume the session by
 * passing that state back. A connector never sees Relink's database.
 *
 * Expected bank answers (wrong password, OTP needed, account locked, bank down) are returned
 * as `ConnectorOutcome` values. A connector throws only for bugs; Relink enforces a timeout
 * around every call through `context.signal`.
 */
export interface BankConnector {
  readonly name: string;
  /** Logs in with the institution's form fields (usually `{username, password}`). */
  login(input: LoginInput, context: ConnectorContext): Promise<ConnectorOutcome>;
  /** Answers the challenge the last outcome asked (OTP, security question, captcha). */
  answer(state: ConnectorState, fields: Record<string, string>, context: ConnectorContext): Promise<ConnectorOutcome>;
  /** Picks one of the accounts a `select` outcome offered. */
  selectAccount(state: ConnectorState, accountNumber: string, context: ConnectorContext): Promise<ConnectorOutcome>;
  /** Account details, balance, identity and transactions, using a logged-in state from `ok`. */
  fetchData(state: ConnectorState, accountNumber: string, request: FetchRequest, context: ConnectorContext): Promise<FetchOutcome>;
}

export interface LoginInput {
  institutionId: string;
  authMethod: string;
  fields: Record<string, string>;
}

export interface ConnectorContext {
  signal: AbortSignal;
  /** Epoch milliseconds from Relink's clock. */
  now(): number;
}

/** Opaque to Relink; must survive JSON.stringify/parse. */
export type ConnectorState = Record<string, unknown>;

export interface BankAccount {
  accountNumber: string;
  name: string;
  /** e.g. `SAVINGS_ACCOUNT`, `CURRENT_ACCOUNT`. */
  type: string;
  currency: string;
  /** Minor units (kobo). */
  balance: number;
}

export type ConnectorOutcome =
  /** Logged in; `accounts` holds exactly the account the user linked. */
  | { kind: 'ok'; accounts: BankAccount[]; state: ConnectorState }
  /** Logged in, several accounts: the user picks one (`selectAccount`). */
  | { kind: 'select'; accounts: BankAccount[]; state: ConnectorState }
  /** The bank wants more input; `ui` is the form to show. */
  | { kind: 'challenge'; ui: Ui; state: ConnectorState }
  /** The answer to a challenge was wrong; the same challenge may be answered again. */
  | { kind: 'wrong_answer'; message: string; ui: Ui; state: ConnectorState }
  | { kind: 'invalid_credentials'; message: string }
  | { kind: 'locked'; message: string }
  | { kind: 'unavailable'; message: string };

export interface FetchRequest {
  /** Only transactions after this time (epoch ms) are needed; absent on the first sync. */
  since?: number | undefined;
}

export interface BankTransaction {
  /** Stable id at the bank: the same transaction always has the same id. */
  id: string;
  type: 'debit' | 'credit';
  /** Minor units, positive. */
  amount: number;
  narration: string;
  /** Epoch milliseconds. */
  date: number;
  /** Balance after this transaction, minor units. */
  balance: number;
  currency: string;
}

export interface BankIdentity {
  fullName: string;
  email: string;
  phone: string;
  bvn: string;
  gender?: string;
  dateOfBirth?: string;
  address?: string;
}

export interface AccountData {
  account: BankAccount & { bvn: string };
  identity: BankIdentity;
  transactions: BankTransaction[];
  /**
   * When the bank will stop accepting this login (epoch ms): a consent that lapses, a password
   * the bank makes the user change. Optional (interface 1.1); Relink warns the partner before
   * it comes (`reauthorisation_due`), so the user can re-authorise before the data stops.
   */
  loginExpiresAt?: number | undefined;
}

export type FetchOutcome =
  | { kind: 'ok'; data: AccountData }
  /** The bank session is gone: a new login (maybe with MFA) is needed before data can be read. */
  | { kind: 'session_expired'; message: string }
  | { kind: 'unavailable'; message: string };

export type ResetReason = 'mfa_required' | 'password_changed';

/**
 * What a sandbox connector offers beyond a bank's interface: forcing the next login into a
 * case (Relink's `POST /v2/sandbox/accounts/{id}/reset-login`), so a partner can rehearse
 * re-authorisation. A real bank connector does not implement it; Relink answers 400 for its accounts.
 */
export interface SandboxControls {
  /** `fields` are the stored login fields of the linked user. Returns the new password, if changed. */
  resetLogin(institutionId: string, fields: Record<string, string>, reason: ResetReason): Promise<{ username: string; newPassword?: string }>;
}

export function hasSandboxControls(connector: BankConnector): connector is BankConnector & SandboxControls {
  return typeof (connector as Partial<SandboxControls>).resetLogin === 'function';
}
