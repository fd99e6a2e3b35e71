import { setTimeout as sleep } from 'node:timers/promises';
import type { Ui } from '@relink/contract';
import type {
  BankAccount,
  BankConnector,
  ConnectorContext,
  ConnectorOutcome,
  ConnectorState,
  FetchOutcome,
  FetchRequest,
  LoginInput,
  ResetReason,
  SandboxControls,
} from '../types.ts';
import { hashPassword, MemorySandboxState, passwordMatches, type SandboxBankState } from './state.ts';
import { type AccountProfile, accountsFor, balanceAt, identityFor, transactionsAt } from './data.ts';
import { incomeLedgerAt } from './incomes.ts';
import { DEFAULT_PASSWORD, LOGIN_PERIOD_MS, OTP_UI, QUESTION_UI, SANDBOX_ANSWER, SANDBOX_OTP, SCENARIOS, scenarioName, type Scenario } from './scenarios.ts';

export interface SandboxBankOptions {
  /** Where the bank keeps changed passwords and forced MFA; in memory by default. */
  state?: SandboxBankState;
  /** How long `user_slow` takes to log in. Default 2000 ms. */
  slowDelayMs?: number;
  /** How long a bank session (the state from `ok`) can read data. Default 15 minutes. */
  sessionTtlMs?: number;
}

/** `session` is a logged-in bank session; the other steps are a login waiting for input. */
type Step = 'otp' | 'question' | 'select' | 'session';

interface SandboxState {
  step: Step;
  username: string;
  institutionId: string;
  /** Set on `session`: when the bank session started, epoch ms. */
  loggedInAt?: number;
}

const INVALID: ConnectorOutcome = { kind: 'invalid_credentials', message: 'Invalid credentials' };

/**
 * The passwords a `password_changed` reset gives, in turn: `pass_changed1`, then
 * `pass_changed2`, … up to this many, then round again. Each reset changes the password (so the
 * stored one stops working), and since the bank keeps only a password's hash, a known list is
 * what lets it tell which one is current (`currentPasswords`) for the widget's hint.
 */
const CHANGED_PASSWORDS = 99;
const changedPassword = (n: number) => `pass_changed${n}`;

/** Which of the passwords a reset gives `hash` is (1…), or 0 for none of them. */
function changedPasswordNumber(hash: string | undefined): number {
  if (!hash) return 0;
  for (let n = 1; n <= CHANGED_PASSWORDS; n++) if (hashPassword(changedPassword(n)) === hash) return n;
  return 0;
}

/** A bank user's password that is not the default; `null` when it is not one this bank can name (set by an older version). */
export interface CurrentPassword {
  institutionId: string;
  username: string;
  password: string | null;
}

export class SandboxBank implements BankConnector, SandboxControls {
  readonly name = 'sandbox';
  readonly #state: SandboxBankState;
  readonly #slowDelayMs: number;
  readonly #sessionTtlMs: number;

  constructor(options: SandboxBankOptions = {}) {
    this.#state = options.state ?? new MemorySandboxState();
    this.#slowDelayMs = options.slowDelayMs ?? 2000;
    this.#sessionTtlMs = options.sessionTtlMs ?? 15 * 60_000;
  }

  /** The password the bank accepts for `username` from now on; the old one stops working. */
  async changePassword(institutionId: string, username: string, newPassword: string): Promise<void> {
    await this.#state.setPassword(institutionId, username, newPassword);
  }

  /** The next login of `username` is asked for an OTP, whatever its scenario. */
  async requireMfa(institutionId: string, username: string): Promise<void> {
    await this.#state.setForceMfa(institutionId, username, true);
  }

