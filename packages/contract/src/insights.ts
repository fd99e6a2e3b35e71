import { Type, type Static } from 'typebox';
import { Nullable } from './envelope.ts';

/**
 * What the figures below were computed from: the account's stored data as of its last sync.
 * An account waiting for re-authorisation still answers, from that data, with
 * `reauth_required: true` **[Relink]**.
 */
export const InsightsMeta = Type.Object({
  data_status: Type.Enum(['AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED', 'PROCESSING']),
  reauth_required: Type.Boolean({ description: 'The account waits for re-authorisation: these figures come from data no newer than last_synced_at [Relink]' }),
  last_synced_at: Nullable(Type.String({ description: 'When the data these figures come from was last synced, ISO 8601 [Relink]' })),
});
export type InsightsMeta = Static<typeof InsightsMeta>;

const Kobo = (description: string) => Type.Integer({ description: `${description}, in kobo` });

/** One calendar month (West Africa Time) of a flow. */
export const FlowMonth = Type.Object({
  period: Type.String({
    pattern: '^\\d{4}-\\d{2}$',
    description: 'The month, YYYY-MM in West Africa Time (UTC+1) [Relink: Mono does not document the format]',
  }),
  amount: Kobo('The sum of the month'),
  transactions_count: Type.Integer({ minimum: 0 }),
});

/**
 * `GET /accounts/{id}/credits` and `/debits`: Mono's `{total, history}` (v1 clients) with the
 * per-month `transactions_count` its later clients read. `history` runs month by month, oldest
 * first, from the first to the last month holding any stored transaction, months without one
 * included with 0.
 */
export const Flow = Type.Object({
  total: Kobo('Every stored credit (or debit) of the account'),
  transactions_count: Type.Integer({ minimum: 0 }),
  history: Type.Array(FlowMonth),
});
export type Flow = Static<typeof Flow>;

const Ratio = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
const Day = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: `${description}, YYYY-MM-DD in West Africa Time` });

/** One payer's credits counted as income (Mono's `income_streams[]`). */
export const IncomeStream = Type.Object({
  income_type: Type.Enum(['WAGES', 'OTHER'], { description: '`WAGES` when a narration says salary, wages or payroll [Relink: Mono documents only WAGES]' }),
  frequency: Type.Enum(['MONTHLY', 'IRREGULAR'], { description: '`MONTHLY`: paid about once a month, a regular stream' }),
  monthly_average: Kobo("The stream's total over its months, first credit to last"),
  average_income_amount: Kobo('The average credit'),
  currency: Type.String(),
  stability: Ratio("1 − the coefficient of variation of the stream's monthly totals; 0 under two months"),
  last_income_amount: Kobo('The latest credit'),
  last_income_description: Type.String({ description: "The latest credit's narration" }),
  last_income_date: Day('The latest credit'),
  first_income_date: Day('The first credit'),
  periods_with_income: Type.Integer({ minimum: 0, description: 'Months with a credit from this payer' }),
  number_of_incomes: Type.Integer({ minimum: 0, description: 'Credits from this payer' }),
  number_of_months: Type.Integer({ minimum: 0, description: 'Months from its first credit to its last, both included' }),
  source: Type.String({ description: 'The payer, read from the narrations [Relink]' }),
  regular: Type.Boolean({ description: 'Regular income (frequency MONTHLY) [Relink]' }),
});
export type IncomeStream = Static<typeof IncomeStream>;

/**
 * Mono's income analysis (`GET /v2/accounts/{id}/income`, `income-records`' `income`), with the
 * field names of both its generations: `aggregated_monthly_average*` (since March 2025) and
 * the older `monthly_average*`, which hold the same figures.
 */
