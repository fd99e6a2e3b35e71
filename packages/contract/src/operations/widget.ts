import { Type, type Static } from 'typebox';
import { WidgetStepFailure, WidgetStepReply } from '../connect.ts';
import { V2Envelope, V2Failure } from '../envelope.ts';
import { Ui } from '../institutions.ts';
import { operation } from '../operation.ts';
import { CustomerInput, SessionIdHeader, StepBody } from '../sessions.ts';

/**
 * The Connect widget's API: what the widget page calls with the app's public key
 * (`x-public-key`). The browser's client in packages/connect takes its types from these, so a
 * change here breaks the widget's build before it breaks a widget.
 */

export const widgetSession = operation({
  method: 'POST',
  path: '/v2/connect/widget/session',
  summary: 'Widget: start a link session with the app public key',
  tags: ['Connect widget'],
  auth: 'public',
  body: Type.Object({
    institution: Type.String({ minLength: 1, maxLength: 64 }),
    auth_method: Type.String({ minLength: 1, maxLength: 64 }),
    customer: Type.Optional(CustomerInput),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    link: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A hosted link id: its customer and reference apply' })),
  }),
  response: V2Envelope(
    Type.Object({
      session: Type.Object({ id: Type.String(), expiresAt: Type.Integer(), institution: Type.Object({ id: Type.String(), name: Type.String() }) }),
      ui: Ui,
    }),
  ),
  failure: V2Failure,
});

/**
 * What the reauth start adds to a widget step reply's `data`. A type, not a schema: the
 * document has described this answer as an open object since the route was added, and the
 * serialiser passes it through whole.
 */
interface WidgetReauthData {
  session: { id: string; expiresAt: number };
  /** The account's bank, so the widget can name it. */
  institution: { id: string; name: string };
  /** With a 102: the step that answers it. */
  next: 'login' | 'commit' | null;
  /** With a 102: why the person is asked. */
  reason: 'challenge' | 'credentials_rejected' | 'confirm_login' | null;
}
type WidgetReauthReply = Static<typeof WidgetStepReply> & { data: WidgetReauthData };

export const widgetReauth = operation({
  method: 'POST',
  path: '/v2/connect/widget/reauth',
  summary: 'Widget: start re-authorising an account (background login first)',
  description:
    "The widget step reply with `data.session`, `data.institution` (the account's bank: `id`, `name`) and, with a 102, `data.next` (`login`: the form is the login form; `commit`: the bank sent the person a challenge) and `data.reason`: `challenge`, `credentials_rejected` (the bank no longer takes the stored password) or `confirm_login` (the bank took it; the person logs in to confirm it is them). A background login alone never completes a re-authorisation here: the person acts.",
  tags: ['Connect widget'],
  auth: 'public',
  body: Type.Object({
    account: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'connect.js 1.x reauth_token' })),
    link: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A hosted reauth link id' })),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  }),
  response: Type.Unsafe<WidgetReauthReply>(Type.Object({}, { additionalProperties: true, description: 'The widget step reply, with data.session' })),
  failure: WidgetStepFailure,
});

/** A failed step also says whether the session can take another (`sessionOpen`): "try again" or "start over". */
export const widgetLogin = operation({
  method: 'POST',
  path: '/v2/connect/widget/login',
  summary: 'Widget: log in to the institution',
  tags: ['Connect widget'],
  auth: 'public',
  headers: SessionIdHeader,
  body: StepBody,
  response: WidgetStepReply,
  failure: WidgetStepFailure,
});

export const widgetCommit = operation({
  method: 'POST',
  path: '/v2/connect/widget/commit',
  summary: 'Widget: answer a challenge or pick an account',
  tags: ['Connect widget'],
  auth: 'public',
  headers: SessionIdHeader,
  body: StepBody,
  response: WidgetStepReply,
  failure: WidgetStepFailure,
});

/** The widget ends its own session when the person closes it, so an abandoned re-authorisation frees its account at once. */
export const widgetCancel = operation({
  method: 'POST',
  path: '/v2/connect/widget/cancel',
  summary: 'Widget: cancel the session the widget started',
  tags: ['Connect widget'],
  auth: 'public',
  headers: SessionIdHeader,
  response: V2Envelope(Type.Object({ session: Type.Object({ id: Type.String(), status: Type.Literal('cancelled') }) })),
  failure: V2Failure,
});
