import type { StatementJob } from '@relink/contract';
import { downloadStatement } from '@relink/contract/operations';
import { pathOf } from '@relink/contract/operation';
import type { Transaction } from '../../accounts/model.ts';
import type { JobView, JsonStatement } from '../service.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A job as the statement and job routes answer it. `path` is built from RELINK_PUBLIC_URL, or
 * the address the server listens on (`Services.publicUrl`), never from the request's Host
 * header, which the caller writes.
 */
export function jobView({ job, token }: JobView, publicUrl: string | undefined): StatementJob {
  return {
    id: job.id,
    status: job.status,
    path: token === null ? null : `${publicUrl ?? ''}${pathOf(downloadStatement, { token })}`,
    expires_at: iso(job.expires_at),
  };
}

/** The figures every JSON statement carries: Mono's `count`, and Relink's period, balances and totals. */
export function statementMeta({ range, figures }: JsonStatement) {
  return {
    count: figures.count,
    period: range.period,
    start: iso(range.start),
    end: iso(range.end),
    opening_balance: figures.openingBalance,
    closing_balance: figures.closingBalance,
    total_credit: figures.totalCredit,
    total_debit: figures.totalDebit,
  };
}

export const transactionV1 = (t: Transaction) => ({
  _id: t.id,
  type: t.type,
  amount: t.amount,
  narration: t.narration,
  date: iso(t.date),
  balance: t.balance,
  currency: t.currency,
});

export const transactionV2 = (t: Transaction) => ({
  id: t.id,
  type: t.type,
  amount: t.amount,
  narration: t.narration,
  date: iso(t.date),
  balance: t.balance,
  currency: t.currency,
});
