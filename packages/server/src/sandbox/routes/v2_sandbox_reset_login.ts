import { resetLogin } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { sandbox }: Services) {
  app.route({
    ...routeOf(resetLogin),
    // A live key is refused before its body is looked at.
    preValidation: async (request) => {
      if (request.partner?.mode !== 'test') throw new AppError('FORBIDDEN', 'Sandbox helpers answer only to test keys');
      // No body is the default reason, as with curl -X POST and axios' bodiless posts.
      request.body ??= {};
    },
    handler: async (request) => {
      const reason = request.body?.reason ?? 'mfa_required';
      const reset = await sandbox.resetLogin(request.partner!, request.params.id, reason);
      const message = reset.reauthRequired ? 'Login reset: the account needs re-authorisation' : 'Login reset; the next sync will need re-authorisation';
      return successV2(message, {
        account: reset.account,
        reason,
        username: reset.username,
        new_password: reset.newPassword,
        reauth_required: reset.reauthRequired,
        sync: reset.sync,
      });
    },
  });
}
