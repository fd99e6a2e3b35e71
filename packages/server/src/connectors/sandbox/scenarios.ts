import type { Ui } from '@relink/contract';
import type { IncomeProfile } from './incomes.ts';

/** What the bank does after a correct password, per scenario user (docs/contract.md §7). */
export interface Scenario {
  /** Challenge asked on every new login, before the accounts. */
  challenge?: 'otp' | 'question';
  /** Number of accounts; more than one means a `select` step. */
  accounts: number;
  slow?: boolean;
  /** Whose transaction history the account has (`incomes.ts`); without it, the generic one (`data.ts`). */
  income?: IncomeProfile;
  /** The bank expires the login every `LOGIN_PERIOD_MS` (a password it makes the user change): the data says when (`loginExpiresAt`). */
  expiring?: boolean;
}

/**
 * `user_expiring`'s login lasts to the end of each 30-day period since the epoch, so every
 * instance and test sees the same expiry; a re-authorisation in the next period gets the next.
 */
export const LOGIN_PERIOD_MS = 30 * 86_400_000;

export const SCENARIOS: Record<string, Scenario> = {
  user_good: { accounts: 1 },
  user_multi: { accounts: 3 },
  user_otp: { challenge: 'otp', accounts: 1 },
  user_question: { challenge: 'question', accounts: 1 },
  user_otp_multi: { challenge: 'otp', accounts: 3 },
  user_slow: { accounts: 1, slow: true },
  user_salary: { accounts: 1, income: 'salary' },
  user_gig: { accounts: 1, income: 'gig' },
  user_noincome: { accounts: 1, income: 'none' },
  user_expiring: { accounts: 1, expiring: true },
};

/**
 * A sandbox user's scenario: `user_otp`, or `user_otp+` and a tag (`user_otp+42`), which acts
 * like `user_otp` but is another bank user: its own accounts, password, MFA state and login
 * cap, so a test or a benchmark can log many people in at once without them meeting. A tag is
 * 1 to 32 letters, digits, `_` or `-`.
 */
export function scenarioName(username: string): string | undefined {
  const plus = username.indexOf('+');
  const name = plus < 0 ? username : username.slice(0, plus);
  if (plus >= 0 && !TAG.test(username.slice(plus + 1))) return undefined;
  return Object.hasOwn(SCENARIOS, name) || name === 'user_locked' || name === 'user_down' ? name : undefined;
}

const TAG = /^[A-Za-z0-9_-]{1,32}$/;

export const DEFAULT_PASSWORD = 'pass_good';
export const SANDBOX_OTP = '12345';
export const SANDBOX_ANSWER = 'blue';

export const OTP_UI: Ui = {
  title: 'Relink Sandbox Bank sent a one-time password to your phone',
  form: [{ type: 'elements.input', name: 'otp', hint: 'Enter the 5-digit OTP', contentType: 'password', maxLength: 5 }],
};

export const QUESTION_UI: Ui = {
  title: 'Security question: what is your favourite colour?',
  form: [{ type: 'elements.input', name: 'answer', hint: 'Enter your answer', contentType: 'string' }],
};

export interface SandboxCredential {
  hasMultipleAccounts: boolean;
  values: { username: string; password: string };
  description: string;
}

const CREDENTIAL_ROWS: [username: string, hasMultipleAccounts: boolean, description: string][] = [
  ['user_good', false, 'Logs in straight away; one account.'],
  ['user_multi', true, 'Logs in straight away; three accounts to choose from.'],
  ['user_otp', false, `Asks a one-time password (${SANDBOX_OTP}) on every new login, then one account. A later scheduled sync needs re-authorisation.`],
  ['user_question', false, `Asks a security question (answer "${SANDBOX_ANSWER}"), then one account.`],
  ['user_otp_multi', true, `Asks a one-time password (${SANDBOX_OTP}), then three accounts to choose from.`],
  ['user_locked', false, 'Any password: the bank reports the account locked.'],
  ['user_down', false, 'Any password: connection error, the bank is unreachable.'],
  ['user_slow', false, 'Logs in after a delay, for testing timeouts; one account.'],
  ['user_salary', false, 'Logs in straight away; one account with a year of history: a monthly salary from one employer (regular income).'],
  ['user_gig', false, 'Logs in straight away; one account with a year of history: frequent payouts from several platforms and clients (irregular income).'],
  ['user_noincome', false, 'Logs in straight away; one account with a year of history: spending, top-ups from the holder and a reversal, but no income.'],
  [
    'user_expiring',
    false,
    'Logs in straight away; one account whose login the bank expires at the end of every 30-day period (reauth_due_at on the account, and mono.events.reauthorisation_due before it).',
  ],
  [
    'user_unknown',
    false,
    'Any other username, or a wrong password: invalid credentials. Any user above with "+" and a tag (user_otp+42) is another bank user acting the same way.',
  ],
];

/** For `GET /v2/connect/sandbox`. */
export const SANDBOX_CREDENTIALS: SandboxCredential[] = CREDENTIAL_ROWS.map(([username, hasMultipleAccounts, description]) => ({
  hasMultipleAccounts,
  values: { username, password: DEFAULT_PASSWORD },
  description,
}));

export const SANDBOX_INPUTS: { name: string; value: string; description: string }[] = [
  { name: 'otp', value: SANDBOX_OTP, description: 'One-time password for user_otp and user_otp_multi' },
  { name: 'answer', value: SANDBOX_ANSWER, description: 'Security question answer for user_question (case-insensitive)' },
];
