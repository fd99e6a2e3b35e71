import { uiProblem } from '../module.ts';
import type { TestLogins } from '../module.ts';
import type { BankAccount, BankConnector, BankTransaction, ConnectorContext, ConnectorOutcome, ConnectorState, FetchOutcome, LoginInput } from '../types.ts';

/** What the kit checks: a connector, the test logins it drives, and (in process) every log line it wrote. */
export interface Target {
  connector: BankConnector;
  testLogins: TestLogins | undefined;
  /** Every line the connector logged during the run; undefined when they cannot be seen (a connector service). */
  logs?: () => string[];
}

export interface CheckResult {
  check: string;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
}

/** How long any one call may take before the kit calls it hung (the slow login's abort is checked apart). */
const CALL_MS = 15_000;
/** How soon after Relink's signal aborts a call must settle. */
const ABORT_GRACE_MS = 2_000;
const OUTCOMES: readonly string[] = ['ok', 'select', 'challenge', 'wrong_answer', 'invalid_credentials', 'locked', 'unavailable'];
const CREDENTIAL_FIELD = /pass|pin|otp|answer|secret|token|code/i;

class CheckFailed extends Error {}
class Skip extends Error {}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/**
 * The contract's behaviour tests, run against one connector: each login outcome, MFA, account
 * choice, the stored login re-authorisation repeats, the bank session's reuse, data paging,
 * timeouts, error mapping, and no credential in any log line or message. Returns one result per check.
 */
