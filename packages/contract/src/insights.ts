import { Type, type Static } from 'typebox';
import { Nullable } from './envelope.ts';

/**
 * What the figures below were computed from: the account's stored data as of its last sync.
 * An account waiting for re-authorisation still answers, from that data, with
 * `reauth_required: true` **[Relink]**.
 */
export const DataMeta = Type.Object({
  data_status: Type.Enum(['AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED', 'PROCESSING']),
  reauth_required: Type.Boolean({ description: 'The account waits for re-authorisation: these figures come from data no newer than last_synced_at [Relink]' }),
  last_synced_at: Nullable(Type.String({ description: 'When the data these figures come from was last synced, ISO 8601 [Relink]' })),
});
export type DataMeta = Static<typeof DataMeta>;

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
