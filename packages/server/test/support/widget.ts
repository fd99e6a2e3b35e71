/** Shared steps for the widget tests: the widget API called the way the widget page calls it. */
import assert from 'node:assert/strict';
import { call, type HttpResult, type TestServer, SANDBOX } from '@relink/testkit';

export interface TestApp {
  id: string;
  secretKey: string;
  publicKey: string;
}

export async function createConnectApp(server: TestServer, name = 'Widget partner'): Promise<TestApp> {
  const app = (await server.createApp(name)) as unknown as TestApp;
  assert.match(app.publicKey, /^test_pk_[0-9A-Za-z]{32}$/);
  return app;
}

export function widget(
  server: TestServer,
  publicKey: string | undefined,
  path: string,
  body: unknown,
  session?: string,
  extra: Record<string, string> = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...extra };
  if (publicKey !== undefined) headers['x-public-key'] = publicKey;
  if (session !== undefined) headers['x-session-id'] = session;
  return call(server.url, 'POST', `/v2/connect/widget/${path}`, { body, headers });
}

export async function widgetSession(server: TestServer, publicKey: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await widget(server, publicKey, 'session', { institution: SANDBOX, auth_method: 'internet_banking', ...body });
  assert.equal(res.status, 200, res.text);
  return res.body.data.session.id;
}
