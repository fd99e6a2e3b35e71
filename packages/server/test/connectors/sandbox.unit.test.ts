import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemorySandboxState, SANDBOX_CREDENTIALS, SANDBOX_INPUTS, SandboxBank } from '../../src/connectors/sandbox/index.ts';
import type { ConnectorContext, ConnectorOutcome, ConnectorState, FetchOutcome } from '../../src/connectors/types.ts';

const PERSONAL = '5f2d08be60b92e2888287000';
const BUSINESS = '5f2d08be60b92e2888287001';
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const ctx = (now = T0, signal = new AbortController().signal): ConnectorContext => ({ signal, now: () => now });
/** Relink stores states as JSON, so every state goes through a round trip like it would. */
const rt = (state: ConnectorState): ConnectorState => JSON.parse(JSON.stringify(state));

async function login(bank: SandboxBank, username: string, password = 'pass_good', institutionId = PERSONAL, now = T0) {
  return bank.login({ institutionId, authMethod: 'internet_banking', fields: { username, password } }, ctx(now));
}

function expectKind<K extends ConnectorOutcome['kind']>(o: ConnectorOutcome, kind: K): Extract<ConnectorOutcome, { kind: K }> {
  assert.equal(o.kind, kind, `expected ${kind}, got ${JSON.stringify(o)}`);
  return o as Extract<ConnectorOutcome, { kind: K }>;
}

function expectData(o: FetchOutcome) {
  assert.equal(o.kind, 'ok', JSON.stringify(o));
  return (o as Extract<FetchOutcome, { kind: 'ok' }>).data;
}

const OTP_UI = {
  title: 'Relink Sandbox Bank sent a one-time password to your phone',
  form: [{ type: 'elements.input', name: 'otp', hint: 'Enter the 5-digit OTP', contentType: 'password', maxLength: 5 }],
};

