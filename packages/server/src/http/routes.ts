import type { HttpApp, Services } from './types.ts';
import * as health from '../health/routes/health.ts';
import * as openapi from '../health/routes/openapi.ts';
import * as metrics from '../metrics/routes/metrics.ts';
import * as v1Institutions from '../institutions/routes/v1_institutions_list.ts';
import * as v3Institutions from '../institutions/routes/v3_institutions_list.ts';
import * as v1ConnectSession from '../sessions/routes/v1_connect_session.ts';
import * as v1ConnectStep from '../sessions/routes/v1_connect_step.ts';
import * as v2ConnectSession from '../sessions/routes/v2_connect_session.ts';
import * as v2ConnectStep from '../sessions/routes/v2_connect_step.ts';
import * as v2ConnectSandbox from '../sandbox/routes/v2_connect_sandbox.ts';
import * as accountAuth from '../accounts/routes/account_auth.ts';
import * as accountsList from '../accounts/routes/accounts_list.ts';
import * as accountGet from '../accounts/routes/account_get.ts';
import * as accountBalance from '../accounts/routes/account_balance.ts';
import * as accountIdentity from '../accounts/routes/account_identity.ts';
import * as accountsTransactions from '../accounts/routes/accounts_transactions.ts';
import * as accountUnlink from '../accounts/routes/account_unlink.ts';
import * as accountSync from '../accounts/routes/account_sync.ts';
import * as accountCredits from '../insights/routes/account_credits.ts';
import * as accountDebits from '../insights/routes/account_debits.ts';
import * as accountIncome from '../insights/routes/account_income.ts';
import * as accountIncomeRecords from '../insights/routes/account_income_records.ts';
import * as v2CustomersCreate from '../customers/routes/v2_customers_create.ts';
import * as v2CustomersList from '../customers/routes/v2_customers_list.ts';
import * as v2CustomersGet from '../customers/routes/v2_customers_get.ts';
import * as v2CustomersUpdate from '../customers/routes/v2_customers_update.ts';
import * as v2CustomersDelete from '../customers/routes/v2_customers_delete.ts';
import * as v2CustomersAccounts from '../customers/routes/v2_customers_accounts.ts';
import * as v2AccountJob from '../sync/routes/v2_account_job.ts';
import * as accountStatement from '../statements/routes/account_statement.ts';
import * as accountStatementJob from '../statements/routes/account_statement_job.ts';
import * as statementFile from '../statements/routes/statement_file.ts';
import * as accountsReauthorise from '../reauth/routes/accounts_reauthorise.ts';
import * as v2ConnectReauthSession from '../reauth/routes/v2_connect_reauth_session.ts';
import * as v2ConnectReauthLogin from '../reauth/routes/v2_connect_reauth_login.ts';
import * as v2ConnectCancel from '../sessions/routes/v2_connect_cancel.ts';
import * as v2SandboxResetLogin from '../sandbox/routes/v2_sandbox_reset_login.ts';
import * as v2SandboxReset from '../sandbox/routes/v2_sandbox_reset.ts';

import * as v2WebhooksEvents from '../webhooks/routes/v2_webhooks_events_list.ts';
import * as v2WebhooksEventReplay from '../webhooks/routes/v2_webhooks_events_replay.ts';
import * as v2WebhooksDeliveries from '../webhooks/routes/v2_webhooks_deliveries_list.ts';
import * as v2WebhooksDelivery from '../webhooks/routes/v2_webhooks_deliveries_get.ts';
import * as v2WebhooksReplay from '../webhooks/routes/v2_webhooks_deliveries_replay.ts';
import * as v2WebhooksEndpointGet from '../webhooks/routes/v2_webhooks_endpoint_get.ts';
import * as v2WebhooksEndpointSet from '../webhooks/routes/v2_webhooks_endpoint_set.ts';
import * as v2WebhooksSecretRotate from '../webhooks/routes/v2_webhooks_secret_rotate.ts';
import * as v2SandboxWebhooksFire from '../sandbox/routes/v2_sandbox_webhooks_fire.ts';
import * as v2ConnectOriginsGet from '../widget/routes/v2_connect_origins_get.ts';
import * as v2ConnectOriginsSet from '../widget/routes/v2_connect_origins_set.ts';
import * as v2AccountsInitiate from '../widget/routes/v2_accounts_initiate.ts';
import * as widgetSession from '../widget/routes/widget_session.ts';
import * as widgetReauth from '../widget/routes/widget_reauth.ts';
import * as widgetStep from '../widget/routes/widget_step.ts';
import * as widgetCancel from '../widget/routes/widget_cancel.ts';
import * as connectPage from '../widget/routes/connect_page.ts';
import * as connectAssets from '../widget/routes/connect_assets.ts';
import * as connectLinkPage from '../widget/routes/connect_link_page.ts';
import * as connectDemo from '../widget/routes/connect_demo.ts';

