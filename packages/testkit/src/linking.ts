/**
 * Linking as a partner does it, through the SDK and over HTTP, and a bank connector wrapper that
 * counts (and can slow down) calls to the sandbox bank.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Relink } from '@relink/sdk';
import { call } from './http.ts';
import {
  type BankConnector,
  type ConnectorContext,
  type ConnectorState,
  type FetchRequest,
  hasSandboxControls,
  type LoginInput,
  type ResetReason,
  SandboxBank,
} from './internals.ts';
import type { TestServer } from './server.ts';

/** The sandbox bank's institutions, personal and business. */
export const SANDBOX = '5f2d08be60b92e2888287000';
export const BUSINESS = '5f2d08be60b92e2888287001';
/** What the sandbox bank accepts: the password, the OTP and the security answer. */
export const PASSWORD = 'pass_good';
export const OTP = '12345';
export const ANSWER = 'blue';

export const OBJECT_ID = /^[0-9a-f]{24}$/;

/**
 * The sandbox bank behind a counter: every call the server makes to the bank is counted, so a
 * test can prove that a refused step never reached the bank. `delegate` can be swapped to make
 * the bank slow or fast at run time.
 */
export class CountingBank implements BankConnector {
  readonly name = 'sandbox';
  calls = { login: 0, answer: 0, selectAccount: 0, fetchData: 0 };
  /** Added to every call, so concurrent steps overlap at the bank. */
  delayMs = 0;
  constructor(public delegate: BankConnector = new SandboxBank()) {}
  /** Calls a partner step can cause (data syncs in the background only fetch, or log in on their own schedule). */
  get steps() {
    return this.calls.login + this.calls.answer + this.calls.selectAccount;
  }
  private async pause() {
    if (this.delayMs > 0) await sleep(this.delayMs);
  }
  async login(input: LoginInput, context: ConnectorContext) {
    this.calls.login++;
    await this.pause();
    return this.delegate.login(input, context);
  }
  async answer(state: ConnectorState, fields: Record<string, string>, context: ConnectorContext) {
    this.calls.answer++;
    await this.pause();
    return this.delegate.answer(state, fields, context);
  }
  async selectAccount(state: ConnectorState, accountNumber: string, context: ConnectorContext) {
    this.calls.selectAccount++;
    await this.pause();
    return this.delegate.selectAccount(state, accountNumber, context);
  }
  async fetchData(state: ConnectorState, accountNumber: string, request: FetchRequest, context: ConnectorContext) {
    this.calls.fetchData++;
    await this.pause();
    return this.delegate.fetchData(state, accountNumber, request, context);
  }
  /** The sandbox controls pass through uncounted: they are not bank calls. */
  async resetLogin(institutionId: string, fields: Record<string, string>, reason: ResetReason) {
    if (!hasSandboxControls(this.delegate)) throw new Error('the wrapped connector has no sandbox controls');
    return this.delegate.resetLogin(institutionId, fields, reason);
  }
}

/** The partner's typed client (`@relink/sdk`) for `key`, without retries so a failure shows at once. */
export function partner(server: { url: string }, key: string): Relink {
  return new Relink({ secretKey: key, baseUrl: server.url, retries: 0 });
}

/** What the sandbox asks for next, answered: the OTP or the security answer. */
const answer = (form: { name: string }[]) => (form[0]?.name === 'otp' ? { otp: OTP } : { answer: ANSWER });

/**
 * A whole link over v2 (or v1) through the SDK, as a partner does it: session, login, every
 * commit the bank asks for, code exchange; the account id.
 */
export async function link(
  server: { url: string },
  key: string,
  username = 'user_good',
  options: { api?: 'v1' | 'v2'; customer?: { name: string; email: string } | { id: string } } = {},
): Promise<string> {
  const relink = partner(server, key);
  if (options.api === 'v1') {
    const { id: session } = await relink.v1.createSession({ institution: SANDBOX, auth_method: 'internet_banking' });
    let reply = await relink.v1.login(session, { username, password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      if (reply.responseCode === 99) return relink.v1.exchange(reply.data.code);
      reply = await relink.v1.commit(session, reply.responseCode === 101 ? { account: 0 } : answer(reply.data.form));
    }
    throw new Error(`no code after 5 steps for ${username}`);
  }
  const customer = options.customer ?? { name: 'Ada Obi', email: 'ada@example.com' };
  const { session } = await relink.connect.createSession({ institution: SANDBOX, auth_method: 'internet_banking', scope: 'financial_data', customer });
  let reply = await relink.connect.login(session.id, { username, password: PASSWORD });
  for (let i = 0; i < 5; i++) {
    if (reply.responseCode === 99) return (await relink.accounts.exchange(reply.data.code)).id;
    reply = await relink.connect.commit(
      session.id,
      reply.responseCode === 101 ? { accountNumber: reply.data.accounts[0]!.accountNumber } : answer(reply.data.userInput.form),
    );
  }
  throw new Error(`no code after 5 steps for ${username}`);
}

export async function exchange(server: TestServer, key: string, code: string, path = '/account/auth'): Promise<string> {
  const res = await call(server.url, 'POST', path, { key, body: { code } });
  assert.equal(res.status, 200, res.text);
  if (path.startsWith('/v2/')) {
    // The v2 envelope, with the id at the top level too for readers of the v1 shape.
    assert.deepEqual(Object.keys(res.body).sort(), ['data', 'id', 'message', 'status', 'timestamp']);
    assert.equal(res.body.status, 'successful');
    assert.deepEqual(res.body.data, { id: res.body.id });
  } else {
    assert.deepEqual(Object.keys(res.body), ['id']);
  }
  assert.match(res.body.id, OBJECT_ID);
  return res.body.id;
}

/** Runs every due data sync to the end, including one a link or a sync request already started. */
export async function settle(server: TestServer): Promise<void> {
  await server.services.sync.wake();
  await server.services.sync.runDue();
}