export async function runConformance(target: Target): Promise<CheckResult[]> {
  const { connector } = target;
  const logins = target.testLogins;
  const seen: { kind: string; message?: string }[] = [];
  const thrown: string[] = [];
  const now = Date.now();
  const context = (ms = CALL_MS): ConnectorContext => ({ signal: AbortSignal.timeout(ms), now: () => now });
  const input = (fields: Record<string, string>): LoginInput => ({ institutionId: logins!.institutionId, authMethod: logins!.authMethod, fields });

  async function callBank<T extends { kind: string }>(what: string, work: (ctx: ConnectorContext) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await withDeadline(work(context()), CALL_MS, `${what} did not answer within ${CALL_MS / 1000} s`);
    } catch (error) {
      thrown.push(`${what}: ${(error as Error).message}`);
      throw new CheckFailed(`${what} threw (${(error as Error).message}); expected bank answers are outcomes, not exceptions`);
    }
    seen.push(result as { kind: string; message?: string });
    return result;
  }
  const login = (fields: Record<string, string>) => callBank(`login(${fields.username ?? '…'})`, (ctx) => connector.login(input(fields), ctx));
  const need = <K extends keyof TestLogins>(key: K): NonNullable<TestLogins[K]> => {
    if (!logins) throw new Skip('no testLogins: the module (or the service’s manifest) names no test logins');
    const value = logins[key];
    if (value === undefined) throw new Skip(`no testLogins.${String(key)}`);
    return value as NonNullable<TestLogins[K]>;
  };

  /** Logs in with `fields` and answers what it asks, down to `ok` (picking the first account offered). */
  async function loggedIn(fields: Record<string, string>, answer?: Record<string, string>): Promise<Extract<ConnectorOutcome, { kind: 'ok' }>> {
    let outcome = await login(fields);
    for (let step = 0; step < 4 && outcome.kind !== 'ok'; step++) {
      if (outcome.kind === 'challenge' && answer) {
        const state = outcome.state;
        outcome = await callBank('answer()', (ctx) => connector.answer(roundTrip(state), answer, ctx));
      } else if (outcome.kind === 'select') {
        const { state, accounts } = outcome;
        outcome = await callBank('selectAccount()', (ctx) => connector.selectAccount(roundTrip(state), accounts[0]!.accountNumber, ctx));
      } else break;
    }
    expect(outcome.kind === 'ok', `expected to end logged in (ok), got ${describe(outcome)}`);
    return outcome;
  }

  const checks: [string, () => Promise<string>][] = [
    [
      'login: right password',
      async () => {
        const outcome = await login(need('good'));
        expect(outcome.kind === 'ok' || outcome.kind === 'select', `expected ok or select, got ${describe(outcome)}`);
        accountsProblem(outcome.accounts);
        stateProblem(outcome.state);
        if (outcome.kind === 'ok') expect(outcome.accounts.length === 1, `ok must hold exactly the account linked, got ${outcome.accounts.length}`);
        return `${outcome.kind}, ${outcome.accounts.length} account(s)`;
      },
    ],
    ['login: wrong password', async () => outcomeIs(await login(need('wrongPassword')), 'invalid_credentials')],
    ['login: locked user', async () => outcomeIs(await login(need('locked')), 'locked')],
    ['login: bank down', async () => outcomeIs(await login(need('down')), 'unavailable')],
    [
      'MFA: one-time password',
      async () => {
        const otp = need('otp');
        const challenge = await login(otp.fields);
        expect(challenge.kind === 'challenge', `expected challenge, got ${describe(challenge)}`);
        const form = uiProblem(challenge.ui);
        expect(!form, `the challenge's ui: ${form}`);
        stateProblem(challenge.state);
        const wrong = await callBank('answer(wrong)', (ctx) => connector.answer(roundTrip(challenge.state), otp.wrong, ctx));
        expect(wrong.kind === 'wrong_answer', `a wrong answer must be wrong_answer, got ${describe(wrong)}`);
        expect(!uiProblem(wrong.ui), 'wrong_answer must carry the form to show again');
        const right = await callBank('answer(right)', (ctx) => connector.answer(roundTrip(wrong.state), otp.answer, ctx));
        expect(right.kind === 'ok' || right.kind === 'select', `the right answer after a wrong one must log in, got ${describe(right)}`);
        return `challenge (${challenge.ui.form.map((f) => f.name).join(', ')}), wrong_answer, then ${right.kind}`;
      },
    ],
    [
      'account choice',
      async () => {
        const offered = await login(need('multi'));
        expect(offered.kind === 'select', `expected select, got ${describe(offered)}`);
        accountsProblem(offered.accounts);
        const numbers = offered.accounts.map((a) => a.accountNumber);
        expect(numbers.length >= 2 && new Set(numbers).size === numbers.length, `select must offer two or more distinct accounts, got ${numbers.join(', ')}`);
        const pick = numbers[1]!;
        const chosen = await callBank('selectAccount()', (ctx) => connector.selectAccount(roundTrip(offered.state), pick, ctx));
        expect(chosen.kind === 'ok', `picking an offered account must log in, got ${describe(chosen)}`);
        expect(chosen.accounts.length === 1 && chosen.accounts[0]!.accountNumber === pick, `ok must hold exactly the account picked (${pick})`);
        return `select of ${numbers.length}, ok with the one picked`;
      },
    ],
    [
      'stored login again (re-authorisation)',
      async () => {
        const good = need('good');
        const first = await loggedIn(good, logins?.otp?.answer);
        const again = await loggedIn(good, logins?.otp?.answer);
        expect(
          first.accounts[0]!.accountNumber === again.accounts[0]!.accountNumber,
          `the same login must reach the same account (${first.accounts[0]!.accountNumber}, then ${again.accounts[0]!.accountNumber})`,
        );
        return `the saved login logs in again to ${first.accounts[0]!.accountNumber}`;
      },
    ],
    [
      'bank session reused for data',
      async () => {
        const session = await loggedIn(need('good'), logins?.otp?.answer);
        const number = session.accounts[0]!.accountNumber;
        const first = await callBank('fetchData()', (ctx) => connector.fetchData(roundTrip(session.state), number, {}, ctx));
        const second = await callBank('fetchData() again', (ctx) => connector.fetchData(roundTrip(session.state), number, {}, ctx));
        for (const data of [first, second]) expect(data.kind === 'ok', `fetchData with the state of a fresh login must be ok, got ${describe(data)}`);
        const { account, identity } = (first as Extract<FetchOutcome, { kind: 'ok' }>).data;
        expect(account.accountNumber === number, `fetchData answered account ${account.accountNumber} for ${number}`);
        expect(typeof identity.fullName === 'string' && identity.fullName !== '', 'identity.fullName is empty');
        return 'two reads with one login state';
      },
    ],
    [
      'data paging (since)',
      async () => {
        const session = await loggedIn(need('good'), logins?.otp?.answer);
        const number = session.accounts[0]!.accountNumber;
        const all = await callBank('fetchData()', (ctx) => connector.fetchData(roundTrip(session.state), number, {}, ctx));
        expect(all.kind === 'ok', `fetchData must be ok, got ${describe(all)}`);
        const transactions = all.data.transactions;
        transactionsProblem(transactions);
        expect(transactions.length >= 2, 'the test login’s account needs two or more transactions to check paging');
        const since = [...transactions].sort((a, b) => a.date - b.date)[Math.floor(transactions.length / 2)]!.date;
        const later = await callBank('fetchData(since)', (ctx) => connector.fetchData(roundTrip(session.state), number, { since }, ctx));
        expect(later.kind === 'ok', `fetchData with since must be ok, got ${describe(later)}`);
        const expected = transactions
          .filter((t) => t.date > since)
          .map((t) => t.id)
          .sort();
        const got = later.data.transactions.map((t) => t.id).sort();
        expect(
          JSON.stringify(got) === JSON.stringify(expected),
          `since=${since} must give exactly the ${expected.length} later transactions (same ids), got ${got.length}`,
        );
        return `${transactions.length} transactions, ${got.length} after the middle one`;
      },
    ],
    [
      'timeouts (Relink’s signal)',
      async () => {
        const slow = need('slow');
        const controller = new AbortController();
        const started = Date.now();
        const call = connector.login(input(slow), { signal: controller.signal, now: () => now }).then(
          () => 'answered',
          () => 'rejected',
        );
        setTimeout(() => controller.abort(new Error('Relink stopped waiting')), 300);
        const how = await withDeadline(call, 300 + ABORT_GRACE_MS, '').catch(() => 'hung');
        expect(how !== 'hung', `the slow login went on ${ABORT_GRACE_MS / 1000} s after its signal aborted: pass context.signal to the bank call`);
        return `settled (${how}) ${Date.now() - started - 300} ms after the abort`;
      },
    ],
    [
      'error mapping',
      async () => {
        expect(thrown.length === 0, `threw for a bank answer: ${thrown.join('; ')}`);
        const unknown = seen.filter((o) => !OUTCOMES.includes(o.kind) && !['session_expired'].includes(o.kind));
        expect(unknown.length === 0, `unknown outcome kinds: ${unknown.map((o) => o.kind).join(', ')}`);
        const silent = seen.filter((o) => ['invalid_credentials', 'locked', 'unavailable', 'wrong_answer', 'session_expired'].includes(o.kind) && !o.message);
        expect(silent.length === 0, `a ${silent[0]?.kind} outcome without a message (the partner sees it)`);
        return `${seen.length} outcomes, every one a known kind with its message`;
      },
    ],
    [
      'no credential in logs or messages',
      async () => {
        const secrets = credentialValues(logins);
        expect(secrets.length > 0, 'no credential in the test logins to look for');
        const messages = seen.map((o) => o.message ?? '').filter((m) => secrets.some((s) => m.includes(s)));
        expect(messages.length === 0, `an outcome message holds a credential: ${messages[0]}`);
        if (!target.logs) throw new Skip('a connector service’s logs are not visible from here: run the module in process to check them');
        const leaking = target.logs().filter((line) => secrets.some((s) => line.includes(s)));
        if (leaking.length > 0) throw new CheckFailed(`${leaking.length} log line(s) hold a credential, e.g. ${redact(leaking[0]!, secrets)}`);
        return `${target.logs().length} log lines, none with a password, OTP or answer`;
      },
    ],
  ];

  const results: CheckResult[] = [];
  for (const [check, run] of checks) {
    try {
      results.push({ check, status: 'pass', detail: await run() });
    } catch (error) {
      if (error instanceof Skip) results.push({ check, status: 'skip', detail: error.message });
      else if (error instanceof CheckFailed) results.push({ check, status: 'fail', detail: error.message });
      else results.push({ check, status: 'fail', detail: `the check itself failed: ${(error as Error).message}` });
    }
  }
  return results;
}

