import { sandboxCredentials } from '@relink/contract/operations';
import { SANDBOX_CREDENTIALS, SANDBOX_INPUTS } from '../../connectors/sandbox/index.ts';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, _services: Services) {
  app.route({
    ...routeOf(sandboxCredentials),
    handler: async (request) => {
      if (request.partner!.mode !== 'test') throw new AppError('FORBIDDEN', 'Sandbox helpers answer only to test keys');
      return successV2('Request completed successfully', { credentials: SANDBOX_CREDENTIALS, inputs: SANDBOX_INPUTS });
    },
  });
}
