import { getStatement, getStatementV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { jobView, statementMeta, transactionV1, transactionV2 } from './views.ts';

/**
 * An account's statement over `period`: with `output=json` its transactions now, with
 * `output=pdf` a job building the PDF. v1 bare (`{meta, data}` or `{id, status, path}`), v2 in the
 * envelope (`format=v2`: Mono's `{count, requested_length, available_length, statement}`).
 */
export function register(app: HttpApp, services: Services) {
  const { statements } = services;
  app.route({
    ...routeOf(getStatementV1),
    handler: async (request) => {
      const { period = 'last12months', output = 'json' } = request.query;
      if (output === 'pdf') return jobView(await statements.startPdf(request.partner!.id, request.params.id, period), services.publicUrl);
      const statement = await statements.json(request.partner!.id, request.params.id, period);
      return { meta: statementMeta(statement), data: statement.transactions.map(transactionV1) };
    },
  });

  app.route({
    ...routeOf(getStatement),
    handler: async (request) => {
      const { period = 'last12months', output = 'json', format } = request.query;
      if (output === 'pdf') {
        const view = await statements.startPdf(request.partner!.id, request.params.id, period);
        return successV2('The statement is being built: poll its job until status is BUILT', jobView(view, services.publicUrl));
      }
      const statement = await statements.json(request.partner!.id, request.params.id, period);
      const meta = statementMeta(statement);
      const transactions = statement.transactions.map(transactionV2);
      if (format === 'v2') {
        const { count, ...summary } = meta;
        return successV2('Request was successfully completed', {
          count,
          requested_length: statement.range.months,
          available_length: statement.availableMonths,
          ...summary,
          statement: transactions,
        });
      }
      return successV2('Request was successfully completed', transactions, { meta });
    },
  });
}
