import type { AccountData, ConnectorState, FetchOutcome, LinkedOutcome } from '../connectors/types.ts';
import type { ReauthCause } from '../db/schema.ts';

/**
 * What the bank's answer means for the account, decided without touching anything: `newState`
 * is a bank session a login of this sync opened; `storedIdentity` the identity record as it was
 * when the account was claimed, if it opened.
 */
export type Answer =
  | { kind: 'data'; data: AccountData; newState: ConnectorState | undefined; storedIdentity: string | undefined }
  | { kind: 'reauth'; reason: string; cause: ReauthCause }
  | { kind: 'failed'; reason: string };

type Refused = Exclude<LinkedOutcome['kind'], 'ok' | 'unavailable'>;

/** Why a login with the stored credentials that did not go through means re-authorisation (docs/contract.md §5). */
export const REAUTH_REASONS: Record<Refused, string> = {
  challenge: 'The bank asked for multi-factor authentication (OTP) on a new login',
  wrong_answer: 'The bank asked for multi-factor authentication (OTP) on a new login',
  invalid_credentials: 'The bank rejected the stored credentials: the password was changed',
  locked: 'The bank reports the account locked',
  other_user: 'The stored credentials no longer reach this account',
};

/** The same, as the code the account keeps and the metrics count by (docs/metrics.md). */
const REAUTH_CAUSES: Record<Refused, ReauthCause> = {
  challenge: 'mfa_required',
  wrong_answer: 'mfa_required',
  invalid_credentials: 'password_changed',
  locked: 'locked',
  other_user: 'other_user',
};

/**
 * A sync's login with the stored credentials, read: a bank session to fetch with, a bank that
 * did not answer (the sync is retried), or re-authorisation: the bank wants the person (MFA, a
 * new password, an unlock) and no sync may log in again until they come back.
 */
export function readLogin(
  login: LinkedOutcome,
): { kind: 'session'; state: ConnectorState } | { kind: 'unavailable'; message: string } | Extract<Answer, { kind: 'reauth' }> {
  if (login.kind === 'ok') return { kind: 'session', state: login.state };
  if (login.kind === 'unavailable') return login;
  return { kind: 'reauth', reason: REAUTH_REASONS[login.kind], cause: REAUTH_CAUSES[login.kind] };
}

/**
 * A sync's fetch, read: the data to write, re-authorisation when the bank asks for a new login
 * even after one, or a failure to retry. `storedIdentity` is read only when there is data.
 */
export function readFetch(fetched: FetchOutcome, newState: ConnectorState | undefined, storedIdentity: () => string | undefined): Answer {
  if (fetched.kind === 'ok') return { kind: 'data', data: fetched.data, newState, storedIdentity: storedIdentity() };
  if (fetched.kind === 'session_expired') return { kind: 'reauth', reason: `The bank asked for a new login: ${fetched.message}`, cause: 'session_expired' };
  return { kind: 'failed', reason: fetched.message };
}
