import { PUBLIC_KEY_HEADER } from '@relink/contract';
import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';
import { registerConnectRoutes, widgetLimitOf } from './routes.ts';
import type { HttpApp, Services } from './types.ts';

/**
 * Relink Connect: the widget's API (authenticated by the app's public key) and its pages. Its
 * own plugin scope, so the partner API's secret-key hook never sees these routes and the
 * public-key hook below never sees the partner API's.
 */
export async function registerConnect(app: HttpApp, services: Services) {
  const limits = services.widgetLimits;
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      const counted = widgetLimitOf(request.routeOptions.url);
      const byPublicKey = request.routeOptions.config.auth === 'public';
      // As on the Partners API: an address that failed to authenticate too often learns nothing more, not even whether a key is good.
      if (byPublicKey) await services.limits.checkAddress(request.ip, 'public key');
      if (counted) limits.address(request.ip);
      if (!byPublicKey) return;
      await authenticatePublic(request, services);
      if (counted === 'widget') limits.key(request.partner!.id);
    });
    registerConnectRoutes(scope, services);
  });
}

async function authenticatePublic(request: FastifyRequest, services: Services) {
  const key = request.headers[PUBLIC_KEY_HEADER];
  if (typeof key !== 'string' || key === '') {
    await services.limits.authenticationFailed(request.ip);
    const secret = request.headers['mono-sec-key'] !== undefined;
    throw new AppError(
      'INVALID_API_KEY',
      secret ? 'The widget API takes the app public key in x-public-key, never the secret key' : 'Missing public key: send the app public key in the x-public-key header',
    );
  }
  if (/^(test|live)_sk_/.test(key)) {
    await services.limits.authenticationFailed(request.ip);
    throw new AppError('INVALID_API_KEY', 'This is a secret key: the widget takes the app public key (test_pk_…), and a secret key never belongs in a browser');
  }
  const app = await services.connect.appForPublicKey(key);
  if (!app) {
    await services.limits.authenticationFailed(request.ip);
    throw new AppError('INVALID_API_KEY', 'Invalid public key: no app has this public key');
  }
  request.partner = app;
}
