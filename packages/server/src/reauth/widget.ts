import type { App } from '../apps/service.ts';
import type { SessionOrigin } from '../db/schema.ts';
import type { ReauthReason, StepReply } from '../sessions/machine.ts';
import type { SessionService } from '../sessions/service.ts';

/** What starting a re-authorisation gives the widget: its session and the first step's reply. */
export interface StartedReauth {
  session: { id: string; expiresAt: number };
  /** The account's bank, so the widget can name it. */
  institution: { id: string; name: string };
  /** 99 when the background login went through; 102 (the bank's challenge, or the login form) or 400 otherwise. */
  reply: StepReply;
  /** With a 102: the step that answers it, `login` or `commit` (MFA). */
  next: 'login' | 'commit' | null;
  /** With a 102: why the person is asked (the widget says so truthfully). */
  reason: ReauthReason | null;
}

/**
 * The widget's only call into re-authorisation: a reauth session logs in in the background with
 * the stored credentials, then waits for the person. A login the bank accepts without a
 * challenge never completes it here: the person logs in (with the credentials the account
 * holds) or answers the challenge the bank sent them, so a page's public key and an account id
 * buy no code (docs/security.md). A start from a reauth token or a hosted link is the partner's
 * (`origin: partner`) and supersedes one from a bare account id (`public`).
 */
export async function startReauth(sessions: SessionService, app: App, input: { accountId: string } | { token: string }, origin: SessionOrigin): Promise<StartedReauth> {
  const { session, reply } = await sessions.startReauth(app, input, { origin, mode: 'person' });
  const first: StepReply = reply.responseCode === 102 ? { responseCode: 102, ui: reply.ui } : reply;
  return {
    session: { id: session.id, expiresAt: session.expiresAt },
    institution: { id: session.institution.id, name: session.institution.name },
    reply: first,
    next: reply.responseCode === 102 ? reply.next : null,
    reason: reply.responseCode === 102 ? reply.reason : null,
  };
}
