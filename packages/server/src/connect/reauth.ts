import type { App } from '../apps/service.ts';
import { AppError } from '../http/errors.ts';
import type { StepReply } from '../sessions/machine.ts';
import type { Services } from '../services.ts';

/** What starting a re-authorisation gives the widget: its session and the first step's reply. */
export interface StartedReauth {
  session: { id: string; expiresAt: number };
  /** 99 when the background login went through; 102 (the bank's challenge) or 400 otherwise. */
  reply: StepReply;
}

/** Flip to true when `startReauth` below is wired: hosted links then accept `scope: "reauth"`. */
export const REAUTH_AVAILABLE = false;

/**
 * ─── WIRING POINT for the lead (issue 9) ───────────────────────────────────────────────
 * The widget's only call into re-authorisation. A reauth session logs in in the background
 * with the stored credentials, then continues as an ordinary session: a 102 reply's `ui`
 * becomes the MFA screen and later steps go through `SessionService.step` like a link's.
 * Replace the body with `services.sessions.startReauth(app, { accountId })` once it exists
 * (a legacy `reauth_token` resolves to its account first, single use). When the stored
 * credentials are rejected, answer 102 with the institution's login form (a field of
 * contentType "password"): the widget then sends it to the login step, not commit.
 */
export async function startReauth(_services: Services, _app: App, input: { accountId: string } | { token: string }): Promise<StartedReauth> {
  const what = 'accountId' in input ? `account ${input.accountId}` : 'a reauth token';
  throw new AppError('INVALID_INPUT', `Re-authorisation of ${what} through the widget is not available on this server yet`);
}