describe('sandbox connector: login scenarios', () => {
  test('user_good logs in with one account and a session that reads data', async () => {
    const bank = new SandboxBank();
    assert.equal(bank.name, 'sandbox');
    const ok = expectKind(await login(bank, 'user_good'), 'ok');
    assert.equal(ok.accounts.length, 1);
    const [account] = ok.accounts;
    assert.match(account!.accountNumber, /^\d{10}$/);
    assert.equal(account!.type, 'SAVINGS_ACCOUNT');
    assert.equal(account!.currency, 'NGN');
    assert.ok(Number.isInteger(account!.balance) && account!.balance > 0);
    const data = expectData(await bank.fetchData(rt(ok.state), account!.accountNumber, {}, ctx()));
    assert.equal(data.account.balance, account!.balance);
  });

  test('user_multi offers three accounts; selectAccount keeps only the chosen one', async () => {
    const bank = new SandboxBank();
    const select = expectKind(await login(bank, 'user_multi'), 'select');
    assert.equal(select.accounts.length, 3);
    assert.equal(new Set(select.accounts.map((a) => a.accountNumber)).size, 3);
    const chosen = select.accounts[1]!;
    const ok = expectKind(await bank.selectAccount(rt(select.state), chosen.accountNumber, ctx()), 'ok');
    assert.deepEqual(ok.accounts, [chosen]);
    expectData(await bank.fetchData(rt(ok.state), chosen.accountNumber, {}, ctx()));

    const again = expectKind(await bank.selectAccount(rt(select.state), '0000000000', ctx()), 'select');
    assert.deepEqual(again.accounts, select.accounts);
  });

  test('user_otp asks an OTP; a wrong one can be retried, 12345 logs in', async () => {
    const bank = new SandboxBank();
    const challenge = expectKind(await login(bank, 'user_otp'), 'challenge');
    assert.deepEqual(challenge.ui, OTP_UI);
    const wrong = expectKind(await bank.answer(rt(challenge.state), { otp: '54321' }, ctx()), 'wrong_answer');
    assert.equal(wrong.message, 'Invalid OTP');
    assert.deepEqual(wrong.ui, OTP_UI);
    expectKind(await bank.answer(rt(wrong.state), {}, ctx()), 'wrong_answer');
    const ok = expectKind(await bank.answer(rt(wrong.state), { otp: '12345' }, ctx()), 'ok');
    assert.equal(ok.accounts.length, 1);
    expectData(await bank.fetchData(rt(ok.state), ok.accounts[0]!.accountNumber, {}, ctx()));
  });

  test('user_question asks a security question; "blue" in any case logs in', async () => {
    const bank = new SandboxBank();
    const challenge = expectKind(await login(bank, 'user_question'), 'challenge');
    assert.match(challenge.ui.title, /favourite colour/);
    assert.deepEqual(
      challenge.ui.form.map((f) => [f.name, f.contentType]),
      [['answer', 'string']],
    );
    const wrong = expectKind(await bank.answer(rt(challenge.state), { answer: 'red' }, ctx()), 'wrong_answer');
    assert.deepEqual(wrong.ui, challenge.ui);
    const ok = expectKind(await bank.answer(rt(wrong.state), { answer: '  BLUE ' }, ctx()), 'ok');
    assert.equal(ok.accounts.length, 1);
  });

  test('user_otp_multi: OTP, then three accounts, then the chosen one', async () => {
    const bank = new SandboxBank();
    const challenge = expectKind(await login(bank, 'user_otp_multi'), 'challenge');
    assert.deepEqual(challenge.ui, OTP_UI);
    const select = expectKind(await bank.answer(rt(challenge.state), { otp: '12345' }, ctx()), 'select');
    assert.equal(select.accounts.length, 3);
    const chosen = select.accounts[2]!;
    const ok = expectKind(await bank.selectAccount(rt(select.state), chosen.accountNumber, ctx()), 'ok');
    assert.deepEqual(ok.accounts, [chosen]);
  });

  test('user_locked and user_down ignore the password', async () => {
    const bank = new SandboxBank();
    for (const password of ['pass_good', 'anything', '']) {
      assert.deepEqual(await login(bank, 'user_locked', password), {
        kind: 'locked',
        message: 'The bank reports this account is locked',
      });
      assert.deepEqual(await login(bank, 'user_down', password), {
        kind: 'unavailable',
        message: 'Connection error: Relink Sandbox Bank is unreachable',
      });
    }
  });

  test('unknown users, wrong or missing fields get invalid_credentials', async () => {
    const bank = new SandboxBank();
    const invalid = { kind: 'invalid_credentials', message: 'Invalid credentials' };
    assert.deepEqual(await login(bank, 'user_unknown'), invalid);
    assert.deepEqual(await login(bank, 'constructor'), invalid);
    assert.deepEqual(await login(bank, 'user_good', 'pass_bad'), invalid);
    assert.deepEqual(await login(bank, 'user_otp', 'pass_bad'), invalid);
    assert.deepEqual(await bank.login({ institutionId: PERSONAL, authMethod: 'x', fields: { username: 'user_good' } }, ctx()), invalid);
    assert.deepEqual(await bank.login({ institutionId: PERSONAL, authMethod: 'x', fields: {} }, ctx()), invalid);
  });

  test('a user with a +tag acts like its scenario but is another bank user: own accounts, password and MFA', async () => {
    const bank = new SandboxBank();
    const plain = expectKind(await login(bank, 'user_good'), 'ok').accounts[0]!;
    const a = expectKind(await login(bank, 'user_good+a'), 'ok').accounts[0]!;
    const b = expectKind(await login(bank, 'user_good+b-2_C'), 'ok').accounts[0]!;
    assert.equal(new Set([plain.accountNumber, a.accountNumber, b.accountNumber]).size, 3, 'three people, three accounts');
    assert.deepEqual(expectKind(await login(bank, 'user_good+a'), 'ok').accounts[0], a, 'the same tag is the same person');
    const data = expectData(await bank.fetchData(rt(expectKind(await login(bank, 'user_good+a'), 'ok').state), a.accountNumber, {}, ctx()));
    assert.equal(data.account.accountNumber, a.accountNumber);

    const otp = expectKind(await login(bank, 'user_otp+7'), 'challenge');
    expectKind(await bank.answer(rt(otp.state), { otp: '12345' }, ctx()), 'ok');
    expectKind(await login(bank, 'user_multi+x'), 'select');
    expectKind(await login(bank, 'user_locked+x', 'anything'), 'locked');
    expectKind(await login(bank, 'user_down+x', 'anything'), 'unavailable');

    const reset = await bank.resetLogin(PERSONAL, { username: 'user_good+a' }, 'password_changed');
    expectKind(await login(bank, 'user_good+a'), 'invalid_credentials');
    expectKind(await login(bank, 'user_good+a', reset.newPassword), 'ok');
    expectKind(await login(bank, 'user_good+b-2_C'), 'ok');
    expectKind(await login(bank, 'user_good'), 'ok');
    await bank.requireMfa(PERSONAL, 'user_good+b-2_C');
    expectKind(await login(bank, 'user_good+b-2_C'), 'challenge');
    expectKind(await login(bank, 'user_good'), 'ok');
  });

  test('a malformed tag or an unknown user with a tag gets invalid_credentials', async () => {
    const bank = new SandboxBank();
    for (const username of ['user_good+', 'user_good+a+b', 'user_good+a b', `user_good+${'x'.repeat(33)}`, 'user_unknown+a', '+a', 'user_good+é']) {
      assert.deepEqual(await login(bank, username), { kind: 'invalid_credentials', message: 'Invalid credentials' }, username);
    }
    expectKind(await login(bank, `user_good+${'x'.repeat(32)}`), 'ok');
    await assert.rejects(bank.resetLogin(PERSONAL, { username: 'user_good+' }, 'mfa_required'), /no sandbox user/);
  });

  test('user_slow logs in after the delay', async () => {
    const bank = new SandboxBank({ slowDelayMs: 60 });
    const started = performance.now();
    expectKind(await login(bank, 'user_slow'), 'ok');
    assert.ok(performance.now() - started >= 55);
  });

  test('user_slow rejects promptly when the signal aborts', async () => {
    const bank = new SandboxBank();
    const controller = new AbortController();
    const started = performance.now();
    const pending = bank.login(
      { institutionId: PERSONAL, authMethod: 'x', fields: { username: 'user_slow', password: 'pass_good' } },
      ctx(T0, controller.signal),
    );
    setTimeout(() => controller.abort(new Error('timed out')), 20);
    await assert.rejects(pending, (err: Error) => err.name === 'AbortError' || err.message === 'timed out');
    assert.ok(performance.now() - started < 500, 'rejected long before the 2 s delay');
    const aborted = AbortSignal.abort();
    await assert.rejects(bank.login({ institutionId: PERSONAL, authMethod: 'x', fields: { username: 'user_slow', password: 'pass_good' } }, ctx(T0, aborted)));
  });

  test('SANDBOX_CREDENTIALS and SANDBOX_INPUTS describe the scenarios', async () => {
    const usernames = SANDBOX_CREDENTIALS.map((c) => c.values.username);
    for (const u of [
      'user_good',
      'user_multi',
      'user_otp',
      'user_question',
      'user_otp_multi',
      'user_locked',
      'user_down',
      'user_slow',
      'user_salary',
      'user_gig',
      'user_noincome',
    ]) {
      assert.ok(usernames.includes(u), u);
    }
    assert.deepEqual(
      SANDBOX_CREDENTIALS.filter((c) => c.hasMultipleAccounts).map((c) => c.values.username),
      ['user_multi', 'user_otp_multi'],
    );
    assert.deepEqual(
      SANDBOX_INPUTS.map((i) => [i.name, i.value]),
      [
        ['otp', '12345'],
        ['answer', 'blue'],
      ],
    );
  });
});

