import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector, type Serializer, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import { requestIds } from '../lib/ids.ts';
import type { Services } from '../services.ts';
import { DomainError } from '../lib/errors.ts';
import { AppError } from './errors.ts';
import { registerDocs } from './docs.ts';
import { edgeOptions, registerDrain, registerInputGuard } from './edge.ts';
import { envelopeFor, failureBody } from './envelope.ts';
import { registerIdempotency } from './idempotency.ts';
import { parseJsonBody } from './json.ts';
import { loggedUrl } from './log_url.ts';
import { perAppLimitOf, registerOperationalRoutes, registerApiRoutes } from './routes.ts';
import { authenticateSecret } from './auth.ts';
import { registerConnect } from './connect_scope.ts';
import { describeValidation } from './validation.ts';
import type { HttpApp } from './types.ts';

export const BODY_LIMIT = 1024 * 1024;

/**
 * Route schemas compiled once per process, not once per server. Fastify builds a new Ajv and
 * recompiles every validator and serializer for each instance it creates (about 0.3 s of CPU
 * here, most of a server's start); the schemas are the contract's, the same objects for every
 * server. `relink serve` starts one server, so this changes nothing there; a process that starts
 * several (the tests, an embedding application) compiles each schema once. Both are Fastify's
 * own compilers: one shared Ajv (which keeps what it compiled, by schema), and
 * fast-json-stringify with its output kept by schema.
 */
