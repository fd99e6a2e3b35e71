// The session state machine (sessions/machine.ts) on its own: no database, no HTTP, no bank.
// Every edge of the diagram, the attempt caps (NIST SP 800-63B §5.2.2) and the expiry guard.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Ui } from '@relink/contract';
import type { BankAccount, ConnectorOutcome } from '../../src/connectors/types.ts';
import {
  cancel,
  guard,
  ImpossibleOutcome,
  initialState,
  MAX_ATTEMPTS,
  replyFor,
  replyForStart,
  type SessionKind,
  type SessionState,
  start,
  transition,
} from '../../src/sessions/machine.ts';

const loginForm: Ui = { title: 'Log in', form: [{ name: 'username' }, { name: 'password' }] } as unknown as Ui;
const otpForm: Ui = { title: 'Enter the OTP', form: [{ name: 'otp' }] } as unknown as Ui;
const account = (n: string): BankAccount => ({ accountNumber: n, name: `Account ${n}`, type: 'SAVINGS_ACCOUNT', currency: 'NGN', balance: 100 });
const outcomes = {
  ok: { kind: 'ok', accounts: [account('0001')], state: {} },
  select: { kind: 'select', accounts: [account('0001'), account('0002')], state: {} },
  challenge: { kind: 'challenge', ui: otpForm, state: {} },
  wrongAnswer: { kind: 'wrong_answer', message: 'Wrong OTP', ui: otpForm, state: {} },
  invalid: { kind: 'invalid_credentials', message: 'Wrong password' },
  locked: { kind: 'locked', message: 'Account locked' },
  unavailable: { kind: 'unavailable', message: 'Bank down' },
} satisfies Record<string, ConnectorOutcome>;

const NOW = 1_000_000;
const LATER = NOW + 60_000;
/** The next state of a link session (the effect is checked in its own tests). */
const next = (state: SessionState, outcome: ConnectorOutcome, kind: SessionKind = 'link') => transition(state, outcome, kind).state;
const run = (state: SessionState, ...steps: ConnectorOutcome[]) => steps.reduce((s, o) => next(s, o), state);

describe('session machine: transitions', () => {
  test('a new session waits for login with the login form fields expected', () => {
    const state = initialState(loginForm);
    assert.equal(state.status, 'awaiting_login');
    assert.deepEqual(state.expectedFields, ['username', 'password']);
    assert.equal(state.loginAttempts, 0);
    assert.equal(state.failure, null);
  });

  test('login → challenge → answer → completed, linking the one account', () => {
    const challenged = run(initialState(loginForm), outcomes.challenge);
    assert.equal(challenged.status, 'awaiting_input');
    assert.deepEqual(challenged.expectedFields, ['otp']);
    assert.equal(challenged.ui, otpForm);
    const done = next(challenged, outcomes.ok);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.linked, account('0001'));
    assert.deepEqual(done.expectedFields, []);
  });

  test('several accounts: awaiting_account with the offered accounts, then completed', () => {
    const selecting = run(initialState(loginForm), outcomes.select);
    assert.equal(selecting.status, 'awaiting_account');
    assert.equal(selecting.accounts.length, 2);
    assert.equal(next(selecting, outcomes.ok).status, 'completed');
  });

  test(`wrong answers count per challenge; the ${MAX_ATTEMPTS}rd fails the session with OTP_ATTEMPTS_EXCEEDED`, () => {
    let state = run(initialState(loginForm), outcomes.challenge);
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      state = next(state, outcomes.wrongAnswer);
      assert.equal(state.status, 'awaiting_input');
      assert.equal(state.answerAttempts, i);
    }
    state = next(state, outcomes.wrongAnswer);
    assert.equal(state.status, 'failed');
    assert.equal(state.failure?.code, 'OTP_ATTEMPTS_EXCEEDED');
  });

  test('a new challenge resets the answer count', () => {
    const state = run(initialState(loginForm), outcomes.challenge, outcomes.wrongAnswer, outcomes.wrongAnswer, outcomes.challenge);
    assert.equal(state.answerAttempts, 0);
    assert.equal(next(state, outcomes.wrongAnswer).status, 'awaiting_input');
  });

  test(`wrong passwords keep the session at login until the ${MAX_ATTEMPTS}rd, which fails it`, () => {
    const twice = run(initialState(loginForm), outcomes.invalid, outcomes.invalid);
    assert.equal(twice.status, 'awaiting_login');
    assert.equal(twice.loginAttempts, 2);
    const failed = next(twice, outcomes.invalid);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failure?.code, 'BANK_LOGIN_FAILED');
  });

  test('a locked account fails at once; an unavailable bank changes nothing', () => {
    assert.equal(next(initialState(loginForm), outcomes.locked).status, 'failed');
    const state = run(initialState(loginForm), outcomes.challenge);
    assert.equal(next(state, outcomes.unavailable), state);
  });
});

