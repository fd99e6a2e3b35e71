/**
 * Shared steps for the server's linking tests: sessions and steps over HTTP, the wire shapes
 * of their answers. Linking through the SDK and the counting bank are in @relink/testkit.
 */
import assert from 'node:assert/strict';
import { call, type HttpResult, SANDBOX, type TestServer } from '@relink/testkit';

export const CODE = /^code_[0-9a-z]{24}$/;
export const SESSION_ID = /^session_[0-9A-Za-z]{24}$/;
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

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

export function step(
  server: TestServer,
  key: string,
  api: 'v1' | 'v2',
  which: 'login' | 'commit',
  session: string | undefined,
  body: unknown,
): Promise<HttpResult> {
  return call(server.url, 'POST', `/${api}/connect/${which}`, { key, body, headers: session === undefined ? {} : { 'x-session-id': session } });
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