describe('sandbox connector: bank state', () => {
  test('a password change makes the new password the only valid one', async () => {
    const state = new MemorySandboxState();
    const bank = new SandboxBank({ state });
    await bank.changePassword(PERSONAL, 'user_good', 'pass_new');
    assert.notEqual((await state.get(PERSONAL, 'user_good'))?.passwordHash, 'pass_new', 'stored hashed');
    expectKind(await login(bank, 'user_good'), 'invalid_credentials');
    expectKind(await login(bank, 'user_good', 'pass_new'), 'ok');
    // Another instance over the same store (another server) sees it; other users are untouched.
    const other = new SandboxBank({ state });
    expectKind(await login(other, 'user_good'), 'invalid_credentials');
    expectKind(await login(other, 'user_multi'), 'select');
    await bank.changePassword(PERSONAL, 'user_otp', 'pass_otp2');
    expectKind(await login(bank, 'user_otp'), 'invalid_credentials');
    expectKind(await login(bank, 'user_otp', 'pass_otp2'), 'challenge');
    await bank.changePassword(PERSONAL, 'user_locked', 'x');
    expectKind(await login(bank, 'user_locked', 'pass_good'), 'locked');
    // Each bank has its own default store.
    expectKind(await login(new SandboxBank(), 'user_good'), 'ok');
  });

  test('a forced MFA asks the OTP on the next logins until it is answered', async () => {
    const bank = new SandboxBank();
    await bank.requireMfa(PERSONAL, 'user_good');
    const first = expectKind(await login(bank, 'user_good'), 'challenge');
    expectKind(await login(bank, 'user_good'), 'challenge');
    expectKind(await bank.answer(rt(first.state), { otp: '99999' }, ctx(T0)), 'wrong_answer');
    expectKind(await bank.answer(rt(first.state), { otp: '12345' }, ctx(T0)), 'ok');
    expectKind(await login(bank, 'user_good'), 'ok');
    // A reset with a changed password returns the only password that works from then on.
    const reset = await bank.resetLogin(PERSONAL, { username: 'user_multi', password: 'pass_good' }, 'password_changed');
    assert.equal(reset.newPassword, 'pass_changed1');
    expectKind(await login(bank, 'user_multi'), 'invalid_credentials');
    expectKind(await login(bank, 'user_multi', reset.newPassword), 'select');
  });

  test('each password change gives the next pass_changedN, which the bank can name; restore puts every user back', async () => {
    const bank = new SandboxBank();
    const change = async (username: string, institution = PERSONAL) =>
      (await bank.resetLogin(institution, { username, password: 'x' }, 'password_changed')).newPassword;
    assert.equal(await change('user_good'), 'pass_changed1');
    assert.equal(await change('user_good'), 'pass_changed2');
    assert.equal(await change('user_good', BUSINESS), 'pass_changed1', 'each bank keeps its own');
    await bank.requireMfa(PERSONAL, 'user_good+mfa');
    expectKind(await login(bank, 'user_good+mfa'), 'challenge');
    assert.deepEqual(
      (await bank.currentPasswords(['user_good', 'user_good+mfa'])).sort((a, b) => a.institutionId.localeCompare(b.institutionId)),
      [
        { institutionId: PERSONAL, username: 'user_good', password: 'pass_changed2' },
        { institutionId: BUSINESS, username: 'user_good', password: 'pass_changed1' },
      ].sort((a, b) => a.institutionId.localeCompare(b.institutionId)),
    );
    assert.deepEqual(await bank.currentPasswords(['user_multi']), [], 'only the users asked about');
    // A password set some other way (an older version's random one) is changed but cannot be named.
    await bank.changePassword(PERSONAL, 'user_multi', 'pass_Zk3vQ9rT');
    assert.deepEqual(await bank.currentPasswords(['user_multi']), [{ institutionId: PERSONAL, username: 'user_multi', password: null }]);
    assert.equal(await change('user_multi'), 'pass_changed1');

    assert.equal(await bank.restore(), 4, 'user_good at two banks, user_good+mfa, user_multi');
    assert.deepEqual(await bank.currentPasswords(['user_good', 'user_multi']), []);
    expectKind(await login(bank, 'user_good'), 'ok');
    expectKind(await login(bank, 'user_good', 'pass_good', BUSINESS), 'ok');
    expectKind(await login(bank, 'user_good+mfa'), 'ok'); // no forced OTP any more
    expectKind(await login(bank, 'user_good', 'pass_changed2'), 'invalid_credentials');
    assert.equal(await bank.restore(), 0);
  });

  test('MFA users are asked the OTP on every new login; others are not', async () => {
    const bank = new SandboxBank();
    for (let i = 0; i < 3; i++) {
      const challenge = expectKind(await login(bank, 'user_otp', 'pass_good', PERSONAL, T0 + i * HOUR), 'challenge');
      expectKind(await bank.answer(rt(challenge.state), { otp: '12345' }, ctx(T0 + i * HOUR)), 'ok');
      expectKind(await login(bank, 'user_otp_multi', 'pass_good', PERSONAL, T0 + i * HOUR), 'challenge');
      expectKind(await login(bank, 'user_good', 'pass_good', PERSONAL, T0 + i * HOUR), 'ok');
    }
  });

  test('a bank session expires after 15 minutes', async () => {
    const bank = new SandboxBank();
    const challenge = expectKind(await login(bank, 'user_otp'), 'challenge');
    const ok = expectKind(await bank.answer(rt(challenge.state), { otp: '12345' }, ctx(T0 + MINUTE)), 'ok');
    const account = ok.accounts[0]!.accountNumber;
    expectData(await bank.fetchData(rt(ok.state), account, {}, ctx(T0 + 16 * MINUTE)));
    const expired = await bank.fetchData(rt(ok.state), account, {}, ctx(T0 + 16 * MINUTE + 1));
    assert.equal(expired.kind, 'session_expired');
    // Logging in again: the MFA user is challenged (reauth), a plain user gets a fresh session.
    expectKind(await login(bank, 'user_otp', 'pass_good', PERSONAL, T0 + HOUR), 'challenge');
    const good = expectKind(await login(bank, 'user_good', 'pass_good', PERSONAL, T0 + HOUR), 'ok');
    expectData(await bank.fetchData(rt(good.state), good.accounts[0]!.accountNumber, {}, ctx(T0 + HOUR + 5 * MINUTE)));
  });

  test('sessionTtlMs is configurable', async () => {
    const bank = new SandboxBank({ sessionTtlMs: 1000 });
    const ok = expectKind(await login(bank, 'user_good'), 'ok');
    const account = ok.accounts[0]!.accountNumber;
    expectData(await bank.fetchData(ok.state, account, {}, ctx(T0 + 1000)));
    assert.equal((await bank.fetchData(ok.state, account, {}, ctx(T0 + 1001))).kind, 'session_expired');
  });

  test('states at the wrong step, malformed states and foreign accounts are bugs and throw', async () => {
    const bank = new SandboxBank();
    const challenge = expectKind(await login(bank, 'user_otp'), 'challenge');
    const ok = expectKind(await login(bank, 'user_good'), 'ok');
    await assert.rejects(bank.fetchData(challenge.state, '0000000000', {}, ctx()));
    await assert.rejects(bank.selectAccount(challenge.state, '0000000000', ctx()));
    await assert.rejects(bank.answer(ok.state, { otp: '12345' }, ctx()));
    await assert.rejects(bank.answer({ step: 'otp' }, { otp: '12345' }, ctx()));
    const multi = expectKind(await login(bank, 'user_multi'), 'select');
    await assert.rejects(bank.fetchData(ok.state, multi.accounts[0]!.accountNumber, {}, ctx()));
  });
});

