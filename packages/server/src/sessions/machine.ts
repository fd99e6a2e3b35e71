import type { ErrorCode, Ui } from '@relink/contract';
import type { BankAccount, ConnectorOutcome } from '../connectors/types.ts';

/**
 * A linking or re-authorisation session as a state machine (STYLE §4):
 *
 *   awaiting_login ─login→ awaiting_input ─commit→ awaiting_account ─commit→ completed
 *          │                    │   ↺ wrong answer (3rd fails)                  
 *          └──────────→ completed | failed
 *
 * `transition` is pure: it takes the bank's answer and returns the next state. Persistence,
 * bank calls and events hang off it in the service. Expiry is a guard, not a state: a
 * session is expired when `now >= expiresAt`, whatever its status.
 */
export type SessionStatus = 'awaiting_login' | 'awaiting_input' | 'awaiting_account' | 'completed' | 'failed';

export interface SessionState {
  status: SessionStatus;
  /** The form the next step answers: the login form, or the bank's challenge. */
  ui: Ui | null;
  /** Field names the next login/commit must carry ("cached field names", seed 003). */
  expectedFields: string[];
  /** Accounts offered for selection (awaiting_account). */
  accounts: BankAccount[];
  /** The account that was linked (completed). */
  linked: BankAccount | null;
  loginAttempts: number;
  answerAttempts: number;
  failure: { code: ErrorCode; message: string } | null;
}

/** Wrong answers allowed per challenge and wrong passwords per session (NIST SP 800-63B §5.2.2 throttling). */
export const MAX_ATTEMPTS = 3;

export function initialState(loginForm: Ui): SessionState {
  return {
    status: 'awaiting_login',
    ui: loginForm,
    expectedFields: loginForm.form.map((f) => f.name),
    accounts: [],
    linked: null,
    loginAttempts: 0,
    answerAttempts: 0,
    failure: null,
  };
}

export type Step = 'login' | 'commit';

export type Guard = { ok: true } | { ok: false; code: ErrorCode; message: string };

/** May this step run on this session now? Checked before any bank call. */
export function guard(state: SessionState, step: Step, now: number, expiresAt: number): Guard {
  if (state.status === 'completed') return { ok: false, code: 'SESSION_COMPLETED', message: 'This session is already completed; start a new session' };
  if (state.status === 'failed') {
    const failure = state.failure ?? { code: 'SESSION_FAILED' as const, message: 'This session failed' };
    return { ok: false, code: failure.code === 'OTP_ATTEMPTS_EXCEEDED' ? failure.code : 'SESSION_FAILED', message: `${failure.message}; start a new session` };
  }
  if (now >= expiresAt) return { ok: false, code: 'SESSION_EXPIRED', message: 'Session expired; start a new session' };
  if (step === 'login' && state.status !== 'awaiting_login') {
    return { ok: false, code: 'INVALID_INPUT', message: 'This session is past login: send the requested fields to the commit endpoint' };
  }
  if (step === 'commit' && state.status === 'awaiting_login') {
    return { ok: false, code: 'INVALID_INPUT', message: 'This session is waiting for login: send the institution form fields to the login endpoint' };
  }
  return { ok: true };
}

export function transition(state: SessionState, outcome: ConnectorOutcome): SessionState {
  switch (outcome.kind) {
    case 'ok':
      return { ...state, status: 'completed', ui: null, expectedFields: [], accounts: [], linked: outcome.accounts[0] ?? null };
    case 'select':
      return { ...state, status: 'awaiting_account', ui: null, expectedFields: [], accounts: outcome.accounts };
    case 'challenge':
      return {
        ...state,
        status: 'awaiting_input',
        ui: outcome.ui,
        expectedFields: outcome.ui.form.map((f) => f.name),
        answerAttempts: 0,
      };
    case 'wrong_answer': {
      const answerAttempts = state.answerAttempts + 1;
      if (answerAttempts >= MAX_ATTEMPTS) {
        return fail({ ...state, answerAttempts }, 'OTP_ATTEMPTS_EXCEEDED', `${outcome.message}: ${MAX_ATTEMPTS} wrong answers, the session has failed`);
      }
      return { ...state, status: 'awaiting_input', ui: outcome.ui, expectedFields: outcome.ui.form.map((f) => f.name), answerAttempts };
    }
    case 'invalid_credentials': {
      const loginAttempts = state.loginAttempts + 1;
      if (loginAttempts >= MAX_ATTEMPTS) return fail({ ...state, loginAttempts }, 'BANK_LOGIN_FAILED', `${outcome.message}: ${MAX_ATTEMPTS} failed logins, the session has failed`);
      return { ...state, status: 'awaiting_login', loginAttempts };
    }
    case 'locked':
      return fail(state, 'BANK_LOGIN_FAILED', outcome.message);
    case 'unavailable':
      return state;
  }
}

function fail(state: SessionState, code: ErrorCode, message: string): SessionState {
  return { ...state, status: 'failed', ui: null, expectedFields: [], failure: { code, message } };
}

/**
 * What a caller is told after a step, as a value: a response code with its data, or a
 * failure (Mono's responseCode 400) with a catalogue code and message.
 */
export type StepReply =
  | { responseCode: 99; code: string }
  | { responseCode: 101; accounts: BankAccount[] }
  | { responseCode: 102; ui: Ui }
  | { responseCode: 400; error: ErrorCode; message: string };

/** The reply for the state a step produced from `outcome`. `code` is the issued auth code, if any. */
export function replyFor(next: SessionState, outcome: ConnectorOutcome, code: string | null): StepReply {
  if (next.status === 'completed' && code) return { responseCode: 99, code };
  if (next.status === 'failed' && next.failure) return { responseCode: 400, error: next.failure.code, message: next.failure.message };
  switch (outcome.kind) {
    case 'select':
      return { responseCode: 101, accounts: next.accounts };
    case 'challenge':
      return { responseCode: 102, ui: outcome.ui };
    case 'wrong_answer': {
      const left = MAX_ATTEMPTS - next.answerAttempts;
      return { responseCode: 400, error: 'OTP_INVALID', message: `${outcome.message}; ${left} ${left === 1 ? 'try' : 'tries'} left` };
    }
    case 'invalid_credentials':
      return { responseCode: 400, error: 'BANK_LOGIN_FAILED', message: outcome.message };
    case 'unavailable':
      return { responseCode: 400, error: 'BANK_CONNECTION_ERROR', message: outcome.message };
    default:
      return { responseCode: 400, error: 'INTERNAL', message: 'Unexpected bank answer' };
  }
}
