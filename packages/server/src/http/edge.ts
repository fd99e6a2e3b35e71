import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { type ErrorCode, statusOf } from '@relink/contract';
import { envelopeFor, failureBody } from './envelope.ts';
import { AppError } from './errors.ts';
import type { HttpApp } from './types.ts';

/**
 * The answers Fastify and Node give on their own, before any route runs, rewritten into the
 * envelope with a catalogue code and `x-request-id`: a path that is not valid percent-encoding,
 * an over-long path parameter, a request Node's parser refuses (bad bytes, headers over 16 KiB,
 * too slow), and requests that arrive while the server shuts down.
 */
export function edgeOptions(logger: Logger): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler' | 'return503OnClosing'> {
  return {
    return503OnClosing: false,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'Invalid request: a path parameter is longer than 100 characters'
          : 'Invalid request: the path is not valid percent-encoding';
      reply
        .code(400)
        .header('x-request-id', request.id)
        .send(failureBody(envelopeFor(request.url), 'INVALID_INPUT', message));
    },
    clientErrorHandler: (error, socket: Duplex) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const [code, message]: [ErrorCode, string] =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_HEADERS_TIMEOUT'
          ? ['REQUEST_TIMEOUT', 'The request was not received in time; the connection is closed']
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? ['HEADERS_TOO_LARGE', 'Request line and headers are larger than 16 KiB']
            : ['INVALID_INPUT', 'Invalid request: malformed HTTP (the request line or a header has bytes HTTP does not allow)'];
      const requestId = `req_${randomBytes(12).toString('hex')}`;
      logger.debug({ reqId: requestId, errCode: error.code }, 'client sent a malformed or slow request');
      if (!socket.writable) return void socket.destroy();
      // The path, when Node kept the bytes; otherwise the v2 shape, whose keys include all of v1's.
      const path = /^[A-Z]+ (\/\S*)/.exec((error.rawPacket as unknown as Buffer | undefined)?.toString('latin1') ?? '')?.[1];
      const body = JSON.stringify(failureBody(path ? envelopeFor(path) : 'v2', code, message));
      const status = statusOf(code);
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  };
}

/** Work a request started that its client may no longer wait for, per server; `handlersSettled` waits for it. */
const inFlight = new WeakMap<object, Set<PromiseLike<unknown>>>();

/**
 * While the server drains for shutdown, new requests get a 503 in the envelope (and Connection:
 * close). Every route handler's promise is tracked: Fastify's close waits for the connections,
 * not for a handler whose client has gone (a login still at the bank, a reset waiting for a
 * sync), which would otherwise run on against a closed database; `handlersSettled` waits for them.
 */
export function registerDrain(app: HttpApp) {
  let draining = false;
  const running = new Set<PromiseLike<unknown>>();
  inFlight.set(app.server, running);
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onRequest', async () => {
    if (draining) throw new AppError('SERVICE_UNAVAILABLE', 'Relink is shutting down; retry on another instance', {}, { 'retry-after': '1' });
  });
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function tracked(this: unknown, request, reply) {
      const result: unknown = handler.call(this as never, request, reply);
      if (isThenable(result)) trackWork(app, result);
      return result as ReturnType<typeof handler>;
    };
  });
}

/** Adds work that must finish before the database closes (a handler, a hook's write after it); any of the server's plugin scopes. */
export function trackWork(app: HttpApp, work: PromiseLike<unknown>) {
  const running = inFlight.get(app.server);
  if (!running) return;
  running.add(work);
  const done = () => void running.delete(work);
  work.then(done, done);
}

/**
 * Resolves once no tracked work is left, or after `ms`. A handler's end starts its reply's
 * hooks (which may track more work), so it looks again a turn after everything settled.
 */
export async function handlersSettled(app: HttpApp, ms: number): Promise<void> {
  const running = inFlight.get(app.server);
  const deadline = Date.now() + ms;
  while (running && running.size > 0 && Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
    await Promise.race([Promise.allSettled([...running]), timeout]);
    clearTimeout(timer);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * What schemas let through but databases refuse: a NUL character in any string (PostgreSQL
 * text cannot hold one) and a number that is not finite (`1e400` and `Infinity` coerce to
 * Infinity, which passes Ajv's integer check). Checked once for params, query and body,
 * after validation and coercion, so every route is covered and none needs to remember.
 */
export function registerInputGuard(app: HttpApp) {
  app.addHook('preHandler', async (request) => {
    for (const [where, value] of [
      ['params', request.params],
      ['query', request.query],
      ['body', request.body],
    ] as const) {
      const problem = unstorable(value, where);
      if (problem) throw new AppError('INVALID_INPUT', `Invalid request: ${problem}`);
    }
  });
}

function unstorable(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? `${path} must not contain a NUL character` : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} must be a finite number`;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path} has a field name with a NUL character`;
    const problem = unstorable(inner, `${path}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}
