import { CustomerInput, Ui, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { v2SessionData } from '../replies.ts';

export function register(app: HttpApp, { sessions }: Services) {
  app.post('/v2/connect/session', {
    schema: {
      summary: 'Create a connect session (v2)',
      tags: ['Partner sessions'],
      body: Type.Object({
        institution: Type.String({ minLength: 1, maxLength: 64 }),
        auth_method: Type.String({ minLength: 1, maxLength: 64 }),
        scope: Type.Optional(Type.Enum(['financial_data'])),
        customer: Type.Optional(CustomerInput),
      }),
      response: {
        200: V2Envelope(
          Type.Object({
            session: Type.Object({
              id: Type.String(),
              scope: Type.String(),
              expiresAt: Type.Integer(),
              institution: Type.Object({ id: Type.String(), name: Type.String(), identifier: Type.String() }),
            }),
            ui: Ui,
          }),
        ),
        '4xx': V2Failure,
      },
    },
    handler: async (request) => {
      const { institution, auth_method, customer } = request.body;
      const session = await sessions.create(request.partner!, { institution, authMethod: auth_method, customer });
      return successV2('Request completed successfully', v2SessionData(session));
    },
  });
}