  async resetLogin(institutionId: string, fields: Record<string, string>, reason: ResetReason): Promise<{ username: string; newPassword?: string }> {
    const username = fields.username ?? '';
    if (!scenarioOfUser(username)) throw new Error(`sandbox: no sandbox user ${JSON.stringify(username)} to reset`);
    if (reason === 'mfa_required') {
      await this.requireMfa(institutionId, username);
      return { username };
    }
    const current = changedPasswordNumber((await this.#state.get(institutionId, username))?.passwordHash);
    const newPassword = changedPassword((current % CHANGED_PASSWORDS) + 1);
    await this.changePassword(institutionId, username, newPassword);
    return { username, newPassword };
  }

  /** The passwords of `usernames` that are not the default, at each institution (for the widget's hint and the demo page). */
  async currentPasswords(usernames: readonly string[]): Promise<CurrentPassword[]> {
    return (await this.#state.changedPasswords(usernames)).map(({ institutionId, username, passwordHash }) => {
      const n = changedPasswordNumber(passwordHash);
      return { institutionId, username, password: n === 0 ? null : changedPassword(n) };
    });
  }

  /** Every bank user back as the bank began: the default password, no forced MFA. Returns how many users had changed. */
  restore(): Promise<number> {
    return this.#state.clear();
  }

  async login(input: LoginInput, context: ConnectorContext): Promise<ConnectorOutcome> {
    const { username, password } = input.fields;
    const name = username === undefined ? undefined : scenarioName(username);
    if (name === 'user_locked') return { kind: 'locked', message: 'The bank reports this account is locked' };
    if (name === 'user_down') {
      return { kind: 'unavailable', message: 'Connection error: Relink Sandbox Bank is unreachable' };
    }
    // scenarioName gives only known users, and the two without a scenario have answered above.
    const scenario = name === undefined ? undefined : SCENARIOS[name];
    if (!username || !password || !scenario) return INVALID;
    // Rejects with an AbortError (and clears the timer) when Relink's timeout fires.
    if (scenario.slow) await sleep(this.#slowDelayMs, undefined, { signal: context.signal });
    const record = await this.#state.get(input.institutionId, username);
    if (!passwordMatches(record, password, DEFAULT_PASSWORD)) return INVALID;

    const base = { username, institutionId: input.institutionId };
    if (scenario.challenge === 'otp' || (record?.forceMfa && scenario.challenge !== 'question'))
      return { kind: 'challenge', ui: OTP_UI, state: toJson({ ...base, step: 'otp' }) };
    if (scenario.challenge === 'question') {
      return { kind: 'challenge', ui: QUESTION_UI, state: toJson({ ...base, step: 'question' }) };
    }
    return this.#authenticated(base, scenario, context);
  }

  async answer(state: ConnectorState, fields: Record<string, string>, context: ConnectorContext): Promise<ConnectorOutcome> {
    const s = parseState(state);
    let correct: boolean;
    let ui: Ui;
    if (s.step === 'otp') {
      correct = fields.otp?.trim() === SANDBOX_OTP;
      ui = OTP_UI;
    } else if (s.step === 'question') {
      correct = fields.answer?.trim().toLowerCase() === SANDBOX_ANSWER;
      ui = QUESTION_UI;
    } else {
      throw new Error(`sandbox: answer() called on a state at step '${s.step}'`);
    }
    if (!correct) {
      const message = s.step === 'otp' ? 'Invalid OTP' : 'Incorrect answer';
      return { kind: 'wrong_answer', message, ui, state: toJson(s) };
    }
    // MFA passed: a forced challenge is satisfied until the next reset.
    if ((await this.#state.get(s.institutionId, s.username))?.forceMfa) await this.#state.setForceMfa(s.institutionId, s.username, false);
    return this.#authenticated(s, scenarioOf(s), context);
  }

  async selectAccount(state: ConnectorState, accountNumber: string, context: ConnectorContext): Promise<ConnectorOutcome> {
    const s = parseState(state);
    if (s.step !== 'select') throw new Error(`sandbox: selectAccount() called on a state at step '${s.step}'`);
    const accounts = this.#accounts(s, scenarioOf(s), context.now());
    const chosen = accounts.find((a) => a.accountNumber === accountNumber);
    // Relink validates the choice first, so an unknown number only re-offers the same list.
    if (!chosen) return { kind: 'select', accounts, state: toJson(s) };
    return { kind: 'ok', accounts: [chosen], state: session(s, context) };
  }

  async fetchData(state: ConnectorState, accountNumber: string, request: FetchRequest, context: ConnectorContext): Promise<FetchOutcome> {
    const s = parseState(state);
    if (s.step !== 'session') throw new Error(`sandbox: fetchData() called on a state at step '${s.step}'`);
    const now = context.now();
    if (now - (s.loggedInAt ?? 0) > this.#sessionTtlMs) {
      return { kind: 'session_expired', message: 'The bank session has expired; log in again' };
    }
    const scenario = scenarioOf(s);
    const profile = accountsFor(s.institutionId, s.username, scenario.accounts).find((a) => a.accountNumber === accountNumber);
    if (!profile) throw new Error(`sandbox: account ${accountNumber} does not belong to ${s.username}`);
    const { transactions, balance } = ledgerAt(scenario, profile, now);
    const identity = identityFor(s.username);
    const since = request.since;
    return {
      kind: 'ok',
      data: {
        account: { ...profile, balance, bvn: identity.bvn.slice(-4) },
        identity,
        transactions: transactions.filter((t) => since === undefined || t.date > since),
        ...(scenario.expiring ? { loginExpiresAt: (Math.floor(now / LOGIN_PERIOD_MS) + 1) * LOGIN_PERIOD_MS } : {}),
      },
    };
  }

  #accounts(s: SandboxState, scenario: Scenario, now: number): BankAccount[] {
    return accountsFor(s.institutionId, s.username, scenario.accounts).map((a) => ({ ...a, balance: ledgerAt(scenario, a, now).balance }));
  }

  /** Password (and challenge, if any) passed: the accounts, or a choice of them. */
  #authenticated(base: Pick<SandboxState, 'username' | 'institutionId'>, scenario: Scenario, context: ConnectorContext): ConnectorOutcome {
    const accounts = this.#accounts({ ...base, step: 'select' }, scenario, context.now());
    if (accounts.length > 1) return { kind: 'select', accounts, state: toJson({ ...base, step: 'select' }) };
    return { kind: 'ok', accounts, state: session(base, context) };
  }
}

/** The account's transactions visible at `now`, oldest first, and its balance then. */
function ledgerAt(scenario: Scenario, account: AccountProfile, now: number) {
  if (scenario.income) return incomeLedgerAt(scenario.income, account.accountNumber, account.name, now);
  return { transactions: transactionsAt(account.accountNumber, now), balance: balanceAt(account.accountNumber, now) };
}

function session(base: Pick<SandboxState, 'username' | 'institutionId'>, context: ConnectorContext): ConnectorState {
  return toJson({ username: base.username, institutionId: base.institutionId, step: 'session', loggedInAt: context.now() });
}

function toJson(state: SandboxState): ConnectorState {
  return { ...state };
}

const STEPS: readonly string[] = ['otp', 'question', 'select', 'session'];

/** States come back from Relink's store; anything malformed is a bug, so it throws. */
function parseState(state: ConnectorState): SandboxState {
  const { step, username, institutionId, loggedInAt } = state;
  if (
    typeof step !== 'string' ||
    !STEPS.includes(step) ||
    typeof username !== 'string' ||
    !scenarioOfUser(username) ||
    typeof institutionId !== 'string' ||
    (step === 'session' ? typeof loggedInAt !== 'number' : loggedInAt !== undefined)
  ) {
    throw new Error('sandbox: malformed connector state');
  }
  return { step: step as Step, username, institutionId, ...(typeof loggedInAt === 'number' ? { loggedInAt } : {}) };
}

function scenarioOf(s: SandboxState): Scenario {
  return scenarioOfUser(s.username)!;
}

/** The scenario of a user who can log in (not `user_locked` or `user_down`), tag or none. */
function scenarioOfUser(username: string): Scenario | undefined {
  const name = scenarioName(username);
  return name !== undefined && Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
}
