import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../lib/errors.ts';
import type { Services } from '../services.ts';
import { envelopeFor, failureBody } from './envelope.ts';
import { AppError } from './errors.ts';
import type { HttpApp } from './types.ts';
import { describeValidation } from './validation.ts';

/**
 * Every failure answers in the contract's envelope (v1 or v2, by path): a `DomainError` with its
 * catalogue status, Fastify's own failures (validation, body size, content type) as 400s and
 * 415s, an unreachable dependency as 503 with Retry-After, anything else as a 500 that names
 * the request id and never the error. An unknown route is 404 `ROUTE_NOT_FOUND`.
 */
export function registerErrorHandlers(app: HttpApp, services: Services): void {
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply, services));
  app.setNotFoundHandler((request, reply) => {
    const kind = envelopeFor(request.url);
    reply.code(404).send(failureBody(kind, 'ROUTE_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });
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
    request.log.info({ reqId: request.id, errCode: error.code }, 'client closed the connection before its request was read');
    appError = new AppError('INVALID_INPUT', 'The connection closed before the whole request arrived');
  } else if (UNAVAILABLE.has(String(error.code)) || isDatabaseDown(error)) {
    services.logger.error({ reqId: request.id, err: error }, 'dependency unavailable');
    appError = new AppError('SERVICE_UNAVAILABLE', 'A service Relink depends on is unavailable; try again shortly', {}, { 'retry-after': '5' });
  } else {
    services.logger.error({ reqId: request.id, err: error }, 'unhandled error');
    appError = new AppError('INTERNAL', `Internal error; quote request id ${request.id} when reporting it`);
  }
  reply
    .code(appError.status)
    .headers(appError.headers)
    .send(failureBody(kind, appError.code, appError.message, appError.extra));
}

/**
 * The database could not do the work now, and a retry will: down, locked, or (PostgreSQL) a
 * prepared statement refused inside a transaction because another instance's migration changed
 * its table; the statement is prepared afresh on its next use (db/dialects/postgres.ts).
 */
function isDatabaseDown(error: Error): boolean {
  return /Connection terminated|connect ECONNREFUSED|database is locked|The database connection is not open|cached plan must not change result type|Client has encountered a connection error/i.test(
    error.message,
  );
}
