import { listIncomeRecords } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { incomeRecord } from '../model.ts';

/** The account's income record (one: Relink computes it on request and keeps no past ones), in Mono's paged list. */
export function register(app: HttpApp, { insights, config }: Services) {
  app.route({
    ...routeOf(listIncomeRecords),
    handler: async (request) => {
      const { period, page = 1 } = request.query;
      const { account, value, meta } = await insights.income(request.partner!.id, request.params.id, period);
      const records = [incomeRecord(account, value)];
      // Never from the Host header, which the caller controls: RELINK_PUBLIC_URL, or relative.
      const link = (p: number) =>
        `${config.publicUrl ?? ''}/v2/accounts/${account.id}/income-records?${new URLSearchParams({ ...(period ? { period: String(period) } : {}), page: String(p) })}`;
      return successV2('Request was successfully completed', records.slice(page - 1, page), {
        meta: {
          total: records.length,
          pages: records.length,
          previous: page > 1 ? link(page - 1) : null,
          next: page < records.length ? link(page + 1) : null,
          ...meta,
        },
      });
    },
  });
}
