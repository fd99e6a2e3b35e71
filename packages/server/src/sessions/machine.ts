import type { ErrorCode, Ui } from '@relink/contract';
import type { BankAccount, ConnectorOutcome, ConnectorState, LinkedOutcome } from '../connectors/types.ts';

/**
 * A linking or re-authorisation session as a state machine (STYLE §4):
 *
 *   awaiting_login ─login→ awaiting_input ─commit→ awaiting_account ─commit→ completed
 *          │                    │   ↺ wrong answer (3rd fails)
 *          └──────────→ completed | failed
 *
 * Both kinds of session are this one machine. A link starts at `awaiting_login` with the
 * institution's form; a re-authorisation starts with a background login with the stored
 * credentials (`start`), after which it is at whatever state that login reached. Reaching
 * `completed` yields an explicit effect (link a new account, or re-authorise the known one)
 * that the service carries out in the same transaction as the new state.
 *
 * `transition` is pure: it takes the bank's answer and returns the next state and effect.
 * Persistence, bank calls and events hang off it in the service. Expiry is a guard, not a
 * state: a session is expired when `now >= expiresAt`, whatever its status.
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
  /**
   * A re-authorisation whose background login the bank accepted, waiting for the person to log
   * in anyway (the widget: a public key and an account id must not be enough for a code). Their
   * login must then match the stored credentials; a mismatch is a failed login Relink answers
   * itself, so a guess never reaches the bank.
   */
  storedAccepted?: boolean;
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
    const code = failure.code === 'OTP_ATTEMPTS_EXCEEDED' || failure.code === 'SESSION_CANCELLED' ? failure.code : 'SESSION_FAILED';
    return { ok: false, code, message: `${failure.message}; start a new session` };
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

export type SessionKind = 'link' | 'reauth';

/** What a bank answer can be for a session: a re-authorisation also learns that the login was someone else's. */
export type StepOutcome = ConnectorOutcome | LinkedOutcome;

/** What completing a session does, carried out with the new state in one transaction. */
export type Effect =
  | { kind: 'none' }
  /** A link: create (or refresh) the account `linked`, with the bank session `bankState`. */
  | { kind: 'link'; linked: BankAccount; bankState: ConnectorState }
  /** A re-authorisation of the session's account: new credentials and bank session replace the old. */
  | { kind: 'reauth'; linked: BankAccount; bankState: ConnectorState };

export interface Transition {
  state: SessionState;
  effect: Effect;
}

/**
 * A bank answer that cannot happen for this session (a connector bug): refused before anything
 * is written, so the session is as it was and the step may be tried again.
 */
export class ImpossibleOutcome extends Error {
  constructor(message: string) {
    super(`impossible bank answer: ${message}`);
    this.name = 'ImpossibleOutcome';
  }
}

export function transition(state: SessionState, outcome: StepOutcome, kind: SessionKind): Transition {
  if (outcome.kind === 'ok') {
    const [linked, ...rest] = outcome.accounts;
    if (!linked || rest.length > 0) throw new ImpossibleOutcome(`'ok' must carry exactly one account, got ${outcome.accounts.length}`);
    return {
      state: { ...state, status: 'completed', ui: null, expectedFields: [], accounts: [], linked },
      effect: { kind, linked, bankState: outcome.state },
    };
  }
  if (outcome.kind === 'select' && kind === 'reauth')
    throw new ImpossibleOutcome("a re-authorisation picks the linked account itself; 'select' cannot reach the machine");
  return { state: next(state, outcome), effect: { kind: 'none' } };
}

/**
 * Who waits for a re-authorisation's background login: the partner's server (`background`: a
 * login the bank accepts completes it, seed 003's 99), or a person in the widget (`person`: a
 * login the bank accepts without a challenge still asks them to log in, so holding a page's
 * public key and an account id never yields a code on its own).
 */
export type StartMode = 'background' | 'person';

/**
 * The background login that opens a re-authorisation. Stored credentials the bank rejects are
 * not the user's failed attempt: the session waits for a login with new ones. A bank that cannot
 * be reached leaves nothing to continue, so the session fails and the account is free again.
 */
export function start(state: SessionState, outcome: LinkedOutcome, mode: StartMode = 'background'): Transition {
  if (outcome.kind === 'invalid_credentials') return { state: { ...state, status: 'awaiting_login' }, effect: { kind: 'none' } };
  if (outcome.kind === 'unavailable') return { state: fail(state, 'BANK_CONNECTION_ERROR', outcome.message), effect: { kind: 'none' } };
  if (outcome.kind === 'ok' && mode === 'person') return { state: { ...state, status: 'awaiting_login', storedAccepted: true }, effect: { kind: 'none' } };
  return transition(state, outcome, 'reauth');
}

/** A cancelled session: failed, so every later step is refused, with the reason it was cancelled. */
export function cancel(state: SessionState, reason: string): SessionState {
  return fail(state, 'SESSION_CANCELLED', reason);
}

function next(state: SessionState, outcome: Exclude<StepOutcome, { kind: 'ok' }>): SessionState {
  switch (outcome.kind) {
    case 'other_user':
      return fail(state, 'BANK_USER_MISMATCH', outcome.message);
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
      if (loginAttempts >= MAX_ATTEMPTS)
        return fail({ ...state, loginAttempts }, 'BANK_LOGIN_FAILED', `${outcome.message}: ${MAX_ATTEMPTS} failed logins, the session has failed`);
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
export function replyFor(next: SessionState, outcome: StepOutcome, code: string | null): StepReply {
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
      // `ok` without a code, `locked` and `other_user` always end completed or failed above.
      throw new ImpossibleOutcome(`no reply for '${outcome.kind}' in state '${next.status}'`);
  }
}

/**
 * What the background login of a re-authorisation tells the partner: done (99, with the code),
 * input needed (102: the bank's challenge, or the institution's login form when the stored
 * password was rejected, with the step to call next), or a failure that ended the session.
 */
export type StartReply =
  | { responseCode: 99; code: string }
  | { responseCode: 102; ui: Ui; next: 'login' | 'commit'; reason: ReauthReason; message: string }
  | { responseCode: 400; error: ErrorCode; message: string };

/**
 * Why a re-authorisation needs the person: the bank sent them a challenge (`challenge`), the
 * bank no longer takes the stored password (`credentials_rejected`), or the bank took it and
 * the widget asks them to confirm it is them by logging in (`confirm_login`).
 */
export type ReauthReason = 'challenge' | 'credentials_rejected' | 'confirm_login';

export function replyForStart(next: SessionState, outcome: LinkedOutcome, code: string | null): StartReply {
  if (next.status === 'awaiting_login' && next.ui) {
    if (next.storedAccepted)
      return { responseCode: 102, ui: next.ui, next: 'login', reason: 'confirm_login', message: 'Log in to your bank to confirm it is you' };
    return {
      responseCode: 102,
      ui: next.ui,
      next: 'login',
      reason: 'credentials_rejected',
      message: `${outcome.kind === 'invalid_credentials' ? outcome.message : 'Login needed'}: log in again with the new credentials`,
    };
  }
  if (next.status === 'awaiting_input' && next.ui) return { responseCode: 102, ui: next.ui, next: 'commit', reason: 'challenge', message: next.ui.title };
  const reply = replyFor(next, outcome, code);
  if (reply.responseCode === 101 || reply.responseCode === 102) throw new ImpossibleOutcome(`a re-authorisation cannot start at ${reply.responseCode}`);
  return reply;
}
