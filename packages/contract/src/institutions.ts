import { Type, type Static } from 'typebox';

export const FormElement = Type.Object({
  type: Type.Union([Type.Literal('elements.input'), Type.Literal('elements.captcha_input'), Type.Literal('elements.switch')]),
  name: Type.String({ description: 'Key to send in the login or commit body' }),
  hint: Type.String(),
  contentType: Type.Union([Type.Literal('string'), Type.Literal('password'), Type.Literal('integer')]),
  maxLength: Type.Optional(Type.Integer()),
  value: Type.Optional(Type.String()),
  options: Type.Optional(Type.Array(Type.Object({ label: Type.String(), value: Type.Integer() }))),
});
export type FormElement = Static<typeof FormElement>;

export const Ui = Type.Object({ title: Type.String(), form: Type.Array(FormElement) });
export type Ui = Static<typeof Ui>;

export const AuthMethodType = Type.Union([Type.Literal('internet_banking'), Type.Literal('mobile_banking')]);
export type AuthMethodType = Static<typeof AuthMethodType>;

export const InstitutionType = Type.Union([Type.Literal('PERSONAL_BANKING'), Type.Literal('BUSINESS_BANKING')]);
export type InstitutionType = Static<typeof InstitutionType>;

/** v1 institution object: `GET /v1/institutions` and `GET /coverage` (camelCase, `_id`). */
export const InstitutionV1 = Type.Object({
  _id: Type.String(),
  name: Type.String(),
  type: InstitutionType,
  auth_methods: Type.Array(Type.Object({ _id: Type.String(), type: AuthMethodType, name: Type.String(), ui: Ui })),
  icon: Type.String(),
  identifier: Type.String(),
  primaryColor: Type.String(),
  country: Type.String(),
  bank_code: Type.String(),
});
export type InstitutionV1 = Static<typeof InstitutionV1>;

/** v3 institution object: `GET /v3/institutions` (snake_case). */
export const InstitutionV3 = Type.Object({
  _id: Type.String(),
  name: Type.String(),
  type: InstitutionType,
  icon: Type.String(),
  identifier: Type.String(),
  bank_code: Type.String(),
  nip_code: Type.String(),
  country: Type.String(),
  primary_color: Type.String(),
  scope: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  auth_methods: Type.Array(Type.Object({ type: AuthMethodType, name: Type.String(), ui: Ui })),
});
export type InstitutionV3 = Static<typeof InstitutionV3>;
