import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENT_NAMES, type RelinkEvent } from '@relink/contract';
import { signatureProblem } from '@relink/contract/signing';

/** Why a delivery was refused. An adapter answers 401 for it; it is never an event. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifyInput {
  /** The request's headers (any case; Node's, a Fetch `Headers`, or a plain object). */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The body exactly as received: verify before parsing. */
  rawBody: string | Uint8Array;
  /** The app's webhook secret (`whsec_…`). Several while you rotate: any may match. */
  secret: string | string[];
  /** How far `webhook-timestamp` may be from now, in seconds. Default 300 (Standard Webhooks). */
  toleranceSeconds?: number;
  /**
   * Accept Mono's `mono-webhook-secret` header (the secret itself, compared in constant time)
   * when a delivery carries no signature. Default true, for Mono itself; Relink always signs,
   * so set false against Relink to accept signed deliveries only.
   */
  allowSecretHeader?: boolean;
  /** For tests: the current time in epoch seconds. */
  now?: number;
}

/**
 * Verifies a webhook delivery and returns its event, typed by `event`. Checks the Standard
 * Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
 * `{id}.{timestamp}.{body}`, HMAC-SHA256 keyed by the secret's base64 part): any of the
 * header's signatures may match any given secret, each compared in constant time, and the
 * timestamp must be within the tolerance (no replays of old deliveries). Throws
 * `WebhookVerificationError` otherwise.
 */
export function verifyWebhook(input: VerifyInput): RelinkEvent {
  const header = (name: string) => {
    const value = input.headers instanceof Headers ? input.headers.get(name) : lookup(input.headers, name);
    return value ?? undefined;
  };
  const body = typeof input.rawBody === 'string' ? input.rawBody : Buffer.from(input.rawBody).toString('utf8');
  const secrets = Array.isArray(input.secret) ? input.secret : [input.secret];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) throw new WebhookVerificationError('no webhook secret to verify with');
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (id && timestamp && signatures) {
    const problem = signatureProblem({ id, timestamp, signatures, body }, secrets, {
      ...(input.toleranceSeconds === undefined ? {} : { toleranceSeconds: input.toleranceSeconds }),
      ...(input.now === undefined ? {} : { now: input.now }),
    });
    if (problem) throw new WebhookVerificationError(problem);
  } else {
    const plain = header('mono-webhook-secret');
    if (input.allowSecretHeader === false || !plain) throw new WebhookVerificationError('the delivery is not signed');
    if (!secrets.some((secret) => equal(plain, secret))) throw new WebhookVerificationError('mono-webhook-secret does not match');
  }
  return parseEvent(body);
}

function parseEvent(body: string): RelinkEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new WebhookVerificationError('the body is not JSON');
  }
  const event = parsed as Partial<RelinkEvent> | null;
  if (!event || typeof event !== 'object' || !(EVENT_NAMES as readonly string[]).includes(String(event.event)) || typeof event.data !== 'object') {
    throw new WebhookVerificationError('the body is not a Relink or Mono event');
  }
  return event as RelinkEvent;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function lookup(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

export type WebhookHandler = (event: RelinkEvent) => void | Promise<void>;
type Options = Omit<VerifyInput, 'headers' | 'rawBody'>;

/**
 * A `node:http` request listener: reads the raw body, verifies it, calls `handle`, answers 200;
 * a bad signature is 401 and never reaches `handle`; a handler that throws is 500 (Relink retries).
 */
export function nodeWebhookHandler(options: Options, handle: WebhookHandler) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void respond(() => verifyWebhook({ ...options, headers: request.headers, rawBody: Buffer.concat(chunks) }), handle).then(({ status, body }) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
      );
    });
  };
}

/**
 * Express: mount after `express.raw({ type: 'application/json' })` so `req.body` is the raw
 * bytes, e.g. `app.post('/hooks', express.raw({type: 'application/json'}), expressWebhookHandler(…))`.
 */
export function expressWebhookHandler(options: Options, handle: WebhookHandler) {
  return (req: { headers: Record<string, string | string[] | undefined>; body: unknown }, res: { status(code: number): { json(body: unknown): unknown } }) => {
    const raw = req.body;
    void respond(() => {
      if (!(raw instanceof Uint8Array) && typeof raw !== 'string')
        throw new WebhookVerificationError('the raw body is missing: mount express.raw({ type: "application/json" }) before this handler');
      return verifyWebhook({ ...options, headers: req.headers, rawBody: raw });
    }, handle).then(({ status, body }) => res.status(status).json(body));
  };
}

/**
 * Fastify: register in its own plugin scope, where JSON bodies are kept as strings:
 * `app.register(async (scope) => { fastifyRawJson(scope); scope.post('/hooks', fastifyWebhookHandler(…)); })`.
 */
export function fastifyWebhookHandler(options: Options, handle: WebhookHandler) {
  return async (
    request: { headers: Record<string, string | string[] | undefined>; body: unknown },
    reply: { code(status: number): { send(body: unknown): unknown } },
  ) => {
    const { status, body } = await respond(() => verifyWebhook({ ...options, headers: request.headers, rawBody: String(request.body ?? '') }), handle);
    return reply.code(status).send(body);
  };
}

/** Makes a Fastify scope keep JSON bodies as the raw string, for `fastifyWebhookHandler`. */
export function fastifyRawJson(scope: {
  addContentTypeParser(
    type: string,
    options: { parseAs: 'string' },
    parser: (req: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => void,
  ): void;
  removeContentTypeParser?(type: string): void;
}) {
  scope.removeContentTypeParser?.('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, String(body)));
}

async function respond(verify: () => RelinkEvent, handle: WebhookHandler): Promise<{ status: number; body: unknown }> {
  let event: RelinkEvent;
  try {
    event = verify();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return { status: 401, body: { error: error.message } };
    throw error;
  }
  try {
    await handle(event);
    return { status: 200, body: { received: event.event_id } };
  } catch {
    return { status: 500, body: { error: 'the handler failed; the delivery will be retried' } };
  }
}
