import type { ResetReason } from '../connectors/types.ts';
import { type CliContext, withServices } from './context.ts';

const REASONS: ResetReason[] = ['mfa_required', 'password_changed'];

/**
 * `relink sandbox reset-login ACCOUNT [--reason mfa_required|password_changed]` and `relink
 * sandbox reset`: the sandbox controls from the shell.
 */
export async function sandboxCommand(context: CliContext, sub: string | undefined, args: string[]): Promise<number> {
  if (sub === 'reset') return resetCommand(context);
  if (sub !== 'reset-login')
    throw new Error(`unknown command "sandbox ${sub ?? ''}": use sandbox reset-login ACCOUNT_ID [--reason mfa_required|password_changed], or sandbox reset`);
  const accountId = args[0];
  if (!accountId) throw new Error('name the account: relink sandbox reset-login ACCOUNT_ID [--reason mfa_required|password_changed]');
  const reason = (context.values.reason ?? 'mfa_required') as ResetReason;
  if (!REASONS.includes(reason)) throw new Error(`--reason must be one of ${REASONS.join(', ')} (got "${reason}")`);
  const reset = await withServices(context, async (s) => {
    const appId = await s.accounts.appIdOf(accountId);
    const app = appId && (await s.apps.get(appId));
    if (!app) throw new Error(`no account ${accountId}`);
    if (app.mode !== 'test') throw new Error('sandbox reset-login is a sandbox helper: it works for accounts of test-mode apps only');
    return s.sandbox.resetLogin(app, accountId, reason);
  });
  if (context.values.json) {
    context.out(
      JSON.stringify({
        account: reset.account,
        reason: reset.reason,
        username: reset.username,
        new_password: reset.newPassword,
        reauth_required: reset.reauthRequired,
        sync: reset.sync,
      }),
    );
    return 0;
  }
  context.out(`Reset the bank login of ${reset.username} for account ${reset.account} (${reason}).`);
  if (reset.newPassword) context.out(`The sandbox bank's password for ${reset.username} is now: ${reset.newPassword}`);
  context.out(
    !reset.reauthRequired
      ? 'The account will need re-authorisation at its next sync.'
      : reset.sync === 'not_run'
        ? 'The account already waited for re-authorisation: no second mono.events.reauthorisation_required is sent.'
        : 'The account needs re-authorisation: mono.events.reauthorisation_required is on its way to the webhook.',
  );
  return 0;
}

/** `relink sandbox reset`: every sandbox bank user of this database back as the bank began. */
async function resetCommand(context: CliContext): Promise<number> {
  const { users } = await withServices(context, (s) => s.sandbox.restore());
  if (context.values.json) context.out(JSON.stringify({ users }));
  else
    context.out(
      users === 0
        ? 'The sandbox bank was already as it began: every user logs in with pass_good.'
        : `Put ${users} sandbox bank user${users === 1 ? '' : 's'} back as the bank began: every user logs in with pass_good, and no login is forced to ask for an OTP.`,
    );
  return 0;
}
