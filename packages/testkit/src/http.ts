/**
 * One HTTP call to a test server: JSON in, JSON out, nothing hidden.
 *
 * A server this process started (`startTestServer`) is called in process, through Fastify's
 * `inject`: the same routing, hooks, validation, serialisation and error handling, without a
 * socket, which adds nothing to what these tests check and costs a client and a parser per
 * call. The tests that are about the wire itself (raw sockets, timeouts, shutdown, the browser,
 * child processes, the SDK's own transport) use real sockets. RELINK_TEST_HTTP=socket sends
 * every call over a socket instead.
 */
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['mono-sec-key'] = options.key;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const app = process.env.RELINK_TEST_HTTP === 'socket' ? undefined : inProcess.get(base);
  if (app) {
    const response = await app.inject({ method: method as 'GET', url: path, headers, ...(body !== undefined ? { payload: body } : {}) });
    const answered = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) answered.append(name, String(one));
    }
    return { status: response.statusCode, headers: answered, body: parseJson(response.body) as T, text: response.body };
  }
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: parseJson(text) as T, text };
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What `call` needs of an in-process server: Fastify's `inject`. */
interface Injectable {
  inject(options: {
    method: 'GET';
    url: string;
    headers: Record<string, string>;
    payload?: string;
  }): Promise<{ statusCode: number; headers: Record<string, string | string[] | number | undefined>; body: string }>;
}

/** The servers this process started, by base URL: `call` reaches them in process. */
const inProcess = new Map<string, Injectable>();

/** Lets `call` reach the server at `base` in process until the returned function is called. */
export function callInProcess(base: string, app: Injectable): () => void {
  inProcess.set(base, app);
  return () => void inProcess.delete(base);
}
