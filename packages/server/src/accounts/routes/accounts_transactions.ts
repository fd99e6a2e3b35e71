import { listTransactions, listTransactionsV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { dataMeta, type Transaction } from '../model.ts';
import { paging as pagingBlock } from '../../http/paging.ts';
import { accountFor } from './realtime.ts';

/** Transactions, newest first: v1 `{paging, data}` and v2 envelope with `meta`; fetched from the bank first with `x-realtime: true`. */
export function register(app: HttpApp, services: Services) {
  const { accounts, config } = services;
  for (const op of [listTransactionsV1, listTransactions]) {
    const v2 = op === listTransactions;
    app.route({
      ...routeOf(op),
      handler: async (request, reply) => {
        const { start, end, narration, type, paginate = true } = request.query;
        const filter = { start: parseDate('start', start), end: parseDate('end', end, true), narration, type };
        const page = request.query.page ?? 1;
        const limit = paginate ? (request.query.limit ?? 20) : 500;
        const account = await accountFor(services, request.partner!.id, request.params.id, request.headers, reply, 'jobs.accounts.sync_statement');
        const { rows, total } = await accounts.transactions(account, filter, { limit, offset: (page - 1) * limit });
        // Never from the Host header, which the caller controls: RELINK_PUBLIC_URL, or relative.
        const link = (p: number) => {
          const query = new URLSearchParams(request.query as Record<string, string>);
          query.set('page', String(p));
          return `${config.publicUrl ?? ''}${op.path.replace(':id', account.id)}?${query}`;
        };
        const paging = pagingBlock(total, page, limit, link);
        const data = rows.map(toV1Transaction);
        const meta = dataMeta(account);
        return v2 ? successV2('Request was successfully completed', data, { meta: { ...paging, ...meta } }) : { paging, data, meta };
      },
    });
  }
}

function toV1Transaction(t: Transaction) {
  return { _id: t.id, type: t.type, amount: t.amount, narration: t.narration, date: new Date(t.date).toISOString(), balance: t.balance, currency: t.currency };
}

/** Mono's v1 takes DD-MM-YYYY; ISO dates work too. `end` dates include the whole day. */
function parseDate(name: string, value: string | undefined, endOfDay = false): number | undefined {
  if (value === undefined || value === '') return undefined;
  const dmy = /^(\d{2})-(\d{2})-(\d{4})$/.exec(value);
  let ms = dmy ? Date.UTC(Number(dmy[3]), Number(dmy[2]) - 1, Number(dmy[1])) : Date.parse(value);
  // Date.UTC rolls 31-13-2025 over to 31-01-2026: a day or month out of range is malformed.
  if (dmy && (new Date(ms).getUTCDate() !== Number(dmy[1]) || new Date(ms).getUTCMonth() !== Number(dmy[2]) - 1)) ms = Number.NaN;
  if (Number.isNaN(ms)) throw new AppError('INVALID_INPUT', `Invalid request: query.${name} must be a date as DD-MM-YYYY or ISO 8601 (got "${value}")`);
  return endOfDay && (dmy || /^\d{4}-\d{2}-\d{2}$/.test(value)) ? ms + 86_400_000 - 1 : ms;
}
