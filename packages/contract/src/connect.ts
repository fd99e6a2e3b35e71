import { Type } from 'typebox';
import { V2Envelope, V2Failure } from './envelope.ts';
import { Ui } from './institutions.ts';
import { CustomerInput, V2Account } from './sessions.ts';

/** The header the widget sends its app's public key in. The secret key never goes to a browser. */
export const PUBLIC_KEY_HEADER = 'x-public-key';

/** A failed widget step: the v2 failure plus whether the session can take another step. */
export const WidgetStepFailure = Type.Object(
  {
    ...V2Failure.properties,
    sessionOpen: Type.Optional(Type.Boolean({ description: 'false: the session failed or completed; start a new one' })),
  },
  { $id: 'WidgetStepFailure', description: 'A failed widget step' },
);

/** Hosted links, `POST /v2/accounts/initiate` (Mono's Connect Link). */
export const InitiateBody = Type.Object({
  scope: Type.Enum(['auth', 'reauth']),
  customer: Type.Optional(CustomerInput),
  account: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  meta: Type.Optional(Type.Object({ ref: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) })),
  redirect_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  institution: Type.Optional(
    Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), auth_method: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }),
  ),
});

export const InitiateData = Type.Object({
  mono_url: Type.String({ description: 'The hosted page to send the user to: single use, expires after 24 hours' }),
  customer: Type.Union([Type.String(), Type.Null()]),
  account: Type.Union([Type.String(), Type.Null()]),
  meta: Type.Object({ ref: Type.Optional(Type.String()) }),
  scope: Type.String(),
  institution: Type.Union([Type.String(), Type.Null()]),
  auth_method: Type.Union([Type.String(), Type.Null()]),
  redirect_url: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

export const ConnectOrigins = Type.Object({
  origins: Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 20 }), Type.Null()], {
    description: 'Origins allowed to frame the widget (https://shop.example); null or [] lets any page frame it',
  }),
});

/** A widget step: the Partners API's v2 step reply; a hosted link's 99 also carries its redirect. */
export const WidgetStepReply = V2Envelope(
  Type.Union([
    Type.Object({
      code: Type.String(),
      redirect_url: Type.Optional(Type.String({ description: "A hosted link's redirect_url with code, reference and status" })),
    }),
    Type.Object({ accounts: Type.Array(V2Account) }),
    Type.Object({ userInput: Ui }),
  ]),
  { responseCode: Type.Integer({ description: '99 login complete, 101 pick an account, 102 more input' }) },
);
