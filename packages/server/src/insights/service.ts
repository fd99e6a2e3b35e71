import type { InsightsMeta, Flow } from '@relink/contract';
import type { AccountService } from '../accounts/service.ts';
import type { Account } from '../accounts/model.ts';
import { flowOf } from './flows.ts';
import { estimateIncome, type IncomeEstimate } from './income.ts';

export interface InsightsDeps {
  accounts: AccountService;
}

/** An insight and how fresh the data it was computed from is. */
export interface Insight<T> {
  account: Account;
  meta: InsightsMeta;
  value: T;
}

/**
 * What an account's stored transactions say about it: money in and out month by month, and the income it shows. Each
 * answer is computed on request from the data the last sync stored; nothing is kept, so an
 * answer is never older than the data, and `meta` says how old that is.
 */
export class InsightsService {
  private readonly accounts: AccountService;

  constructor(deps: InsightsDeps) {
    ({ accounts: this.accounts } = deps);
  }

  /** The app's account's credits or debits: total and monthly history. */
  async flow(appId: string, id: string, type: 'credit' | 'debit'): Promise<Insight<Flow>> {
    const account = await this.accounts.get(appId, id);
    return { account, meta: dataMeta(account), value: flowOf(await this.accounts.ledger(account), type) };
  }

  /** The app's account's income, estimated from its stored credits over the last `periodMonths` months of data, or all of it. */
  async income(appId: string, id: string, periodMonths?: number): Promise<Insight<IncomeEstimate>> {
    const account = await this.accounts.get(appId, id);
    return { account, meta: dataMeta(account), value: estimateIncome(await this.accounts.ledger(account), account.name, periodMonths) };
  }
}

function dataMeta(account: Account): InsightsMeta {
  return {
    data_status: account.dataStatus,
    reauth_required: account.reauthRequired,
    last_synced_at: account.lastSyncedAt === null ? null : new Date(account.lastSyncedAt).toISOString(),
  };
}
