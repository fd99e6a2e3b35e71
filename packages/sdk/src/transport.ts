import { randomUUID } from 'node:crypto';
import { type BodyOf, type HeadersOf, type Operation, type ParamsOf, type QueryOf, type ReplyOf, pathOf } from '@relink/contract/operation';
import { RelinkConnectionError, RelinkError } from './errors.ts';

export interface ClientOptions {
  /** Your app's secret key, sent as `mono-sec-key`. */
  secretKey: string;
  /** Relink's address (`http://127.0.0.1:3000`), or Mono's (the default). */
  baseUrl?: string;
  /** Per try, in milliseconds. Default 30 s: a bank login can take a while. */
  timeoutMs?: number;
  /** Tries after the first, on network errors, timeouts and 5xx only. Default 2. */
  retries?: number;
  /** Waits between tries grow from this (doubling, with jitter). Default 200 ms. */
  retryDelayMs?: number;
  /** Your own fetch (a proxy agent, a test double). Default: Node's global fetch. */
  fetch?: typeof fetch;
}

/** What a call takes: the operation's path parameters, query, body and extra headers. */
export interface CallInput<O extends Operation> {
  params?: ParamsOf<O>;
  query?: Partial<NonNullable<QueryOf<O>>>;
  body?: BodyOf<O>;
  headers?: HeadersOf<O> & Record<string, string | undefined>;
  /** For a POST: the key that makes a retry of this call have one effect. Default: a new UUID per call. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export const DEFAULT_BASE_URL = 'https://api.withmono.com';

/**
 * The small transport every resource method goes through (Svix's request.ts is the model):
 * one Idempotency-Key per POST call, reused by its retries, so a retried POST has one effect;
 * retries only where an answer never came or the server failed (5xx), never on a 4xx, which
 * would fail the same way again.
 */
export class Transport {
  readonly #key: string;
  readonly #base: string;
  readonly #timeout: number;
  readonly #retries: number;
  readonly #delay: number;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions) {
    if (!options.secretKey) throw new TypeError('secretKey is required');
    this.#key = options.secretKey;
    this.#base = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.#timeout = options.timeoutMs ?? 30_000;
    this.#retries = Math.max(0, Math.floor(options.retries ?? 2));
    this.#delay = options.retryDelayMs ?? 200;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async call<O extends Operation>(op: O, input: CallInput<O> = {}): Promise<ReplyOf<O>> {
    const url = new URL(this.#base + pathOf(op, input.params as Record<string, string> | undefined));
    for (const [name, value] of Object.entries(input.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { 'mono-sec-key': this.#key, accept: 'application/json' };
    for (const [name, value] of Object.entries(input.headers ?? {})) if (value !== undefined) headers[name] = String(value);
    let body: string | undefined;
    if (input.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(input.body);
    }
    if (op.method === 'POST') headers['idempotency-key'] = input.idempotencyKey ?? randomUUID();

    let lastError: unknown;
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (attempt > 0) await sleep(this.#backoff(attempt), input.signal);
      let response: Response;
      try {
        const signal = input.signal ? AbortSignal.any([input.signal, AbortSignal.timeout(this.#timeout)]) : AbortSignal.timeout(this.#timeout);
        response = await this.#fetch(url, { method: op.method, headers, body, signal });
      } catch (error) {
        if (input.signal?.aborted) throw error;
        lastError = error;
        continue;
      }
      const text = await response.text();
      const parsed = parse(text);
      if (response.ok) return parsed as ReplyOf<O>;
      const failure = new RelinkError(response.status, parsed ?? text, response.headers.get('x-request-id'));
      if (response.status < 500 || attempt === this.#retries) throw failure;
      lastError = failure;
    }
    const reason =
      lastError instanceof Error && lastError.name === 'TimeoutError'
        ? `no answer within ${this.#timeout} ms`
        : String((lastError as Error)?.message ?? lastError);
    throw new RelinkConnectionError(`${op.method} ${url.pathname}: ${reason} (${this.#retries + 1} tries)`, this.#retries + 1, lastError);
  }

  /**
   * GETs a file at an absolute URL (a statement's `path`), without the secret key, with the
   * same timeout and retries as `call`; answers its bytes, or throws as `call` does.
   */
  async download(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (attempt > 0) await sleep(this.#backoff(attempt), signal);
      let response: Response;
      try {
        const timeout = AbortSignal.timeout(this.#timeout);
        response = await this.#fetch(url, { method: 'GET', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (error) {
        if (signal?.aborted) throw error;
        lastError = error;
        continue;
      }
      if (response.ok) return new Uint8Array(await response.arrayBuffer());
      const text = await response.text();
      const failure = new RelinkError(response.status, parse(text) ?? text, response.headers.get('x-request-id'));
      if (response.status < 500 || attempt === this.#retries) throw failure;
      lastError = failure;
    }
    throw new RelinkConnectionError(
      `GET ${new URL(url).pathname}: ${String((lastError as Error)?.message ?? lastError)} (${this.#retries + 1} tries)`,
      this.#retries + 1,
      lastError,
    );
  }

  #backoff(attempt: number): number {
    const base = this.#delay * 2 ** (attempt - 1);
    return base / 2 + Math.random() * (base / 2);
  }
}

function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}
