import { V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { SANDBOX_CREDENTIALS, SANDBOX_INPUTS } from '../../connectors/sandbox/index.ts';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, _services: Services) {
  app.get('/v2/connect/sandbox', {
    schema: {
      summary: 'Sandbox credentials and challenge answers (test keys only)',
      tags: ['Sandbox'],
      response: {
        200: V2Envelope(
          Type.Object({
            credentials: Type.Array(
              Type.Object({
                hasMultipleAccounts: Type.Boolean(),
                values: Type.Object({ username: Type.String(), password: Type.String() }),
                description: Type.String(),
              }),
            ),
            inputs: Type.Array(Type.Object({ name: Type.String(), value: Type.String(), description: Type.String() })),
          }),
        ),
        '4xx': V2Failure,
      },
    },
    handler: async (request) => {
      if (request.partner!.mode !== 'test') throw new AppError('FORBIDDEN', 'Sandbox helpers answer only to test keys');
      return successV2('Request completed successfully', { credentials: SANDBOX_CREDENTIALS, inputs: SANDBOX_INPUTS });
    },
  });
}