/** Every route Relink serves outside the partner API: health, the API description and the operator's metrics. */
export function registerOperationalRoutes(app: HttpApp, services: Services) {
  health.register(app, services);
  openapi.register(app, services);
  metrics.register(app, services);
}

/** Every partner API route. Each module is one operation (or one operation and its alias). */
export function registerApiRoutes(app: HttpApp, services: Services) {
  for (const route of [
    v1Institutions,
    v3Institutions,
    v1ConnectSession,
    v1ConnectStep,
    v2ConnectSession,
    v2ConnectStep,
    v2ConnectSandbox,
    accountAuth,
    accountsList,
    accountGet,
    accountBalance,
    accountIdentity,
    accountsTransactions,
    accountUnlink,
    accountSync,
    accountCredits,
    accountDebits,
    accountIncome,
    accountIncomeRecords,
    v2CustomersCreate,
    v2CustomersList,
    v2CustomersGet,
    v2CustomersUpdate,
    v2CustomersDelete,
    v2CustomersAccounts,
    v2AccountJob,
    accountStatement,
    accountStatementJob,
    statementFile,
    accountsReauthorise,
    v2ConnectReauthSession,
    v2ConnectReauthLogin,
    v2ConnectCancel,
    v2SandboxResetLogin,
    v2SandboxReset,
    v2WebhooksEvents,
    v2WebhooksEventReplay,
    v2WebhooksDeliveries,
    v2WebhooksDelivery,
    v2WebhooksReplay,
    v2WebhooksEndpointGet,
    v2WebhooksEndpointSet,
    v2WebhooksSecretRotate,
    v2SandboxWebhooksFire,
    v2ConnectOriginsGet,
    v2ConnectOriginsSet,
    v2AccountsInitiate,
  ]) {
    route.register(app, services);
  }
}

/** Relink Connect's routes: the widget's API (by the app's public key) and its pages, in their own scope. */
export function registerConnectRoutes(scope: HttpApp, services: Services) {
  for (const route of [widgetSession, widgetReauth, widgetStep, widgetCancel, connectPage, connectAssets, connectLinkPage, connectDemo])
    route.register(scope, services, services.connect);
}

/** The routes each per-app limit counts, by route path (v1, v2, and re-authorisation steps). */
export function perAppLimitOf(routeUrl: string | undefined): 'session' | 'step' | undefined {
  if (!routeUrl) return undefined;
  if (/^\/v\d\/connect\/(reauth\/)?session$/.test(routeUrl)) return 'session';
  if (/^\/v\d\/connect\/(reauth\/)?(login|commit)$/.test(routeUrl)) return 'step';
  return undefined;
}

/**
 * Which of these limits a route counts, by its path: every route under `/v2/connect/widget/`
 * (so a widget route added later is limited without a line more) per address and per public
 * key; the demo page and its exchange, which write a row per call without any key, per address.
 */
export function widgetLimitOf(routeUrl: string | undefined): 'widget' | 'page' | undefined {
  if (!routeUrl) return undefined;
  if (routeUrl.startsWith('/v2/connect/widget/')) return 'widget';
  if (routeUrl === '/connect/demo' || routeUrl === '/connect/demo/exchange') return 'page';
  return undefined;
}
