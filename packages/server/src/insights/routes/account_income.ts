import { getIncome, getIncomeV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { incomeV1, incomeV2 } from '../model.ts';

/**
 * The income estimate. Mono's v2 only starts an analysis here, answers `data: null` and sends
 * the result as `mono.events.account_income`; Relink has the stored data at hand, so it answers
 * the analysis itself and sends the same webhook. v1 answered at once in Mono too: no webhook.
 */
export function register(app: HttpApp, { insights }: Services) {
  app.route({
    ...routeOf(getIncomeV1),
    handler: async (request) => {
      const { value, meta } = await insights.income(request.partner!.id, request.params.id);
      return { ...incomeV1(value), meta };
    },
  });

  app.route({
    ...routeOf(getIncome),
    handler: async (request) => {
      const { account, value, meta } = await insights.analyseIncome(request.partner!.id, request.params.id, request.query.period);
      return successV2("Income estimated from the account's stored transactions", incomeV2(account, value), { meta });
    },
  });
}
