import { PUBLIC_KEY_HEADER } from '@relink/contract';
import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';
import type { Services } from './types.ts';
import type { App } from '../services.ts';

/** The Partners API's key: the app's secret key in `mono-sec-key` (none for routes marked `auth: none`). */
export async function authenticateSecret(request: FastifyRequest, services: Services) {
  if (request.routeOptions.config.auth === 'none') return;
  await services.limits.checkAddress(request.ip);
  const key = request.headers['mono-sec-key'];
  if (typeof key !== 'string' || key === '') throw await refused(request, services, 'Missing secret key: send your app secret key in the mono-sec-key header');
  const app = await services.apps.authenticate(key);
  if (!app) throw await refused(request, services, 'Invalid secret key: this secret key is invalid, rotated or revoked');
  request.partner = app;
}

/**
 * For a route open without a key (`auth: none`) that still refuses other apps: the app whose
 * secret key came in `mono-sec-key`, undefined when none came, 401 for one that is not valid.
 */
export async function authenticateOptionalSecret(request: FastifyRequest, services: Services): Promise<App | undefined> {
  const key = request.headers['mono-sec-key'];
  if (key === undefined || key === '') return undefined;
  await services.limits.checkAddress(request.ip);
  const app = typeof key === 'string' ? await services.apps.authenticate(key) : undefined;
  if (!app) throw await refused(request, services, 'Invalid secret key: this secret key is invalid, rotated or revoked');
  return app;
}

/** The widget's key: the app's public key in `x-public-key`; a secret key here is refused outright. */
export async function authenticatePublic(request: FastifyRequest, services: Services) {
  const key = request.headers[PUBLIC_KEY_HEADER];
  if (typeof key !== 'string' || key === '') {
    const secret = request.headers['mono-sec-key'] !== undefined;
    throw await refused(
      request,
      services,
      secret
        ? 'The widget API takes the app public key in x-public-key, never the secret key'
        : 'Missing public key: send the app public key in the x-public-key header',
    );
  }
  if (/^(test|live)_sk_/.test(key))
    throw await refused(
      request,
      services,
      'This is a secret key: the widget takes the app public key (test_pk_…), and a secret key never belongs in a browser',
    );
  const app = await services.connect.appForPublicKey(key);
  if (!app) throw await refused(request, services, 'Invalid public key: no app has this public key');
  request.partner = app;
}

/** A failed authentication: counted against the client's address (`RequestLimits`), then 401. */
async function refused(request: FastifyRequest, services: Services, message: string): Promise<AppError> {
  await services.limits.authenticationFailed(request.ip);
  return new AppError('INVALID_API_KEY', message);
}
