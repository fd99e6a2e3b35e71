import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';

/** Headers a proxy adds when it passes a request on: such a request is not this machine's own. */
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/**
 * `GET /metrics`: the Prometheus text exposition (docs/metrics.md). Outside the Partners API
 * and its keys, and left out of /openapi.json: it is the operator's, not a partner's. With
 * RELINK_METRICS_TOKEN set it takes `Authorization: Bearer <token>` and nothing else; unset, it
 * answers this machine alone. Refusals use the v2 envelope, like every failure off the v1 paths.
 */
export function register(app: HttpApp, services: Services) {
  app.get('/metrics', { config: { auth: 'none' }, schema: { hide: true } }, async (request, reply) => {
    await admit(request, services);
    const { contentType, text } = await services.metrics.render();
    return reply.type(contentType).header('cache-control', 'no-store').send(text);
  });
}

async function admit(request: FastifyRequest, services: Services): Promise<void> {
  const token = services.config.metricsToken;
  if (token === undefined) {
    if (isLoopback(request.socket.remoteAddress) && !FORWARDED.some((name) => request.headers[name] !== undefined)) return;
    throw new AppError(
      'FORBIDDEN',
      'GET /metrics answers only requests from this machine (not passed on by a proxy) while RELINK_METRICS_TOKEN is unset; set it and send Authorization: Bearer <token>',
    );
  }
  // The same per-address count of failed authentications as the Partners API's keys.
  await services.limits.checkAddress(request.ip, 'metrics token');
  const sent = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (sent !== undefined && sameSecret(sent, token)) return;
  await services.limits.authenticationFailed(request.ip);
  throw new AppError(
    'INVALID_API_KEY',
    sent === undefined ? 'Missing metrics token: send Authorization: Bearer <RELINK_METRICS_TOKEN>' : 'Invalid metrics token',
    {},
    { 'www-authenticate': 'Bearer realm="relink-metrics"' },
  );
}

/** Compared as SHA-256 digests, in constant time: neither the token's bytes nor its length leak through timing. */
function sameSecret(sent: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(sent), digest(expected));
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && ipaddr.isValid(address) && ipaddr.process(address).range() === 'loopback';
}