describe('session machine: guard', () => {
  const fresh = initialState(loginForm);
  const challenged = run(fresh, outcomes.challenge);

  test('the step the state waits for is allowed before expiry', () => {
    assert.deepEqual(guard(fresh, 'login', NOW, LATER), { ok: true });
    assert.deepEqual(guard(challenged, 'commit', NOW, LATER), { ok: true });
  });

  test('expiry is a guard: at expiresAt the session is expired, whatever its status', () => {
    assert.equal((guard(fresh, 'login', LATER, LATER) as { code: string }).code, 'SESSION_EXPIRED');
    assert.equal((guard(challenged, 'commit', LATER + 1, LATER) as { code: string }).code, 'SESSION_EXPIRED');
  });

  test('the wrong step for the state is INVALID_INPUT naming the right endpoint', () => {
    const login = guard(challenged, 'login', NOW, LATER);
    assert.equal(login.ok, false);
    assert.match((login as { message: string }).message, /commit endpoint/);
    const commit = guard(fresh, 'commit', NOW, LATER);
    assert.match((commit as { message: string }).message, /login endpoint/);
  });

  test('completed and failed sessions refuse every step, even before expiry', () => {
    const completed = next(challenged, outcomes.ok);
    assert.equal((guard(completed, 'commit', NOW, LATER) as { code: string }).code, 'SESSION_COMPLETED');
    const exceeded = run(challenged, outcomes.wrongAnswer, outcomes.wrongAnswer, outcomes.wrongAnswer);
    assert.equal((guard(exceeded, 'commit', NOW, LATER) as { code: string }).code, 'OTP_ATTEMPTS_EXCEEDED');
    const locked = next(fresh, outcomes.locked);
    assert.equal((guard(locked, 'login', NOW, LATER) as { code: string }).code, 'SESSION_FAILED');
  });
});

describe('session machine: replies', () => {
  test('99 with the code when completed; 101 with the accounts; 102 with the form', () => {
    const challenged = run(initialState(loginForm), outcomes.challenge);
    assert.deepEqual(replyFor(next(challenged, outcomes.ok), outcomes.ok, 'code_x'), { responseCode: 99, code: 'code_x' });
    const selecting = run(initialState(loginForm), outcomes.select);
    assert.equal(replyFor(selecting, outcomes.select, null).responseCode, 101);
    assert.deepEqual(replyFor(challenged, outcomes.challenge, null), { responseCode: 102, ui: otpForm });
  });

  test('a wrong answer says how many tries are left; the last one fails the session', () => {
    const challenged = run(initialState(loginForm), outcomes.challenge);
    const once = next(challenged, outcomes.wrongAnswer);
    assert.deepEqual(replyFor(once, outcomes.wrongAnswer, null), { responseCode: 400, error: 'OTP_INVALID', message: 'Wrong OTP; 2 tries left' });
    const twice = next(once, outcomes.wrongAnswer);
    assert.match((replyFor(twice, outcomes.wrongAnswer, null) as { message: string }).message, /1 try left$/);
    const failed = next(twice, outcomes.wrongAnswer);
    assert.equal((replyFor(failed, outcomes.wrongAnswer, null) as { error: string }).error, 'OTP_ATTEMPTS_EXCEEDED');
  });

  test('a bank that is down is BANK_CONNECTION_ERROR; a wrong password BANK_LOGIN_FAILED', () => {
    const fresh = initialState(loginForm);
    assert.equal((replyFor(fresh, outcomes.unavailable, null) as { error: string }).error, 'BANK_CONNECTION_ERROR');
    assert.equal((replyFor(next(fresh, outcomes.invalid), outcomes.invalid, null) as { error: string }).error, 'BANK_LOGIN_FAILED');
  });
});

