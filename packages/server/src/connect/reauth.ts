import type { App } from '../apps/service.ts';
import type { StepReply } from '../sessions/machine.ts';
import type { Services } from '../services.ts';

/** What starting a re-authorisation gives the widget: its session and the first step's reply. */
export interface StartedReauth {
  session: { id: string; expiresAt: number };
  /** 99 when the background login went through; 102 (the bank's challenge, or the login form) or 400 otherwise. */
  reply: StepReply;
  /** With a 102: the step that answers it, `login` (the stored password was rejected) or `commit` (MFA). */
  next: 'login' | 'commit' | null;
}

/** The widget and hosted links re-authorise through `SessionService.startReauth` (issue 9). */
export const REAUTH_AVAILABLE = true;

/**
 * The widget's only call into re-authorisation: a reauth session logs in in the background with
 * the stored credentials, then continues as an ordinary session. A 102 reply's `ui` is either
 * the bank's challenge (answered at commit) or, when the stored password was rejected, the
 * institution's login form, which the widget sends to login: `next` says which.
 */
export async function startReauth(services: Services, app: App, input: { accountId: string } | { token: string }): Promise<StartedReauth> {
  const { session, reply } = await services.sessions.startReauth(app, input);
  const first: StepReply = reply.responseCode === 102 ? { responseCode: 102, ui: reply.ui } : reply;
  return { session: { id: session.id, expiresAt: session.expiresAt }, reply: first, next: reply.responseCode === 102 ? reply.next : null };
}
