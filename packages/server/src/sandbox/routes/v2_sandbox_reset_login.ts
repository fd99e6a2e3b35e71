import { Nullable, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { AccountId } from '../../accounts/routes/schemas.ts';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { sandbox }: Services) {
  app.post('/v2/sandbox/accounts/:id/reset-login', {
    schema: {
      summary: "Sandbox: force an account's next bank login to need re-authorisation (test keys only)",
      description:
        "`mfa_required` (default): the bank ends the user's sessions and asks for an OTP (12345) on the next login. `password_changed`: the user's password at the sandbox bank changes to `data.new_password`, and only a reauth with it heals the account. Either way the account's sync runs at once, so it is `reauth_required` and `mono.events.reauthorisation_required` is on its way when this answers.",
      tags: ['Sandbox', 'Re-authorisation'],
      params: AccountId,
      body: Type.Optional(
        Type.Object(
          { reason: Type.Optional(Type.Enum(['mfa_required', 'password_changed'], { default: 'mfa_required' })) },
          { additionalProperties: false, examples: [{ reason: 'mfa_required' }, { reason: 'password_changed' }] },
        ),
      ),
      response: {
        200: V2Envelope(
          Type.Object({
            account: Type.String(),
            reason: Type.String(),
            username: Type.String({ description: 'The bank user whose login was reset' }),
            new_password: Nullable(Type.String({ description: 'password_changed: the password the sandbox bank accepts from now on' })),
            reauth_required: Type.Boolean(),
            sync: Type.String({ description: 'What the sync run by the reset found: reauth_required, or not_run when the account already waited for reauth' }),
          }),
          {},
          {
            examples: [
              {
                status: 'successful',
                message: 'Login reset: the account needs re-authorisation',
                timestamp: '2026-11-29T12:26:36.853Z',
                data: { account: '6a1f2c3d4e5f60718293a4b5', reason: 'password_changed', username: 'user_otp', new_password: 'pass_Zk3vQ9rT', reauth_required: true, sync: 'reauth_required' },
              },
            ],
          },
        ),
        '4xx': V2Failure,
      },
    },
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
      return successV2(message, { account: reset.account, reason, username: reset.username, new_password: reset.newPassword, reauth_required: reset.reauthRequired, sync: reset.sync });
    },
  });
}
