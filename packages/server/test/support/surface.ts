/**
 * The server's surface as data, for tests generated from it: the operations /openapi.json
 * describes and the routes Fastify actually serves, so a route added tomorrow is covered (or
 * the test fails because it is not described).
 */
import assert from 'node:assert/strict';
import { call, type TestServer } from '@relink/testkit';

export interface Operation {
  method: string;
  /** OpenAPI form: /v2/accounts/{id} */
  path: string;
  secured: boolean;
  /** Secured by the app's public key (the Connect widget's API), not the secret key. */
  publicKey: boolean;
  parameters: { in: string; name: string; required?: boolean; schema?: any }[];
  body: any | undefined;
}

export async function operations(server: TestServer): Promise<Operation[]> {
  const doc = (await call(server.url, 'GET', '/openapi.json')).body;
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        secured: (op.security ?? []).length > 0,
        publicKey: (op.security ?? []).some((s: Record<string, unknown>) => 'publicKey' in s),
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return ops;
}

/** Every method and path Fastify routes, read from its route tree (HEAD left out). */
export function routeTable(server: TestServer): { method: string; path: string }[] {
  const lines = server.app
    .printRoutes({ commonPrefix: false })
    .split('\n')
    .filter((l) => l.trim() !== '');
  const stack: string[] = [];
  const routes: { method: string; path: string }[] = [];
  for (const line of lines) {
    const start = line.search(/[^│├└─ ]/);
    const depth = Math.floor(start / 4) - 1;
    const match = /^(.*?) \(([A-Z, ]+)\)$/.exec(line.slice(start));
    const segment = match ? match[1]! : line.slice(start);
    stack[depth] = (depth > 0 ? stack[depth - 1]! : '') + segment;
    stack.length = depth + 1;
    if (match) for (const method of match[2]!.split(', ')) if (method !== 'HEAD') routes.push({ method, path: stack[depth]! });
  }
  return routes;
}

/** /v2/accounts/:id → /v2/accounts/{id} */
export const asOpenApi = (path: string) => path.replace(/:(\w+)/g, '{$1}');

export function assertFailure(res: { status: number; body: any; headers: Headers; text: string }, status: number, code?: string | RegExp, what = '') {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.equal(res.body?.status, res.status >= 400 && typeof res.body?.status === 'number' ? res.status : 'failed', `${what}: ${res.text}`);
  if (typeof code === 'string') assert.equal(res.body.code, code, what);
  else if (code) assert.match(res.body.code, code, what);
  assert.ok(res.headers.get('x-request-id'), `${what}: x-request-id`);
}
