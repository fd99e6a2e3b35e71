import { setTimeout as sleep } from 'node:timers/promises';
import {
  type BankAccount,
  type BankConnector,
  CONNECTOR_INTERFACE_VERSION,
  type ConnectorContext,
  type ConnectorLog,
  type ConnectorOutcome,
  type ConnectorState,
  defineConnector,
  type FetchOutcome,
  type FetchRequest,
  type LoginInput,
  loginForm,
  otpForm,
  outcome,
} from '@relink/connector-kit';
import { ledger, USERS } from './bank.ts';

const INSTITUTION = '6a1f0000000000000000a001';
const OTP_UI = otpForm('Lagoon Trust Bank sent a code to your phone');
/** How long a bank session (the state of an `ok`) can read data. */
const SESSION_MS = 10 * 60_000;
/** Lagoon asks its customers to confirm access at the end of every 90-day period: the login's expiry, which Relink warns about. */
const CONSENT_MS = 90 * 86_400_000;

class LagoonConnector implements BankConnector {
  readonly name = 'lagoon';
  constructor(private readonly log: ConnectorLog) {}

  async login(input: LoginInput, context: ConnectorContext): Promise<ConnectorOutcome> {
    const { username = '', password = '' } = input.fields;
    const user = Object.hasOwn(USERS, username) ? USERS[username] : undefined;
    // Never log a credential: the username is enough to follow a login.
    this.log.info('login', { username });
    if (user?.status === 'down') return outcome.unavailable('Lagoon Trust Bank is not answering');
    if (user?.status === 'slow') await sleep(5_000, undefined, { signal: context.signal });
    if (!user || user.password !== password) return outcome.invalidCredentials();
    if (user.status === 'locked') return outcome.locked('Lagoon Trust Bank has locked this profile; call the bank');
    if (user.otp) return outcome.challenge(OTP_UI, { username, step: 'otp' });
    return this.loggedIn(username, context);
  }

  async answer(state: ConnectorState, fields: Record<string, string>, context: ConnectorContext): Promise<ConnectorOutcome> {
    const username = String(state.username);
    if (state.step !== 'otp') throw new Error('lagoon: answer() on a state that asked nothing');
    if (fields.otp?.trim() !== USERS[username]?.otp) return outcome.wrongAnswer('That code is not right', OTP_UI, state);
    return this.loggedIn(username, context);
  }

  async selectAccount(state: ConnectorState, accountNumber: string, context: ConnectorContext): Promise<ConnectorOutcome> {
    const username = String(state.username);
    const accounts = accountsOf(username, context.now());
    const chosen = accounts.find((a) => a.accountNumber === accountNumber);
    if (!chosen) return outcome.select(accounts, state);
    return outcome.ok([chosen], { username, step: 'session', since: context.now() });
  }

  async fetchData(state: ConnectorState, accountNumber: string, request: FetchRequest, context: ConnectorContext): Promise<FetchOutcome> {
    const now = context.now();
    if (state.step !== 'session' || now - Number(state.since) > SESSION_MS) return outcome.sessionExpired();
    const user = USERS[String(state.username)];
    if (!user?.accounts.includes(accountNumber)) throw new Error(`lagoon: account ${accountNumber} is not ${String(state.username)}'s`);
    const transactions = ledger(accountNumber, now);
    return outcome.data({
      account: { ...account(user.fullName, accountNumber, now), bvn: '4321' },
      identity: { fullName: user.fullName, email: `${String(state.username)}@example.com`, phone: '08030000000', bvn: '22100004321' },
      transactions: transactions.filter((t) => request.since === undefined || t.date > request.since),
      loginExpiresAt: (Math.floor(now / CONSENT_MS) + 1) * CONSENT_MS,
    });
  }

  private loggedIn(username: string, context: ConnectorContext): ConnectorOutcome {
    const accounts = accountsOf(username, context.now());
    if (accounts.length > 1) return outcome.select(accounts, { username, step: 'select' });
    return outcome.ok(accounts, { username, step: 'session', since: context.now() });
  }
}

function accountsOf(username: string, now: number): BankAccount[] {
  const user = USERS[username]!;
  return user.accounts.map((number) => account(user.fullName, number, now));
}

function account(name: string, accountNumber: string, now: number): BankAccount {
  const last = ledger(accountNumber, now).at(-1);
  return { accountNumber, name, type: 'SAVINGS_ACCOUNT', currency: 'NGN', balance: last?.balance ?? 0 };
}

export default defineConnector({
  interfaceVersion: CONNECTOR_INTERFACE_VERSION,
  name: 'lagoon',
  institutions: [
    {
      id: INSTITUTION,
      name: 'Lagoon Trust Bank',
      type: 'PERSONAL_BANKING',
      identifier: 'example.lagoon_trust_bank',
      bankCode: '990',
      nipCode: '999990',
      country: 'ng',
      primaryColor: '#006D77',
      icon: 'https://lagoon.example/icon.svg',
      authMethods: [
        { id: '6a1f0000000000000000a101', type: 'internet_banking', name: 'Internet Banking', ui: loginForm('Lagoon Trust Bank', 'Lagoon username') },
      ],
    },
  ],
  create: ({ log }) => new LagoonConnector(log),
  testLogins: {
    institutionId: INSTITUTION,
    authMethod: 'internet_banking',
    good: { username: 'ada', password: 'lagoon-pass' },
    wrongPassword: { username: 'ada', password: 'wrong' },
    locked: { username: 'dayo', password: 'lagoon-pass' },
    down: { username: 'emeka', password: 'lagoon-pass' },
    multi: { username: 'bayo', password: 'lagoon-pass' },
    otp: { fields: { username: 'chika', password: 'lagoon-pass' }, answer: { otp: '246810' }, wrong: { otp: '000000' } },
    slow: { username: 'funmi', password: 'lagoon-pass' },
  },
});
