import type { FastifyInstance } from 'fastify';
import type { DashboardDeps } from './dashboard.ts';
import { failure } from './dashboard.ts';
import { requireUser } from './auth.ts';

/**
 * Test mode only: the sandbox bank's `reset-login` control, so a person trying the demo can
 * make their linked account need re-authorisation, as a real bank would, without waiting.
 */
export function registerSandbox(app: FastifyInstance, deps: DashboardDeps) {
  if (!deps.testMode) return;
  app.post<{ Body: { reason?: string } }>('/sandbox/reset-login', async (request, reply) => {
    const signed = requireUser(deps.db, request, reply);
    if (!signed) return reply;
    const { user, token } = signed;
    const reason = request.body?.reason === 'password_changed' ? 'password_changed' : 'mfa_required';
    if (!user.accountId) return reply.redirect('/', 303);
    try {
      const reset = await deps.relink.sandbox.resetLogin(user.accountId, { reason });
      if (!reset.reauth_required) {
        deps.db.sessions.setFlash(token, { kind: 'error', text: 'Sandbox: the bank was still busy updating this account. Try again in a few seconds.' });
      } else if (reset.new_password) {
        deps.sandboxNotes.set(user.id, { username: reset.username, password: reset.new_password });
        deps.db.sessions.setFlash(token, {
          kind: 'info',
          text: `Sandbox: the bank changed the password of ${reset.username}. Reconnect and log in with the new one (the OTP is 12345):`,
          code: reset.new_password,
        });
      } else {
        deps.db.sessions.setFlash(token, { kind: 'info', text: 'Sandbox: the bank now asks for an OTP on a new login. Reconnect with the OTP 12345.' });
      }
    } catch (error) {
      deps.db.sessions.setFlash(token, { kind: 'error', text: failure(error, 'The sandbox control did not answer. Try again.') });
    }
    return reply.redirect('/', 303);
  });
}
