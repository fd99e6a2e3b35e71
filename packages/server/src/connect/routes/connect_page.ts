import { Type } from 'typebox';
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
      const app = request.query.key ? await connect.appForPublicKey(request.query.key) : undefined;
      const allowedOrigins = app ? await connect.origins(app) : null;
      const { config, problem } = widgetConfig({ app, query: request.query, allowedOrigins, institutions: services.institutions });
      reply.code(problem?.status ?? 200).headers(widgetHeaders(allowedOrigins));
      return widgetPage(config);
    },
  });
}
