import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { trackWork } from './edge.ts';
import { AppError } from './errors.ts';
import { canonicalJson } from './json.ts';
import type { HttpApp } from './types.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey: string | null;
  }
  interface FastifyContextConfig {
    /** The answer holds a secret shown once: a replay still returns it, but it is stored sealed in the vault. */
    sealIdempotentResponse?: boolean;
  }
}

const ONE_TIME_CODE = /code_[0-9a-z]{24}/;

/** Every POST in the partner API honours `Idempotency-Key` (≤255 chars). */
export function registerIdempotency(app: HttpApp, { idempotency }: Services) {
  app.decorateRequest('idempotencyKey', null);

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST' || !request.partner) return;
    const key = request.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
      throw new AppError('INVALID_INPUT', 'Invalid request: the Idempotency-Key header must be 1 to 255 characters');
    }
    const hash = createHash('sha256')
      .update(`${request.routeOptions.url}\n${request.url}\n${request.headers['x-session-id'] ?? ''}\n${canonicalJson(request.body)}`)
      .digest('hex');
    const begun = await idempotency.begin(request.partner.id, key, hash);
    if (begun.kind === 'conflict') throw new AppError('IDEMPOTENCY_CONFLICT', begun.message);
    if (begun.kind === 'replay') {
      return reply.code(begun.status).header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(begun.body);
    }
    request.idempotencyKey = key;
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const key = request.idempotencyKey;
    if (!key || !request.partner) return payload;
    request.idempotencyKey = null;
    const partner = request.partner.id;
    const stored = (async () => {
      if (reply.statusCode >= 500) await idempotency.abandon(partner, key);
      else {
        const body = typeof payload === 'string' ? payload : String(payload ?? '');
        // A one-time code in an answer (a link's 99, a reauth's code) is a secret like the ones routes flag.
        const sealed = request.routeOptions.config.sealIdempotentResponse === true || ONE_TIME_CODE.test(body);
        await idempotency.finish(partner, key, reply.statusCode, body, sealed);
      }
    })();
    // Written after the handler: a shutdown waits for it as for the handler itself.
    trackWork(app, stored);
    await stored;
    return payload;
  });
}
