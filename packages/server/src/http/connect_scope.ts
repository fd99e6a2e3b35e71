import { authenticatePublic } from './auth.ts';
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
      if (counted) await limits.address(request.ip);
      if (!byPublicKey) return;
      await authenticatePublic(request, services);
      if (counted === 'widget') await limits.key(request.partner!.id);
    });
    registerConnectRoutes(scope, services);
  });
}
