import { Type, type TSchema } from 'typebox';
import { ERROR_CODES } from './errors.ts';

/** Partner response codes (seed 003): what the caller must do next. */
export const RESPONSE_CODES = {
  /** Login complete: `data.code` is ready to exchange for an account id. */
  LOGIN_COMPLETE: 99,
  /** Several accounts: the user picks one, then commit. */
  SELECT_ACCOUNT: 101,
  /** The bank wants more input (OTP, security question): commit its form fields. */
  INPUT_REQUIRED: 102,
  /** Invalid input or a connection error at the bank. */
  FAILED: 400,
} as const;

/** `schema` or null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export type ResponseCode = (typeof RESPONSE_CODES)[keyof typeof RESPONSE_CODES];

export const ErrorCodeSchema = Type.Enum(Object.keys(ERROR_CODES), {
  description: 'Relink error code from the closed catalogue',
});

/** v2/v3 success: `{status, message, timestamp, data}`. */
export function V2Envelope<T extends TSchema, const E extends Record<string, TSchema> = {}>(
  data: T,
  extra: E = {} as E,
  options: { examples?: unknown[]; description?: string } = {},
) {
  return Type.Object(
    {
      status: Type.Literal('successful'),
      message: Type.String(),
      timestamp: Type.String({ format: 'date-time' }),
      ...extra,
      data,
    },
    options,
  );
}

/** v2/v3 failure: `{status:"failed", message, timestamp, data:null, code}`. */
export const V2Failure = Type.Object(
  {
    status: Type.Literal('failed'),
    message: Type.String(),
    timestamp: Type.String({ format: 'date-time' }),
    data: Type.Null(),
    code: ErrorCodeSchema,
    responseCode: Type.Optional(Type.Integer()),
    session: Type.Optional(
      Type.Object(
        { id: Type.String(), expiresAt: Type.Integer() },
        { description: 'With 409 `REAUTH_IN_PROGRESS`: the live re-authorisation session, which `POST /v2/connect/cancel` can end' },
      ),
    ),
  },
  { $id: 'V2Failure', description: 'Every failed v2/v3 call' },
);

/** v1 failure: `{status:"failed", message, code}`. */
export const V1Failure = Type.Object(
  {
    status: Type.Union([Type.Literal('failed'), Type.Integer()]),
    message: Type.String(),
    code: ErrorCodeSchema,
    responseCode: Type.Optional(Type.Integer()),
    data: Type.Optional(Type.Null()),
  },
  { $id: 'V1Failure', description: 'Every failed v1 call' },
);

/** Mono's paging block (v1 `paging`, v2 `meta`): the total, this page, and links to its neighbours. */
export const Paging = Type.Object({
  total: Type.Integer(),
  page: Type.Integer(),
  previous: Nullable(Type.String({ description: 'Link to the previous page' })),
  next: Nullable(Type.String({ description: 'Link to the next page' })),
});