function outcomeIs(outcome: ConnectorOutcome, kind: ConnectorOutcome['kind']): string {
  expect(outcome.kind === kind, `expected ${kind}, got ${describe(outcome)}`);
  expect('message' in outcome && typeof outcome.message === 'string' && outcome.message !== '', `${kind} needs a message for the partner`);
  return `${kind}: "${(outcome as { message: string }).message}"`;
}

function describe(outcome: { kind: string; message?: string }): string {
  return outcome.message ? `${outcome.kind} ("${outcome.message}")` : outcome.kind;
}

function accountsProblem(accounts: BankAccount[]) {
  expect(Array.isArray(accounts) && accounts.length > 0, 'no accounts');
  for (const a of accounts) {
    expect(typeof a.accountNumber === 'string' && a.accountNumber !== '', 'an account without an accountNumber');
    expect(typeof a.name === 'string' && typeof a.type === 'string', `account ${a.accountNumber}: name and type are strings`);
    expect(/^[A-Z]{3}$/.test(a.currency), `account ${a.accountNumber}: currency must be ISO 4217 (NGN), got ${a.currency}`);
    expect(Number.isInteger(a.balance), `account ${a.accountNumber}: balance must be whole minor units (kobo), got ${a.balance}`);
  }
}

function transactionsProblem(transactions: BankTransaction[]) {
  const ids = new Set<string>();
  for (const t of transactions) {
    expect(typeof t.id === 'string' && t.id !== '' && !ids.has(t.id), `transaction ids must be present and unique (${t.id})`);
    ids.add(t.id);
    expect(t.type === 'debit' || t.type === 'credit', `transaction ${t.id}: type must be debit or credit`);
    expect(Number.isInteger(t.amount) && t.amount > 0, `transaction ${t.id}: amount must be positive whole minor units, got ${t.amount}`);
    expect(Number.isFinite(t.date), `transaction ${t.id}: date must be epoch ms`);
  }
}

/** A state must survive Relink's JSON storage unchanged. */
function stateProblem(state: ConnectorState) {
  expect(state && typeof state === 'object', 'state must be a JSON object');
  expect(JSON.stringify(roundTrip(state)) === JSON.stringify(state), 'state does not survive JSON.stringify and JSON.parse (Relink stores it as JSON)');
}

function roundTrip(state: ConnectorState): ConnectorState {
  return JSON.parse(JSON.stringify(state)) as ConnectorState;
}

function credentialValues(logins: TestLogins | undefined): string[] {
  if (!logins) return [];
  const sets = [
    logins.good,
    logins.wrongPassword,
    logins.locked,
    logins.down,
    logins.multi,
    logins.slow,
    logins.otp?.fields,
    logins.otp?.answer,
    logins.otp?.wrong,
  ];
  const values = sets.flatMap((fields) => Object.entries(fields ?? {}).filter(([name, value]) => CREDENTIAL_FIELD.test(name) && value.length >= 4));
  return [...new Set(values.map(([, value]) => value))];
}

function redact(line: string, secrets: string[]): string {
  let out = line;
  for (const s of secrets) out = out.replaceAll(s, '<credential>');
  return out.length > 160 ? `${out.slice(0, 160)}…` : out;
}

function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
