import { widgetSession } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import type { ConnectService } from '../service.ts';

export function register(app: HttpApp, services: Services, connect: ConnectService) {
  const { demo } = services;
  app.route({
    ...routeOf(widgetSession),
    handler: async (request) => {
      const { institution, auth_method, customer, reference, link } = request.body;
      const session = await connect.startSession(request.partner!, { institution, authMethod: auth_method, customer, reference, link });
      // Started from the /connect/demo page: its cookie came along, and binds this session to that page load.
      await demo.bind(request.headers.cookie, request.partner!.id, session.id);
      return successV2('Request completed successfully', {
        session: { id: session.id, expiresAt: session.expiresAt, institution: { id: session.institution.id, name: session.institution.name } },
        ui: session.ui,
      });
    },
  });
}
