/**
 * Shared steps for the linking tests: drive a whole link over HTTP the way a partner would,
 * and a bank connector wrapper that counts (and can slow down) calls to the sandbox bank.
 */
import assert from 'node:assert/strict';
import { Relink } from '@relink/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxBank } from '../../src/connectors/sandbox/index.ts';
import { type BankConnector, type ConnectorContext, type ConnectorState, type FetchRequest, hasSandboxControls, type LoginInput, type ResetReason } from '../../src/connectors/types.ts';
import { call, type HttpResult, type TestServer } from '../helpers.ts';

export const SANDBOX = '5f2d08be60b92e2888287000';
export const BUSINESS = '5f2d08be60b92e2888287001';
export const PASSWORD = 'pass_good';
export const OTP = '12345';
export const ANSWER = 'blue';

export const OBJECT_ID = /^[0-9a-f]{24}$/;
export const CODE = /^code_[0-9a-z]{24}$/;
export const SESSION_ID = /^session_[0-9A-Za-z]{24}$/;
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

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

export async function v1Session(server: TestServer, key: string, institution = SANDBOX, authMethod = 'internet_banking') {
  const res = await call(server.url, 'POST', '/v1/connect/session', { key, body: { institution, auth_method: authMethod } });
  assert.equal(res.status, 200, res.text);
  return res.body.id as string;
}

export async function v2Session(
  server: TestServer,
  key: string,
  customer: { name: string; email: string } | { id: string } = { name: 'Ada Obi', email: 'ada@example.com' },
  institution = SANDBOX,
) {
  const res = await call(server.url, 'POST', '/v2/connect/session', {
    key,
    body: { institution, auth_method: 'internet_banking', scope: 'financial_data', customer },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.data.session.id as string;
}

export function step(server: TestServer, key: string, api: 'v1' | 'v2', which: 'login' | 'commit', session: string | undefined, body: unknown): Promise<HttpResult> {
  return call(server.url, 'POST', `/${api}/connect/${which}`, { key, body, headers: session === undefined ? {} : { 'x-session-id': session } });
}

/** Answers whatever the sandbox asks for `username` until it gives a code (v1 or v2). */
export async function finish(server: TestServer, key: string, api: 'v1' | 'v2', session: string, username: string, first: HttpResult): Promise<string> {
  let res = first;
  for (let i = 0; i < 5; i++) {
    assert.equal(res.status, 200, res.text);
    const code = res.body.responseCode;
    if (code === 99) return res.body.data.code;
    let body: Record<string, unknown>;
    if (code === 102) {
      const form = api === 'v1' ? res.body.data.form : res.body.data.userInput.form;
      body = form[0].name === 'otp' ? { otp: OTP } : { answer: ANSWER };
    } else if (code === 101) {
      body = api === 'v1' ? { account: 0 } : { accountNumber: res.body.data.accounts[0].accountNumber };
    } else {
      throw new Error(`unexpected responseCode ${code} for ${username}`);
    }
    res = await step(server, key, api, 'commit', session, body);
  }
  throw new Error(`no code after 5 steps for ${username}`);
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
  server: TestServer,
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
    reply = await relink.connect.commit(session.id, reply.responseCode === 101 ? { accountNumber: reply.data.accounts[0]!.accountNumber } : answer(reply.data.userInput.form));
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

export async function eventsOf(server: TestServer, accountId: string, type?: string) {
  const rows = await server.services.database.db
    .selectFrom('events')
    .selectAll()
    .where('account_id', '=', accountId)
    .$if(type !== undefined, (q) => q.where('type', '=', type!))
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({ ...row, parsed: JSON.parse(row.body) as { event: string; event_id: string; timestamp: string; data: any } }));
}

/** The v1 failure shape of a partner step: `{status:<http status>, message, code, responseCode:400, data:null}`. */
export function assertV1StepFailure(res: HttpResult, status: number, code: string, message?: RegExp) {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'data', 'message', 'responseCode', 'status']);
  assert.equal(res.body.status, status);
  assert.equal(res.body.responseCode, 400);
  assert.equal(res.body.data, null);
  assert.equal(res.body.code, code);
  if (message) assert.match(res.body.message, message);
}

/** The v2 failure shape of a partner step: the failure envelope plus top-level `responseCode:400`. */
export function assertV2StepFailure(res: HttpResult, status: number, code: string, message?: RegExp) {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'data', 'message', 'responseCode', 'status', 'timestamp']);
  assert.equal(res.body.status, 'failed');
  assert.equal(res.body.responseCode, 400);
  assert.equal(res.body.data, null);
  assert.equal(res.body.code, code);
  assert.match(res.body.timestamp, ISO);
  if (message) assert.match(res.body.message, message);
}
