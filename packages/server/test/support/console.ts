/**
 * The operator console as a browser without JavaScript uses it: real HTTP to the test server,
 * a cookie jar, forms posted with the token their page carried. `Sec-Fetch-Site` and `Origin`
 * are sent as a browser sends them for a form of the same origin, unless a test says otherwise.
 */
import assert from 'node:assert/strict';
import type { TestServer } from '@relink/testkit';

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had a form. */
  csrf: string | undefined;

  constructor(readonly base: string) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.send('GET', path, undefined, headers);
  }

  /** Posts a form with the token of the last page (unless `_csrf` is given, or null to leave it out); a list is a repeated field. */
  async post(path: string, fields: Record<string, string | string[]>, options: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<Page> {
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
    if (token !== null && token !== undefined) body.append('_csrf', token);
    return this.send('POST', path, body.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(this.base).origin,
      'sec-fetch-site': 'same-origin',
      ...options.headers,
    });
  }

  private async send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Page> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(this.base + path, { method, body, redirect: 'manual', headers: { ...(cookie ? { cookie } : {}), ...headers } });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const [name, value] = pair!.split('=') as [string, string];
      assert.ok(attributes.includes('HttpOnly') && attributes.includes('SameSite=Strict') && attributes.includes('Path=/dashboard'), line);
      if (attributes.includes('Max-Age=0')) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    return { status: response.status, headers: response.headers, text, location: response.headers.get('location') };
  }
}

/** The password every test operator sets. */
export const PASSWORD = 'correct horse battery staple';

/** Adds an operator with `email` through the service the CLI uses and returns its set-up path. */
export async function addOperator(server: TestServer, email: string): Promise<string> {
  const link = await server.services.operators.add(email, 'cli');
  return `/dashboard/setup/${link.token}`;
}

/** An operator set up and signed in: a client holding its session. */
export async function signedIn(server: TestServer, email: string, password = PASSWORD): Promise<ConsoleClient> {
  const client = new ConsoleClient(server.url);
  const setup = await addOperator(server, email);
  assert.equal((await client.get(setup)).status, 200);
  const done = await client.post(setup, { password, confirm: password });
  assert.equal(done.status, 303, done.text);
  await client.get('/dashboard/sign-in');
  const signIn = await client.post('/dashboard/sign-in', { email, password });
  assert.equal(signIn.status, 303, signIn.text);
  assert.equal(signIn.location, '/dashboard');
  assert.ok(client.cookies.has('relink_console'));
  return client;
}

/** The text of a page without its tags, whitespace folded: what a person reads. */
export function visible(text: string): string {
  return text
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}
