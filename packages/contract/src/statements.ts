import { Type, type Static } from 'typebox';
import { Nullable } from './envelope.ts';

/**
 * `period` of a statement: the last 1 to 12 months up to now, Mono's only spelling
 * (`last{N}months`, research mono-data.md §1). Without one a statement covers 12 months.
 */
const PERIODS = [
  'last1months',
  'last2months',
  'last3months',
  'last4months',
  'last5months',
  'last6months',
  'last7months',
  'last8months',
  'last9months',
  'last10months',
  'last11months',
  'last12months',
] as const;
const PERIOD_DESCRIPTION = 'The last N months up to now, N from 1 to 12';
export const StatementPeriod = Type.Enum(PERIODS, { description: PERIOD_DESCRIPTION });
export type StatementPeriod = Static<typeof StatementPeriod>;

/** `GET /accounts/{id}/statement`'s query. */
export const StatementQuery = Type.Object({
  period: Type.Optional(Type.Enum(PERIODS, { description: PERIOD_DESCRIPTION, default: 'last12months' })),
  output: Type.Optional(
    Type.Enum(['json', 'pdf'], { description: '`json`: the transactions now; `pdf`: a job that builds the statement as a PDF', default: 'json' }),
  ),
});

/** `GET /v2/accounts/{id}/statement`'s query: also Mono's `format=v2`, the JSON statement as an object with `statement` inside. */
export const StatementQueryV2 = Type.Object({
  ...StatementQuery.properties,
  format: Type.Optional(Type.Enum(['v2'], { description: 'With `output=json`: `data` is `{count, requested_length, available_length, statement}`' })),
});

/** A statement's job path parameters: the account and the job. */
export const StatementJobParams = Type.Object({
  id: Type.String({ pattern: '^[0-9a-f]{24}$', description: '24-hex account id' }),
  jobId: Type.String({ pattern: '^[0-9A-Za-z_]{1,64}$', description: 'The job id the statement call answered' }),
});

/** The statement's file: the URL's token is the whole credential (docs/security.md, "Statement files"). */
export const StatementFileParams = Type.Object({
  token: Type.String({ pattern: '^[0-9A-Za-z]{43}$', description: 'The random token in the URL a job answered with' }),
});

/** A statement transaction on v2: `id`, not v1's `_id`. Amounts and balances in kobo. */
export const StatementTransactionV2 = Type.Object({
  id: Type.String(),
  type: Type.Enum(['debit', 'credit']),
  amount: Type.Integer(),
  narration: Type.String(),
  date: Type.String(),
  balance: Type.Integer(),
  currency: Type.String(),
});

/**
 * What Relink adds about the period [Relink]: its bounds, the account's balance before its first
 * transaction and after its last, and the totals. Mono's statement has only `count`.
 */
export const StatementSummary = {
  period: StatementPeriod,
  start: Type.String({ format: 'date-time', description: 'The period starts here (this time N months ago)' }),
  end: Type.String({ format: 'date-time', description: 'and ends now' }),
  opening_balance: Nullable(Type.Integer({ description: 'The balance when the period starts, in kobo [Relink]' })),
  closing_balance: Nullable(Type.Integer({ description: 'The balance when it ends, in kobo [Relink]' })),
  total_credit: Type.Integer({ description: 'The sum of the period’s credits, in kobo [Relink]' }),
  total_debit: Type.Integer({ description: 'The sum of its debits, in kobo [Relink]' }),
};

/** v1 JSON statement's `meta` and v2's (without `format=v2`). */
export const StatementMeta = Type.Object({ count: Type.Integer({ description: 'How many transactions' }), ...StatementSummary });

/** `format=v2`'s `data`. `requested_length` and `available_length` in months (Relink's reading of Mono's fields). */
export const StatementV2 = Type.Object({
  count: Type.Integer(),
  requested_length: Type.Integer({ description: 'Months asked for' }),
  available_length: Type.Integer({ description: 'Months of the period the stored transactions cover, from the oldest one' }),
  ...StatementSummary,
  statement: Type.Array(StatementTransactionV2),
});

/**
 * A PDF statement's job. `BUILDING` until the file is made, then `BUILT` with `path`, the file's
 * URL (Mono's clients read `path`; an issue's "COMPLETE" means `BUILT`); `FAILED` if it cannot be.
 * Every answer carries a fresh `path`, usable once the job is `BUILT`, until `expires_at`.
 */
export const StatementJob = Type.Object(
  {
    id: Type.String(),
    status: Type.Enum(['BUILDING', 'BUILT', 'FAILED']),
    path: Nullable(Type.String({ description: 'The PDF’s URL: no key needed, the token in it is the credential; null once FAILED' })),
    expires_at: Type.String({ format: 'date-time', description: 'The job, its file and every URL to it are deleted then [Relink]' }),
  },
  {
    examples: [
      {
        id: 'stj_0Qz8d1Kx3h7Lq2Vb9Nc4Rt6Y',
        status: 'BUILT',
        path: 'https://relink.example.com/v2/statements/x7Yq3N0b8KpL2mZt5Rw9Cv1Hd4Gj6Fs0Ae2Ui8Ok3Pl',
        expires_at: '2026-12-07T13:26:36.853Z',
      },
    ],
  },
);
export type StatementJob = Static<typeof StatementJob>;