const buildValidator = AjvCompiler();
const serializerPools = new Map<string, WeakMap<object, Serializer>>();
const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const build = SerializerSelector()(externalSchemas, options);
  const key = JSON.stringify([externalSchemas, options]);
  const compiled = serializerPools.get(key) ?? new WeakMap<object, Serializer>();
  serializerPools.set(key, compiled);
  return (route) => {
    const schema = route.schema;
    if (typeof schema !== 'object' || schema === null) return build(route);
    let serialize = compiled.get(schema);
    if (!serialize) compiled.set(schema, (serialize = build(route)));
    return serialize;
  };
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function buildHttpApp(services: Services): Promise<HttpApp> {
  const newRequestId = requestIds();
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    // One line per request, written when it ends (see the onResponse hook), instead of two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    ...edgeOptions(services.logger),
    // Node checks these every second, not every 30 s, so a dribbled header is cut off on time.
    http: { headersTimeout: services.config.http.headersTimeoutMs, requestTimeout: services.config.http.requestTimeoutMs, connectionsCheckingInterval: 1000 },
    requestTimeout: services.config.http.requestTimeoutMs,
    ...(services.config.trustProxy !== undefined ? { trustProxy: services.config.trustProxy } : {}),
    // A caller's own x-request-id is kept when it is well-formed, so logs on both sides join up.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newRequestId();
    },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
  }).withTypeProvider<TypeBoxTypeProvider>() as HttpApp;

  app.decorateRequest('partner', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // At debug level a request is also logged as it arrives, to see what is in flight. Never its
    // body or headers, at any level; its query only as `loggedUrl` shows it.
    if (services.logger.isLevelEnabled('debug')) services.logger.debug({ reqId: request.id, method: request.method, url: loggedUrl(request.url) }, 'incoming request');
  });
  app.addHook('onResponse', async (request, reply) => {
    services.logger.info(
      { reqId: request.id, method: request.method, url: loggedUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  registerDrain(app);
  registerInputGuard(app);

  // JSON bodies: an empty body is no body (curl -X POST with no data); a malformed one is a 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJsonBody(text));
    } catch (error) {
      done(error as AppError, undefined);
    }
  });

  // Existing Mono clients built on axios send bodiless POSTs (sync, unlink, reauthorise) as
  // form-encoded with no body, and may send form-encoded bodies: both are read like JSON.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseForm(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // Any other content type (text/plain included) is refused, unless there is no body at all.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    done(new AppError('UNSUPPORTED_MEDIA_TYPE', `Unsupported content-type "${request.headers['content-type'] ?? ''}": send JSON (application/json) or a form (application/x-www-form-urlencoded)`), undefined);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply, services));
  app.setNotFoundHandler((request, reply) => {
    const kind = envelopeFor(request.url);
    reply
      .code(404)
      .send(failureBody(kind, 'ROUTE_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Relink Partners API',
        version: '0.1.0',
        description:
          "Mono-compatible Connect and Partners API (link, re-authorisation, accounts, webhooks). Change only your base URL and key.",
      },
      components: {
        securitySchemes: {
          monoSecKey: { type: 'apiKey', in: 'header', name: 'mono-sec-key' },
          publicKey: { type: 'apiKey', in: 'header', name: 'x-public-key', description: "The app's public key: the Connect widget's API only" },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const open = route.config?.auth === 'none' || !url.match(/^\/(v\d|account)/);
      const security = route.config?.auth === 'public' ? [{ publicKey: [] }] : open ? [] : [{ monoSecKey: [] }];
      return { schema: { ...schema, security } as typeof schema, url };
    },
  });
  await registerDocs(app);

  registerOperationalRoutes(app, services);
  await app.register(async (api) => {
    api.addHook('onRequest', (request) => authenticateSecret(request, services));
    api.addHook('preHandler', async (request) => {
      const limit = perAppLimitOf(request.routeOptions.url);
      if (limit && request.partner) await services.limits.take(limit, request.partner.id);
    });
    registerIdempotency(api, services);
    registerApiRoutes(api, services);
  });
  await registerConnect(app, services);
  return app;
}

const FORM_KEY = /^([^[\]]+)(?:\[([^[\]]*)\])?$/;

/**
 * A form body as the object JSON would have given: every value a string (the route schema
 * coerces numbers), `a[b]=c` as `{a:{b:c}}` one level deep, a repeated name as an array.
 * Keys become own properties, as with JSON.parse, so `__proto__` cannot reach a prototype.
 */
export function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (target: Record<string, unknown>, key: string, value: string) => {
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    const next = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    Object.defineProperty(target, key, { value: next, enumerable: true, writable: true, configurable: true });
  };
  for (const [name, value] of new URLSearchParams(text)) {
    const match = FORM_KEY.exec(name);
    if (!match) throw new AppError('INVALID_INPUT', `Invalid request: form field name "${name}" is malformed (use name or name[key])`);
    const [, outer, inner] = match as unknown as [string, string, string | undefined];
    if (inner === undefined || inner === '') {
      put(out, outer, value);
      continue;
    }
    const nested = Object.hasOwn(out, outer) ? out[outer] : undefined;
    if (nested !== undefined && (typeof nested !== 'object' || Array.isArray(nested))) {
      throw new AppError('INVALID_INPUT', `Invalid request: form field "${outer}" is given both as a value and as ${outer}[${inner}]`);
    }
    const object = (nested as Record<string, unknown> | undefined) ?? {};
    if (nested === undefined) Object.defineProperty(out, outer, { value: object, enumerable: true, writable: true, configurable: true });
    put(object, inner, value);
  }
  return out;
}

const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P03', '53300', 'SQLITE_BUSY', 'SQLITE_CANTOPEN']);

function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, services: Services) {
  const kind = envelopeFor(request.url);
  let appError: AppError;
  if (error instanceof DomainError) {
    appError = AppError.from(error);
  } else if (error.validation) {
    appError = new AppError('INVALID_INPUT', describeValidation(error.validationContext ?? 'body', error.validation));
  } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    appError = new AppError('PAYLOAD_TOO_LARGE', 'Request body is larger than the 1 MiB limit');
  } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    appError = new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Unsupported content-type "${request.headers['content-type'] ?? ''}": send JSON with content-type: application/json`,
    );
  } else if (error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    appError = new AppError('INVALID_INPUT', 'Request body length does not match its content-length header');
  } else if (request.raw.aborted || (error.message === 'aborted' && error.code === 'ECONNRESET')) {
    // The client hung up mid-request: its own doing, not an outage, and no one is left to answer.
    request.log.info({ requestId: request.id, errCode: error.code }, 'client closed the connection before its request was read');
    appError = new AppError('INVALID_INPUT', 'The connection closed before the whole request arrived');
  } else if (UNAVAILABLE.has(String(error.code)) || isDatabaseDown(error)) {
    services.logger.error({ requestId: request.id, err: error }, 'dependency unavailable');
    appError = new AppError('SERVICE_UNAVAILABLE', 'A service Relink depends on is unavailable; try again shortly', {}, { 'retry-after': '5' });
  } else {
    services.logger.error({ requestId: request.id, err: error }, 'unhandled error');
    appError = new AppError('INTERNAL', `Internal error; quote request id ${request.id} when reporting it`);
  }
  reply.code(appError.status).headers(appError.headers).send(failureBody(kind, appError.code, appError.message, appError.extra));
}

/**
 * The database could not do the work now, and a retry will: down, locked, or (PostgreSQL) a
 * prepared statement refused inside a transaction because another instance's migration changed
 * its table; the statement is prepared afresh on its next use (db/dialects/postgres.ts).
 */
function isDatabaseDown(error: Error): boolean {
  return /Connection terminated|connect ECONNREFUSED|database is locked|The database connection is not open|cached plan must not change result type/i.test(error.message);
}

export type { TypeBoxTypeProvider };
