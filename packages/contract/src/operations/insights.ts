import { Type } from 'typebox';
import { AccountId } from '../accounts.ts';
import { V1Failure, V2Envelope, V2Failure } from '../envelope.ts';
import { DataMeta, Flow } from '../insights.ts';
import { operation } from '../operation.ts';

/** v1's bare body, with the meta v2 carries beside `data` [Relink]. */
const FlowV1 = Type.Object({ ...Flow.properties, meta: DataMeta });

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
  response: V2Envelope(Flow, { meta: DataMeta }),
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
  response: V2Envelope(Flow, { meta: DataMeta }),
  failure: V2Failure,
});
