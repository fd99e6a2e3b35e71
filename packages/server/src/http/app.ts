import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requestIds } from '../lib/ids.ts';
import type { Services } from '../services.ts';
import { registerBodyParsers } from './bodies.ts';
import { buildSerializer, buildValidator } from './compilers.ts';
import { registerDocs } from './docs.ts';
import { registerErrorHandlers } from './error_handler.ts';
import { edgeOptions, registerDrain, registerInputGuard } from './edge.ts';
import { registerIdempotency } from './idempotency.ts';
import { loggedUrl } from './log_url.ts';
import { perAppLimitOf, registerOperationalRoutes, registerApiRoutes } from './routes.ts';
import { authenticateSecret } from './auth.ts';
import { registerConnect } from './connect_scope.ts';
import { registerConsole } from '../console/plugin.ts';
import type { HttpApp } from './types.ts';

export const BODY_LIMIT = 1024 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The HTTP edge, set up in order: Fastify with its limits and request ids, the one log line per
 * request, the drain and input guards, the body parsers, the error envelope, the OpenAPI
 * document and its pages, then the routes: operational, the Partners API behind the secret key
 * (per-app limits, idempotency), the widget's scope behind the public key, and the operator
 * console (/dashboard) behind its own sign-in.
 */
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
    if (services.logger.isLevelEnabled('debug'))
      services.logger.debug({ reqId: request.id, method: request.method, url: loggedUrl(request.url) }, 'incoming request');
  });
  app.addHook('onResponse', async (request, reply) => {
    services.logger.info(
      { reqId: request.id, method: request.method, url: loggedUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
    // By the route's pattern, never the URL: ids would make a series per account.
    services.metrics.httpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  registerDrain(app);
  registerInputGuard(app);
  registerBodyParsers(app);
  registerErrorHandlers(app, services);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Relink Partners API',
        version: '0.1.0',
        description: 'Mono-compatible Connect and Partners API (link, re-authorisation, accounts, webhooks). Change only your base URL and key.',
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
  await registerConsole(app, services);
  return app;
}

export type { TypeBoxTypeProvider };