describe('sandbox connector: deterministic data', () => {
  async function fetchAt(username: string, now: number, since?: number, institutionId = PERSONAL) {
    const bank = new SandboxBank({ slowDelayMs: 1 });
    const ok = expectKind(await login(bank, username, 'pass_good', institutionId, now), 'ok');
    const account = ok.accounts[0]!;
    return { account, data: expectData(await bank.fetchData(ok.state, account.accountNumber, { since }, ctx(now))) };
  }

  test('the same account yields the same data on any instance', async () => {
    const a = await fetchAt('user_good', T0);
    const b = await fetchAt('user_good', T0);
    assert.deepEqual(a, b);
    const { account, identity } = a.data;
    assert.deepEqual({ ...account, bvn: undefined }, { ...a.account, bvn: undefined });
    assert.match(identity.bvn, /^\d{11}$/);
    assert.equal(account.bvn, identity.bvn.slice(-4));
    assert.match(identity.phone, /^0\d{10}$/);
    assert.match(identity.dateOfBirth!, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(identity.fullName && identity.email.includes('@') && identity.address && identity.gender);
    assert.equal(account.name, identity.fullName);
    const other = await fetchAt('user_slow', T0);
    assert.notEqual(other.account.accountNumber, a.account.accountNumber);
    assert.notDeepEqual(other.data.identity, identity);
  });

  test('transactions are a consistent ledger ending at the account balance', async () => {
    const { data } = await fetchAt('user_good', T0);
    const txs = data.transactions;
    assert.ok(txs.length >= 30 + 50, `history plus one per 6 h since 2026-01-01, got ${txs.length}`);
    assert.equal(new Set(txs.map((t) => t.id)).size, txs.length);
    for (const [i, t] of txs.entries()) {
      assert.ok(Number.isInteger(t.amount) && t.amount > 0);
      assert.ok(t.date <= T0);
      assert.equal(t.currency, 'NGN');
      assert.match(t.narration, /^(POS PURCHASE|NIP TRANSFER|SALARY|MTN|DSTV|IKEDC|AIRTEL)/);
      const prev = txs[i - 1];
      if (!prev) continue;
      assert.ok(t.date > prev.date);
      assert.equal(t.balance, prev.balance + (t.type === 'credit' ? t.amount : -t.amount));
    }
    assert.equal(data.account.balance, txs.at(-1)!.balance);
  });

  test('a later sync sees all earlier transactions plus a few new ones', async () => {
    const first = await fetchAt('user_good', T0);
    const later = await fetchAt('user_good', T0 + 24 * HOUR);
    const old = first.data.transactions;
    const now = later.data.transactions;
    assert.deepEqual(now.slice(0, old.length), old);
    // One per 6-hour slot, at a seeded moment inside it: 3 to 5 land in any 24 hours.
    assert.ok(now.length - old.length >= 3 && now.length - old.length <= 5, `${now.length - old.length}`);
    assert.equal(later.data.account.balance, now.at(-1)!.balance);
    const since = await fetchAt('user_good', T0 + 24 * HOUR, T0);
    assert.deepEqual(since.data.transactions, now.slice(old.length));
    assert.ok(since.data.transactions.every((t) => t.date > T0));
  });

  test('a real clock gives a bounded list', async () => {
    const now = Date.now();
    const { data } = await fetchAt('user_good', now);
    assert.ok(data.transactions.length <= 30 + 121, `${data.transactions.length}`);
    assert.ok(data.transactions.at(-1)!.date > now - 24 * HOUR);
    assert.equal(data.account.balance, data.transactions.at(-1)!.balance);
  });

  test('the business bank has its own current accounts for the same users', async () => {
    const bank = new SandboxBank();
    const personal = expectKind(await login(bank, 'user_multi'), 'select');
    const business = expectKind(await login(bank, 'user_multi', 'pass_good', BUSINESS), 'select');
    assert.equal(business.accounts.length, 3);
    for (const account of business.accounts) {
      assert.equal(account.type, 'CURRENT_ACCOUNT');
      assert.match(account.name, /Ltd$/);
      assert.ok(!personal.accounts.some((p) => p.accountNumber === account.accountNumber));
    }
    const ok = expectKind(await bank.selectAccount(business.state, business.accounts[0]!.accountNumber, ctx()), 'ok');
    expectData(await bank.fetchData(ok.state, business.accounts[0]!.accountNumber, {}, ctx()));
    await assert.rejects(bank.fetchData(ok.state, personal.accounts[0]!.accountNumber, {}, ctx()));
  });
});

describe('sandbox connector: the income users', () => {
  const DAY = 24 * HOUR;
  async function fetchAt(username: string, now: number, since?: number, institutionId = PERSONAL) {
    const bank = new SandboxBank();
    const ok = expectKind(await login(bank, username, 'pass_good', institutionId, now), 'ok');
    const account = ok.accounts[0]!;
    return { account, data: expectData(await bank.fetchData(ok.state, account.accountNumber, { since }, ctx(now))) };
  }

  for (const username of ['user_salary', 'user_gig', 'user_noincome']) {
    test(`${username}: twelve months of a consistent ledger ending at the balance, the same on any instance`, async () => {
      const { account, data } = await fetchAt(username, T0);
      assert.deepEqual(await fetchAt(username, T0), { account, data });
      const txs = data.transactions;
      assert.ok(txs.length > 100, `${txs.length}`);
      assert.equal(new Set(txs.map((t) => t.id)).size, txs.length);
      assert.ok(txs[0]!.date > T0 - 365 * DAY && txs[0]!.date < T0 - 360 * DAY, 'the bank shows a year');
      for (const [i, t] of txs.entries()) {
        assert.ok(Number.isInteger(t.amount) && t.amount > 0 && t.amount % 100 === 0, `${t.id}: whole naira`);
        assert.ok(t.balance >= 0, `${t.id}: never overdrawn`);
        assert.ok(t.date <= T0);
        const prev = txs[i - 1];
        if (!prev) continue;
        assert.ok(t.date >= prev.date);
        assert.equal(t.balance, prev.balance + (t.type === 'credit' ? t.amount : -t.amount), t.id);
      }
      assert.equal(data.account.balance, txs.at(-1)!.balance);
      assert.equal(account.balance, data.account.balance);
    });

    test(`${username}: a later read keeps every transaction as it was, adds the new ones, and since gives only those`, async () => {
      const first = (await fetchAt(username, T0)).data.transactions;
      const later = await fetchAt(username, T0 + 20 * DAY);
      const byId = new Map(later.data.transactions.map((t) => [t.id, t]));
      for (const t of first.filter((t) => t.date > T0 + 20 * DAY - 365 * DAY)) assert.deepEqual(byId.get(t.id), t);
      const since = (await fetchAt(username, T0 + 20 * DAY, T0)).data.transactions;
      assert.ok(since.length > 0);
      assert.deepEqual(
        since,
        later.data.transactions.filter((t) => t.date > T0),
      );
    });
  }

  test('user_salary: one salary a month from one employer, on the 25th or the Friday before', async () => {
    const { data } = await fetchAt('user_salary', T0);
    const salaries = data.transactions.filter((t) => t.narration.includes('/SALARY '));
    assert.equal(salaries.length, 12);
    assert.equal(new Set(salaries.map((t) => t.narration.split('/')[1])).size, 1);
    assert.equal(new Set(salaries.map((t) => t.amount)).size, 1);
    for (const t of salaries) {
      assert.equal(t.type, 'credit');
      const d = new Date(t.date);
      assert.ok([23, 24, 25].includes(d.getUTCDate()) && d.getUTCDay() >= 1 && d.getUTCDay() <= 5, d.toISOString());
    }
  });

  test('user_gig: several platforms, each paying two to six times in a month it pays', async () => {
    const { data } = await fetchAt('user_gig', T0);
    const payouts = data.transactions.filter((t) => t.type === 'credit' && /SWIFTRIDE|CHOPNOW|TASKHUB/.test(t.narration));
    assert.ok(payouts.length >= 60, `${payouts.length}`);
    const perMonth = new Map<string, number>();
    for (const t of payouts) {
      const key = `${t.narration} ${new Date(t.date).toISOString().slice(0, 7)}`;
      perMonth.set(key, (perMonth.get(key) ?? 0) + 1);
    }
    const counts = [...perMonth.values()];
    assert.ok(Math.min(...counts) >= 1 && Math.max(...counts) <= 6);
    assert.ok(counts.filter((c) => c >= 2).length >= counts.length - 2, 'only the first and last month can be cut short');
  });

  test("user_noincome: credits only from the holder's own name and reversals of its card payments", async () => {
    const { account, data } = await fetchAt('user_noincome', T0);
    const credits = data.transactions.filter((t) => t.type === 'credit');
    assert.ok(credits.length >= 2, `${credits.length}`);
    for (const t of credits) {
      if (t.narration.startsWith('REVERSAL: ')) {
        const original = data.transactions.find((d) => d.type === 'debit' && d.amount === t.amount && d.narration === t.narration.slice('REVERSAL: '.length));
        assert.ok(original && original.date < t.date, `${t.narration} reverses a card payment`);
      } else {
        assert.equal(t.narration, `NIP TRANSFER FROM ${account.name.toUpperCase()}`);
      }
    }
  });
});
