import { Type } from 'typebox';
import { Ui } from './institutions.ts';
import { V2Envelope } from './envelope.ts';

export const SessionIdHeader = Type.Object({
  'x-session-id': Type.Optional(Type.String({ maxLength: 128, description: 'The session this step belongs to' })),
});

/** Login and commit bodies are the form's fields: validated against the session's cached field names. */
export const StepBody = Type.Record(Type.String(), Type.Unknown(), {
  description: 'The fields of the form the session last asked for (ui.form[].name), or the account choice after 101',
});

const Code = Type.Object({ code: Type.String() });
const V1Account = Type.Object({
  index: Type.Integer(),
  name: Type.String(),
  accountNumber: Type.String(),
  type: Type.String(),
  currency: Type.String(),
  balance: Type.Integer(),
});
export const V2Account = Type.Object({
  accountNumber: Type.String(),
  name: Type.String(),
  type: Type.String(),
  currency: Type.String(),
  status: Type.String(),
  balance: Type.Integer(),
});

export const V1StepReply = Type.Object({
  status: Type.Integer({ description: '200' }),
  responseCode: Type.Integer({ description: '99 login complete (data.code), 101 pick an account, 102 more input (data is the form)' }),
  data: Type.Union([Code, Type.Object({ accounts: Type.Array(V1Account) }), Ui]),
});

export const V2StepReply = V2Envelope(
  Type.Union([Code, Type.Object({ accounts: Type.Array(V2Account) }), Type.Object({ userInput: Ui })]),
  { responseCode: Type.Integer({ description: '99 login complete, 101 pick an account, 102 more input' }) },
);

export const CustomerInput = Type.Union([
  Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
  Type.Object(
    { name: Type.String({ minLength: 1, maxLength: 200 }), email: Type.String({ format: 'email', maxLength: 320 }) },
    { additionalProperties: false },
  ),
]);
