import { Type } from 'typebox';
import { AccountId } from '../accounts.ts';
import { Nullable, V2Envelope, V2Failure } from '../envelope.ts';
import { operation } from '../operation.ts';

export const RESET_LOGIN_REASONS = ['mfa_required', 'password_changed'] as const;

export const resetLogin = operation({
  method: 'POST',
  path: '/v2/sandbox/accounts/:id/reset-login',
  summary: "Sandbox: force an account's next bank login to need re-authorisation (test keys only)",
  description:
    "`mfa_required` (default): the bank ends the user's sessions and asks for an OTP (12345) on the next login. `password_changed`: the user's password at the sandbox bank changes to `data.new_password`, and only a reauth with it heals the account. Either way the account's sync runs at once, so it is `reauth_required` and `mono.events.reauthorisation_required` is on its way when this answers.",
  tags: ['Sandbox', 'Re-authorisation'],
  params: AccountId,
  body: Type.Optional(
    Type.Object(
      { reason: Type.Optional(Type.Enum([...RESET_LOGIN_REASONS], { default: 'mfa_required' })) },
      { additionalProperties: false, examples: [{ reason: 'mfa_required' }, { reason: 'password_changed' }] },
    ),
  ),
  response: V2Envelope(
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
          data: {
            account: '6a1f2c3d4e5f60718293a4b5',
            reason: 'password_changed',
            username: 'user_otp',
            new_password: 'pass_changed1',
            reauth_required: true,
            sync: 'reauth_required',
          },
        },
      ],
    },
  ),
  failure: V2Failure,
});

export const resetSandbox = operation({
  method: 'POST',
  path: '/v2/sandbox/reset',
  summary: 'Sandbox: put every sandbox bank user back as the bank began (test keys only)',
  description:
    "Undoes what `reset-login` did to the sandbox bank: every user's password is `pass_good` again and no login is forced to ask for an OTP. The sandbox bank is one bank for the whole server, shared by every test-mode app as `reset-login`'s changes are; accounts are not touched (one that waits for re-authorisation still does, and its reauth now goes through with `pass_good`). The same as `relink sandbox reset`.",
  tags: ['Sandbox'],
  response: V2Envelope(
    Type.Object({
      users: Type.Integer({ minimum: 0, description: 'How many bank users had a changed password or a forced OTP, now undone' }),
    }),
    {},
    {
      examples: [{ status: 'successful', message: 'The sandbox bank is back as it began', timestamp: '2026-11-29T12:26:36.853Z', data: { users: 2 } }],
    },
  ),
  failure: V2Failure,
});