export const Income = Type.Object({
  account: Type.String(),
  income_summary: Type.Object({
    total_income: Kobo('All income in the period'),
    employer: Type.String({ description: 'The payer of the main regular stream; empty when there is none' }),
  }),
  income_streams: Type.Array(IncomeStream, { description: 'Regular streams first, then by total' }),
  income_source_type: Type.Literal('BANK'),
  first_transaction_date: Nullable(Day('The first stored transaction in the period')),
  last_transaction_date: Nullable(Day('The last stored transaction: the period ends there, not today')),
  period: Type.String({ description: "The calendar months the period spans, from the first transaction's to the last's, e.g. `12 months`" }),
  number_of_income_streams: Type.Integer({ minimum: 0 }),
  total_income: Kobo('All income in the period'),
  annual_income: Kobo('12 × aggregated_monthly_average'),
  monthly_income: Kobo('The regular income of a month: aggregated_monthly_average_regular'),
  aggregated_monthly_average: Kobo("A month's income: the regular plus the irregular monthly figures"),
  aggregated_monthly_average_regular: Kobo("The regular streams' monthly averages, summed (each over its own months, first credit to last)"),
  aggregated_monthly_average_irregular: Kobo('Irregular income over the months of the period'),
  monthly_average: Kobo('Deprecated by Mono in 2025: aggregated_monthly_average'),
  monthly_average_regular: Kobo('Deprecated by Mono in 2025: aggregated_monthly_average_regular'),
  monthly_average_irregular: Kobo('Deprecated by Mono in 2025: aggregated_monthly_average_irregular'),
  total_regular_income_amount: Kobo('Regular income in the period'),
  total_irregular_income_amount: Kobo('Irregular income in the period'),
  confidence: Ratio('How far the monthly figures can be trusted: months of data (up to 6), months with income, and the share that is regular [Relink]'),
});
export type Income = Static<typeof Income>;

/** A credit counted as income, with its stream **[Relink]**. */
export const IncomeTransaction = Type.Object({
  _id: Type.String(),
  date: Type.String({ description: 'ISO 8601' }),
  amount: Kobo('The credit'),
  narration: Type.String(),
  currency: Type.String(),
  source: Type.String({ description: "The payer: its stream's `source`" }),
  income_type: IncomeStream.properties.income_type,
  frequency: IncomeStream.properties.frequency,
});

/** One of Mono's income records: the analysis, and the credits it counted **[Relink]**. */
export const IncomeRecord = Type.Object({
  income: Income,
  income_transactions: Type.Array(IncomeTransaction, { description: 'The credits counted as income, newest first [Relink]' }),
  app: Type.String(),
  created_at: Type.String({ description: 'When the data it is computed from was last synced, ISO 8601' }),
  updated_at: Type.String({ description: 'The same: Relink computes the record on request from the stored data' }),
});
export type IncomeRecord = Static<typeof IncomeRecord>;

/**
 * `GET /accounts/{id}/income` (v1): the fields of both of Mono's v1 generations,
 * `{type, amount, employer, confidence}` and `{average_income, monthly_income, yearly_income,
 * income_sources}`, with `meta` **[Relink]**.
 */
export const IncomeV1 = Type.Object({
  type: Type.Enum(['REGULAR', 'IRREGULAR', 'NONE'], { description: 'Whether most of the income is regular [Relink: Mono does not document the values]' }),
  amount: Kobo("A month's income, regular and irregular"),
  employer: Type.String({ description: 'The payer of the main regular stream; empty when there is none' }),
  confidence: Ratio('How far the monthly figures can be trusted'),
  average_income: Kobo("A month's income, regular and irregular (the same as amount)"),
  monthly_income: Kobo('The regular income of a month'),
  yearly_income: Kobo('12 × average_income'),
  income_sources: Type.Integer({ minimum: 0, description: 'Income streams (payers)' }),
  meta: InsightsMeta,
});
export type IncomeV1 = Static<typeof IncomeV1>;

/** `period`: how many calendar months, up to the month of the last stored transaction; all of them without it. */
export const IncomeQuery = Type.Object({
  period: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 120,
      description: 'The last N calendar months, up to the month of the last stored transaction; without it, every stored transaction',
    }),
  ),
});

export const IncomeRecordsQuery = Type.Object({
  ...IncomeQuery.properties,
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
});

/** Mono's income-records paging, with the data's freshness. */
export const IncomeRecordsMeta = Type.Object({
  total: Type.Integer(),
  pages: Type.Integer(),
  previous: Nullable(Type.String({ description: 'Link to the previous page' })),
  next: Nullable(Type.String({ description: 'Link to the next page' })),
  ...InsightsMeta.properties,
});
