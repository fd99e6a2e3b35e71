import type { Ui } from '@relink/contract';
import type { BankAccount, ConnectorOutcome, ConnectorState, FetchOutcome, AccountData } from './types.ts';

/**
 * The outcomes a connector returns, one function each, so a connector reads as the bank's
 * answers: `return outcome.locked('The bank reports this account is locked')`.
 */
export const outcome = {
  ok: (accounts: BankAccount[], state: ConnectorState): ConnectorOutcome => ({ kind: 'ok', accounts, state }),
  select: (accounts: BankAccount[], state: ConnectorState): ConnectorOutcome => ({ kind: 'select', accounts, state }),
  challenge: (ui: Ui, state: ConnectorState): ConnectorOutcome => ({ kind: 'challenge', ui, state }),
  wrongAnswer: (message: string, ui: Ui, state: ConnectorState): ConnectorOutcome => ({ kind: 'wrong_answer', message, ui, state }),
  invalidCredentials: (message = 'Invalid credentials'): ConnectorOutcome => ({ kind: 'invalid_credentials', message }),
  locked: (message = 'The bank reports this account is locked'): ConnectorOutcome => ({ kind: 'locked', message }),
  unavailable: (message = 'The bank is unavailable'): ConnectorOutcome => ({ kind: 'unavailable', message }),
  data: (data: AccountData): FetchOutcome => ({ kind: 'ok', data }),
  sessionExpired: (message = 'The bank session has expired; log in again'): FetchOutcome => ({ kind: 'session_expired', message }),
  dataUnavailable: (message = 'The bank is unavailable'): FetchOutcome => ({ kind: 'unavailable', message }),
};

/** The usual username and password form. */
export function loginForm(bank: string, usernameHint = 'Username'): Ui {
  return {
    title: `Log in to ${bank}`,
    form: [
      { type: 'elements.input', name: 'username', hint: usernameHint, contentType: 'string' },
      { type: 'elements.input', name: 'password', hint: 'Password', contentType: 'password' },
    ],
  };
}

/** A one-time password form whose answer comes back as `fields.otp`. */
export function otpForm(title: string, digits = 6): Ui {
  return { title, form: [{ type: 'elements.input', name: 'otp', hint: `Enter the ${digits}-digit OTP`, contentType: 'password', maxLength: digits }] };
}