describe('session machine: effects and re-authorisation', () => {
  test('completing says what to do: link the account, or re-authorise the known one, with the bank session', () => {
    const challenged = run(initialState(loginForm), outcomes.challenge);
    assert.deepEqual(transition(challenged, outcomes.ok, 'link').effect, { kind: 'link', linked: account('0001'), bankState: {} });
    assert.deepEqual(transition(challenged, outcomes.ok, 'reauth').effect, { kind: 'reauth', linked: account('0001'), bankState: {} });
    for (const outcome of [outcomes.challenge, outcomes.wrongAnswer, outcomes.invalid, outcomes.locked, outcomes.unavailable]) {
      assert.deepEqual(transition(challenged, outcome, 'link').effect, { kind: 'none' }, outcome.kind);
    }
  });

  test('an impossible bank answer throws before any state: ok without one account, select during a reauth', () => {
    const fresh = initialState(loginForm);
    assert.throws(() => transition(fresh, { kind: 'ok', accounts: [], state: {} }, 'link'), ImpossibleOutcome);
    assert.throws(() => transition(fresh, { kind: 'ok', accounts: [account('1'), account('2')], state: {} }, 'link'), ImpossibleOutcome);
    assert.throws(() => transition(fresh, outcomes.select, 'reauth'), ImpossibleOutcome);
    assert.throws(() => replyFor(fresh, outcomes.ok, null), ImpossibleOutcome);
  });

  test('the background login: rejected stored credentials wait for a login (not a counted attempt); a bank that is down fails it', () => {
    const fresh = initialState(loginForm);
    const rejected = start(fresh, outcomes.invalid);
    assert.equal(rejected.state.status, 'awaiting_login');
    assert.equal(rejected.state.loginAttempts, 0);
    assert.deepEqual(replyForStart(rejected.state, outcomes.invalid, null), {
      responseCode: 102,
      ui: loginForm,
      next: 'login',
      reason: 'credentials_rejected',
      message: 'Wrong password: log in again with the new credentials',
    });
    const mfa = start(fresh, outcomes.challenge);
    assert.deepEqual(replyForStart(mfa.state, outcomes.challenge, null), {
      responseCode: 102,
      ui: otpForm,
      next: 'commit',
      reason: 'challenge',
      message: 'Enter the OTP',
    });
    const down = start(fresh, outcomes.unavailable);
    assert.equal(down.state.status, 'failed');
    assert.deepEqual(replyForStart(down.state, outcomes.unavailable, null), { responseCode: 400, error: 'BANK_CONNECTION_ERROR', message: 'Bank down' });
    const done = start(fresh, outcomes.ok);
    assert.equal(done.effect.kind, 'reauth');
    assert.deepEqual(replyForStart(done.state, outcomes.ok, 'code_y'), { responseCode: 99, code: 'code_y' });
    const other = start(fresh, { kind: 'other_user', message: 'Someone else' });
    assert.equal(other.state.failure?.code, 'BANK_USER_MISMATCH');
  });

  // A page's public key and an account id must never be enough for a code: in the widget a
  // background login the bank accepts still waits for the person to log in.
  test('a person waits: a background login the bank accepts asks them to log in, a challenge still goes to them', () => {
    const fresh = initialState(loginForm);
    const accepted = start(fresh, outcomes.ok, 'person');
    assert.equal(accepted.effect.kind, 'none');
    assert.equal(accepted.state.status, 'awaiting_login');
    assert.equal(accepted.state.storedAccepted, true);
    assert.deepEqual(replyForStart(accepted.state, outcomes.ok, null), {
      responseCode: 102,
      ui: loginForm,
      next: 'login',
      reason: 'confirm_login',
      message: 'Log in to your bank to confirm it is you',
    });
    const mfa = start(fresh, outcomes.challenge, 'person');
    assert.equal(mfa.state.status, 'awaiting_input');
    assert.equal(start(fresh, outcomes.invalid, 'person').state.storedAccepted, undefined);
    // Done only by the person's own login: the next transition from there completes it.
    assert.equal(transition(accepted.state, outcomes.ok, 'reauth').effect.kind, 'reauth');
  });

  test('a cancelled session refuses every later step with SESSION_CANCELLED and its reason', () => {
    const cancelled = cancel(initialState(loginForm), 'The person closed the widget');
    assert.equal(cancelled.status, 'failed');
    for (const step of ['login', 'commit'] as const) {
      assert.deepEqual(guard(cancelled, step, 0, 1), { ok: false, code: 'SESSION_CANCELLED', message: 'The person closed the widget; start a new session' });
    }
  });
});
