import { resetSandbox } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { sandbox }: Services) {
  app.route({
    ...routeOf(resetSandbox),
    preValidation: async (request) => {
      if (request.partner?.mode !== 'test') throw new AppError('FORBIDDEN', 'Sandbox helpers answer only to test keys');
    },
    handler: async () => {
      const restored = await sandbox.restore();
      return successV2('The sandbox bank is back as it began', restored);
    },
  });
}
