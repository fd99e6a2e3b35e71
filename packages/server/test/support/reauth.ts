/** Re-authorisation steps only the server's tests take; the shared ones are in @relink/testkit. */
import assert from 'node:assert/strict';
import { call, type TestServer } from '@relink/testkit';

export function account(server: TestServer, key: string, id: string) {
  return call(server.url, 'GET', `/v2/accounts/${id}`, { key });
}

export async function reauthToken(server: TestServer, key: string, id: string): Promise<string> {
  const res = await call(server.url, 'POST', `/accounts/${id}/reauthorise`, { key, headers: { accept: 'application/json' } });
  assert.equal(res.status, 200, res.text);
  return res.body.token;
}
