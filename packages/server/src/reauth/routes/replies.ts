import { REAUTH_NEXT } from '@relink/contract/names';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { v1SessionBody } from '../../sessions/routes/replies.ts';
import type { StartedReauth } from '../service.ts';

/** The v1 answer to `{reauth_token}`: the session object plus Mono's `reauth:{response_code, message}`. */
export function v1ReauthSessionBody({ session, reply }: StartedReauth) {
  if (reply.responseCode === 400) throw new AppError(reply.error, reply.message);
  const reauth =
    reply.responseCode === 99
      ? { response_code: 99 as const, message: 'Re-authorisation complete: no user input was needed', code: reply.code }
      : // v1 tells a rejected stored password apart from MFA by 400; either way `ui` is the form to fill.
        { response_code: reply.next === 'login' ? (400 as const) : (102 as const), message: reply.message };
  return { ...v1SessionBody(session), reauth };
}

/** The v2 answer to `POST /v2/connect/reauth/session`: `responseCode` inside `data`, as Mono's guide shows. */
export function v2ReauthSessionBody({ session, reply }: StartedReauth) {
  switch (reply.responseCode) {
    case 99:
      return successV2('Request completed successfully', { responseCode: 99 as const, code: reply.code });
    case 102:
      return successV2(reply.message, {
        responseCode: 102 as const,
        session: { id: session.id, expiresAt: session.expiresAt },
        userInput: reply.ui,
        next: REAUTH_NEXT[reply.next],
      });
    case 400:
      throw new AppError(reply.error, reply.message, { responseCode: 400 });
  }
}
