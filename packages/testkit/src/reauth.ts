/**
 * Re-authorisation support: a server whose sandbox bank keeps its state in the server's
 * database and counts every call, a linked account put into `reauth_required` the way a partner
 * does it (the sandbox reset-login control), and the reauth steps over HTTP.
 */
import assert from 'node:assert/strict';
import type { DatabaseKind, TestDatabase } from './databases.ts';
import { call, type HttpResult } from './http.ts';
import { CountingBank, link, partner, settle } from './linking.ts';
import { startTestServer, type TestServer } from './server.ts';

export interface ReauthServer extends TestServer {
  bank: CountingBank;
}

/** A test server over `kind` whose sandbox bank (state in the database) is counted. */
export async function startReauthServer(kind: DatabaseKind, options: { env?: Record<string, string>; db?: TestDatabase } = {}): Promise<ReauthServer> {
  const bank = new CountingBank();
  const server = await startTestServer(kind, {
    ...options,
    connectors: (sandbox) => {
      bank.delegate = sandbox;
      return [bank];
    },
  });
  return Object.assign(server, { bank });
}

export type ResetReason = 'mfa_required' | 'password_changed';

/** `POST /v2/sandbox/accounts/{id}/reset-login`: asserts it answered and the account now waits for reauth. */
export async function resetLogin(server: TestServer, key: string, account: string, reason: ResetReason = 'mfa_required') {
  const reset = await partner(server, key).sandbox.resetLogin(account, { reason });
  assert.equal(reset.reauth_required, true, JSON.stringify(reset));
  return reset;
}

let customers = 0;

/**
 * A linked account of `username` whose first sync is done: AVAILABLE and healthy. Each call
 * links for a new customer, so it is a new account even when the bank account is the same.
 */
export async function linkedAccount(server: TestServer, key: string, username = 'user_otp'): Promise<string> {
  customers++;
  const id = await link(server, key, username, { customer: { name: `Customer ${customers}`, email: `customer${customers}@example.com` } });
  await settle(server);
  const details = await partner(server, key).accounts.get(id);
  assert.equal(details.meta.data_status, 'AVAILABLE', JSON.stringify(details));
  return id;
}

export function reauthSession(server: TestServer, key: string, id: string): Promise<HttpResult> {
  return call(server.url, 'POST', '/v2/connect/reauth/session', { key, body: { account: id } });
}

export function stepOn(server: TestServer, key: string, path: string, session: string, body: unknown): Promise<HttpResult> {
  return call(server.url, 'POST', path, { key, body, headers: { 'x-session-id': session } });
}
