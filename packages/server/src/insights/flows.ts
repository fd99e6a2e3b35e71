import type { Flow } from '@relink/contract';
import { monthOf, monthsFrom } from './months.ts';

/** What a flow needs of a transaction. */
export interface Movement {
  type: 'debit' | 'credit';
  amount: number;
  /** Epoch milliseconds. */
  date: number;
}

/**
 * The credits (or debits) of `ledger`, in all and month by month. The months run from the
 * first to the last month of the whole ledger, both kinds together, so an account's credits and
 * debits have the same months, and a month without any of this kind says 0 rather than being
 * left out: a lender reading "no income in March" must see March.
 */
export function flowOf(ledger: readonly Movement[], type: Movement['type']): Flow {
  if (ledger.length === 0) return { total: 0, transactions_count: 0, history: [] };
  let [first, last] = [Infinity, -Infinity];
  for (const t of ledger) [first, last] = [Math.min(first, t.date), Math.max(last, t.date)];
  const history = new Map(monthsFrom(monthOf(first), monthOf(last)).map((period) => [period, { period, amount: 0, transactions_count: 0 }]));
  let total = 0;
  let count = 0;
  for (const t of ledger) {
    if (t.type !== type) continue;
    const month = history.get(monthOf(t.date))!;
    month.amount += t.amount;
    month.transactions_count += 1;
    total += t.amount;
    count += 1;
  }
  return { total, transactions_count: count, history: [...history.values()] };
}
