import type { AccountIncomeData, Income, IncomeRecord, InsightsMeta, IncomeStream as WireStream, IncomeV1 } from '@relink/contract';
import type { Account } from '../accounts/model.ts';
import type { IncomeEstimate, IncomeStream } from './income.ts';
import { dayOf } from './months.ts';

/** Kobo are whole: an average is rounded to the nearest kobo. */
const per = (amount: number, count: number) => (count === 0 ? 0 : Math.round(amount / count));

function streamOf(s: IncomeStream, currency: string): WireStream {
  const last = s.credits.at(-1)!;
  return {
    income_type: s.incomeType,
    frequency: s.regular ? 'MONTHLY' : 'IRREGULAR',
    monthly_average: per(s.total, s.months),
    average_income_amount: per(s.total, s.credits.length),
    currency,
    stability: s.stability,
    last_income_amount: last.amount,
    last_income_description: last.narration,
    last_income_date: dayOf(last.date),
    first_income_date: dayOf(s.credits[0]!.date),
    periods_with_income: s.monthsWithIncome,
    number_of_incomes: s.credits.length,
    number_of_months: s.months,
    source: s.source,
    regular: s.regular,
  };
}

/** Mono's v2 income analysis of the account. */
export function incomeV2(account: Account, e: IncomeEstimate): Income {
  const regular = Math.round(e.monthlyRegular);
  const irregular = Math.round(e.monthlyIrregular);
  const average = regular + irregular;
  return {
    account: account.id,
    income_summary: { total_income: e.total, employer: e.employer ?? '' },
    income_streams: e.streams.map((s) => streamOf(s, account.currency)),
    income_source_type: 'BANK',
    first_transaction_date: e.first === null ? null : dayOf(e.first),
    last_transaction_date: e.last === null ? null : dayOf(e.last),
    period: `${e.months} ${e.months === 1 ? 'month' : 'months'}`,
    number_of_income_streams: e.streams.length,
    total_income: e.total,
    annual_income: 12 * average,
    monthly_income: regular,
    aggregated_monthly_average: average,
    aggregated_monthly_average_regular: regular,
    aggregated_monthly_average_irregular: irregular,
    monthly_average: average,
    monthly_average_regular: regular,
    monthly_average_irregular: irregular,
    total_regular_income_amount: e.regular,
    total_irregular_income_amount: e.irregular,
    confidence: e.confidence,
  };
}

/** `mono.events.account_income`'s data: Mono's flat webhook, the v2 analysis after the account's name and number, and `meta` [Relink]. */
export function incomeEvent(account: Account, e: IncomeEstimate, meta: InsightsMeta): AccountIncomeData {
  const { account: id, ...analysis } = incomeV2(account, e);
  return { account: id, app: account.appId, account_name: account.name, account_number: account.accountNumber, ...analysis, meta };
}

/** Mono's v1 income, both of its generations' fields. */
export function incomeV1(e: IncomeEstimate): Omit<IncomeV1, 'meta'> {
  const regular = Math.round(e.monthlyRegular);
  const average = regular + Math.round(e.monthlyIrregular);
  return {
    type: e.total === 0 ? 'NONE' : e.regular >= e.irregular ? 'REGULAR' : 'IRREGULAR',
    amount: average,
    employer: e.employer ?? '',
    confidence: e.confidence,
    average_income: average,
    monthly_income: regular,
    yearly_income: 12 * average,
    income_sources: e.streams.length,
  };
}

/** The account's one income record: the analysis, and the credits it counted, newest first. */
export function incomeRecord(account: Account, e: IncomeEstimate): IncomeRecord {
  const asOf = new Date(account.lastSyncedAt ?? account.createdAt).toISOString();
  const counted = e.streams.flatMap((s) =>
    s.credits.map((c) => ({
      _id: c.id,
      date: new Date(c.date).toISOString(),
      amount: c.amount,
      narration: c.narration,
      currency: account.currency,
      source: s.source,
      income_type: s.incomeType,
      frequency: s.regular ? ('MONTHLY' as const) : ('IRREGULAR' as const),
    })),
  );
  counted.sort((a, b) => b.date.localeCompare(a.date) || a._id.localeCompare(b._id));
  return { income: incomeV2(account, e), income_transactions: counted, app: account.appId, created_at: asOf, updated_at: asOf };
}
