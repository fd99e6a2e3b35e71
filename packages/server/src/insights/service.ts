import type { AccountIncomeData, Flow, InsightsMeta } from '@relink/contract';
import type { AccountService } from '../accounts/service.ts';
import type { Account } from '../accounts/model.ts';
import type { Events } from '../events/events.ts';
import { flowOf } from './flows.ts';
import { estimateIncome, type IncomeEstimate } from './income.ts';
import { incomeEvent } from './model.ts';

export interface InsightsDeps {
  accounts: AccountService;
  events: Events;
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
  private readonly events: Events;

  constructor(deps: InsightsDeps) {
    ({ accounts: this.accounts, events: this.events } = deps);
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

  /**
   * Mono's income analysis, asked for (`GET /v2/accounts/{id}/income`): the estimate, also sent
   * as `mono.events.account_income`, the webhook Mono's clients wait for after asking. One event
   * per request, as Mono analyses on every request, except that an identical analysis whose
   * delivery has failed and waits for a retry is not queued again (`recordUnlessAwaitingRetry`).
   */
  async analyseIncome(appId: string, id: string, periodMonths?: number): Promise<Insight<IncomeEstimate>> {
    const insight = await this.income(appId, id, periodMonths);
    const data = incomeEvent(insight.account, insight.value, insight.meta);
    await this.events.transaction((trx) => this.events.recordUnlessAwaitingRetry(trx, { appId, type: 'mono.events.account_income', accountId: id, data }));
    return insight;
  }

  /** `mono.events.account_income`'s data for the account over all its stored data (the sandbox's fire helper). */
  async incomeEventData(account: Account): Promise<AccountIncomeData> {
    const meta = dataMeta(account);
    return incomeEvent(account, estimateIncome(await this.accounts.ledger(account), account.name), meta);
  }
}

function dataMeta(account: Account): InsightsMeta {
  return {
    data_status: account.dataStatus,
    reauth_required: account.reauthRequired,
    last_synced_at: account.lastSyncedAt === null ? null : new Date(account.lastSyncedAt).toISOString(),
  };
}
