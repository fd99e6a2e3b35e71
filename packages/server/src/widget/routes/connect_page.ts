import { Type } from 'typebox';
import { AppError } from '../../http/errors.ts';
import { DomainError } from '../../lib/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { widgetHeaders, widgetPage } from '../page.ts';
import type { ConnectService } from '../service.ts';
import { widgetConfig } from '../widget_config.ts';

/** `GET /connect`: the widget page connect.js frames, configured by connect.js's query string. */
export function register(app: HttpApp, services: Services, connect: ConnectService) {
  app.get('/connect', {
    config: { auth: 'none' },
    schema: {
      summary: 'The Connect widget page (framed by connect.js)',
      tags: ['Connect widget'],
      querystring: Type.Object({
        key: Type.Optional(Type.String({ maxLength: 128 })),
        referrer: Type.Optional(Type.String({ maxLength: 4096 })),
        version: Type.Optional(Type.String({ maxLength: 32 })),
        scope: Type.Optional(Type.String({ maxLength: 32 })),
        data: Type.Optional(Type.String({ maxLength: 4096 })),
        reference: Type.Optional(Type.String({ maxLength: 256 })),
        selectedInstitution: Type.Optional(Type.String({ maxLength: 1024 })),
        reauth_token: Type.Optional(Type.String({ maxLength: 64 })),
      }),
    },
    handler: async (request, reply) => {
      // The page looks the public key up as the widget's API does: an unknown key counts against the address, and a blocked address learns nothing.
      const blocked = await services.limits.checkAddress(request.ip, 'public key').then(
        () => null,
        (error: unknown) => error,
      );
      if (blocked instanceof DomainError) {
        const limited = AppError.from(blocked);
        const { config } = widgetConfig({ app: undefined, query: {}, allowedOrigins: null, institutions: services.institutions });
        reply.code(limited.status).headers({ ...widgetHeaders(null), ...limited.headers });
        return widgetPage({ ...config, problem: { title: 'Too many attempts from your network', message: blocked.message } });
      }
      if (blocked) throw blocked;
      const app = request.query.key ? await connect.appForPublicKey(request.query.key) : undefined;
      if (request.query.key !== undefined && !app) await services.limits.authenticationFailed(request.ip);
      const allowedOrigins = app ? await connect.origins.of(app) : null;
      const sandboxPasswords = app?.mode === 'test' ? await services.sandbox.changedPasswords() : [];
      const { config, problem } = widgetConfig({ app, query: request.query, allowedOrigins, institutions: services.institutions, sandboxPasswords });
      reply.code(problem?.status ?? 200).headers(widgetHeaders(allowedOrigins));
      return widgetPage(config);
    },
  });
}
