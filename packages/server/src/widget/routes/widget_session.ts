import { CustomerInput, Ui, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import type { ConnectService } from '../service.ts';

export function register(app: HttpApp, services: Services, connect: ConnectService) {
  const { demo } = services;
  app.post('/v2/connect/widget/session', {
    config: { auth: 'public' },
    schema: {
      summary: 'Widget: start a link session with the app public key',
      tags: ['Connect widget'],
      body: Type.Object({
        institution: Type.String({ minLength: 1, maxLength: 64 }),
        auth_method: Type.String({ minLength: 1, maxLength: 64 }),
        customer: Type.Optional(CustomerInput),
        reference: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        link: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A hosted link id: its customer and reference apply' })),
      }),
      response: {
        200: V2Envelope(
          Type.Object({
            session: Type.Object({ id: Type.String(), expiresAt: Type.Integer(), institution: Type.Object({ id: Type.String(), name: Type.String() }) }),
            ui: Ui,
          }),
        ),
        '4xx': V2Failure,
      },
    },
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
