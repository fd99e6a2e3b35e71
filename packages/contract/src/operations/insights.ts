import { Type } from 'typebox';
import { AccountId } from '../accounts.ts';
import { V1Failure, V2Envelope, V2Failure } from '../envelope.ts';
import { InsightsMeta, Flow, Income, IncomeQuery, IncomeRecord, IncomeRecordsMeta, IncomeRecordsQuery, IncomeV1 } from '../insights.ts';
import { operation } from '../operation.ts';

/** v1's bare body, with the meta v2 carries beside `data` [Relink]. */
const FlowV1 = Type.Object({ ...Flow.properties, meta: InsightsMeta });

const FLOW_DESCRIPTION =
  'Computed from the stored transactions: the total, and month by month (West Africa Time), oldest first, from the first to the last month with any stored transaction. `meta` says how fresh the data is.';

export const getCreditsV1 = operation({
  method: 'GET',
  path: '/accounts/:id/credits',
  summary: 'Money in: total and monthly history (v1)',
  description: FLOW_DESCRIPTION,
  tags: ['Insights'],
  params: AccountId,
  response: FlowV1,
  failure: V1Failure,
});

export const getCredits = operation({
  method: 'GET',
  path: '/v2/accounts/:id/credits',
  summary: 'Money in: total and monthly history (v2)',
  description: FLOW_DESCRIPTION,
  tags: ['Insights'],
  params: AccountId,
  response: V2Envelope(Flow, { meta: InsightsMeta }),
  failure: V2Failure,
});

export const getDebitsV1 = operation({
  method: 'GET',
  path: '/accounts/:id/debits',
  summary: 'Money out: total and monthly history (v1)',
  description: FLOW_DESCRIPTION,
  tags: ['Insights'],
  params: AccountId,
  response: FlowV1,
  failure: V1Failure,
});

export const getDebits = operation({
  method: 'GET',
  path: '/v2/accounts/:id/debits',
  summary: 'Money out: total and monthly history (v2)',
  description: FLOW_DESCRIPTION,
  tags: ['Insights'],
  params: AccountId,
  response: V2Envelope(Flow, { meta: InsightsMeta }),
  failure: V2Failure,
});

export const getIncomeV1 = operation({
  method: 'GET',
  path: '/accounts/:id/income',
  summary: 'Estimated income (v1)',
  description: 'Estimated from the stored credits: regular (about monthly from one payer) and irregular income, the monthly average, and a confidence.',
  tags: ['Insights'],
  params: AccountId,
  response: IncomeV1,
  failure: V1Failure,
});

export const getIncome = operation({
  method: 'GET',
  path: '/v2/accounts/:id/income',
  summary: 'Estimated income (v2)',
  description:
    'Mono starts an analysis here and sends the result later; Relink computes it at once from the stored credits and answers it in `data`, so a client that expects `data: null` and reads `income-records` works too. `period`: the last N calendar months of stored data.',
  tags: ['Insights'],
  params: AccountId,
  query: IncomeQuery,
  response: V2Envelope(Income, { meta: InsightsMeta }),
  failure: V2Failure,
});

export const listIncomeRecords = operation({
  method: 'GET',
  path: '/v2/accounts/:id/income-records',
  summary: 'Income records: the analysis and the credits it counted as income (v2)',
  description:
    'One record, computed on request from the stored data (Relink keeps no past analyses); `income_transactions` lists the credits counted as income with their stream.',
  tags: ['Insights'],
  params: AccountId,
  query: IncomeRecordsQuery,
  response: V2Envelope(Type.Array(IncomeRecord), { meta: IncomeRecordsMeta }),
  failure: V2Failure,
});
