import { Type, type Static } from 'typebox';
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

/**
 * A v1 login or commit answer. A union on `responseCode`, so a client's `switch` narrows `data`:
 * 99 login complete (`data.code`), 101 pick an account, 102 the bank wants the form in `data`.
 */
export const V1StepReply = Type.Union([
  Type.Object({ status: Type.Literal(200), responseCode: Type.Literal(99), data: Code }),
  Type.Object({ status: Type.Literal(200), responseCode: Type.Literal(101), data: Type.Object({ accounts: Type.Array(V1Account) }) }),
  Type.Object({ status: Type.Literal(200), responseCode: Type.Literal(102), data: Ui }),
]);
export type V1StepReply = Static<typeof V1StepReply>;

/** A v2 login or commit answer, `responseCode` at the top level beside the envelope. */
export const V2StepReply = Type.Union([
  V2Envelope(Code, { responseCode: Type.Literal(99) }),
  V2Envelope(Type.Object({ accounts: Type.Array(V2Account) }), { responseCode: Type.Literal(101) }),
  V2Envelope(Type.Object({ userInput: Ui }), { responseCode: Type.Literal(102) }),
]);
export type V2StepReply = Static<typeof V2StepReply>;

export const CustomerInput = Type.Union([
  Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
  Type.Object(
    { name: Type.String({ minLength: 1, maxLength: 200 }), email: Type.String({ format: 'email', maxLength: 320 }) },
    { additionalProperties: false },
  ),
]);
