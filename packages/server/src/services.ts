import type { Logger } from 'pino';
import { Codes } from './accounts/codes.ts';
import { AccountService } from './accounts/service.ts';
import { CustomerService } from './customers/service.ts';
import { RealtimeService } from './sync/realtime.ts';
import { SyncWorker } from './sync/worker.ts';
import { ConnectDemo } from './widget/demo.ts';
import { ConnectService } from './widget/service.ts';
import { Connectors } from './connectors/registry.ts';
import { type LoadedConnector, loadConnectors } from './connectors/loader.ts';
import { DatabaseSandboxState, SandboxBank, sandboxModule } from './connectors/sandbox/index.ts';
import type { BankConnector } from './connectors/types.ts';
import type { Config } from './config/config.ts';
import { type Core, createCore } from './core.ts';
import { Events } from './events/events.ts';
import { Idempotency } from './idempotency/service.ts';
import { BankUserLimits } from './limits/bank_users.ts';
import { RequestLimits } from './limits/requests.ts';
import { WidgetLimits } from './limits/widget.ts';
import { InstitutionRegistry } from './institutions/registry.ts';
import { InsightsService } from './insights/service.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { createLogger } from './lib/logger.ts';
import { Metrics } from './metrics/metrics.ts';
import { OperationsService } from './operations/service.ts';
import { OperatorService } from './operators/service.ts';
import { ReauthService } from './reauth/service.ts';
import { SandboxService } from './sandbox/service.ts';
import { SessionService } from './sessions/service.ts';
import { StatementService } from './statements/service.ts';
import { WebhookService } from './webhooks/service.ts';

/** An app as the edge knows it (`request.partner`). */
export type { App } from './apps/service.ts';

/** Everything a request handler or a CLI command may use, built once per process. */
export interface Services extends Core {
  logger: Logger;
  institutions: InstitutionRegistry;
  events: Events;
  connectors: Connectors;
  /** The banks loaded at start (RELINK_CONNECTORS, RELINK_CONNECTOR_URLS), for the banner and the logs. */
  banks: LoadedConnector[];
  codes: Codes;
  accounts: AccountService;
  /** What an account's stored transactions say: credits, debits and income. */
  insights: InsightsService;
  /** Mono's customers: whom accounts are linked for. */
  customers: CustomerService;
  sessions: SessionService;
  /** Re-authorisation: v1 reauth tokens and every start of a reauth session. */
  reauth: ReauthService;
  /** Relink Connect: the widget's sessions, hosted links and allowed origins. */
  connect: ConnectService;
  /** The /connect/demo page's one-time values, which bind its exchange to the person who linked there. */
  demo: ConnectDemo;
  sync: SyncWorker;
  /** Real-time data: a data route's live bank call, one per account per interval (`x-realtime: true`). */
  realtime: RealtimeService;
  /** Account statements: JSON now, PDF as durable jobs its worker builds in the background. */
  statements: StatementService;
  sandbox: SandboxService;
  idempotency: Idempotency;
  webhooks: WebhookService;
  /** What an operator reads and does across apps: accounts and their timelines, reauth health, deliveries, endpoints (docs/operations.md). */
  operations: OperationsService;
  /** Per-instance request rate limits (the per-bank-user caps live in `sessions`). */
  limits: RequestLimits;
  /** Per-instance limits on the widget's routes and the demo page, per address and per public key. */
  widgetLimits: WidgetLimits;
  /** What `GET /metrics` reports: every service reports through it (docs/metrics.md). */
  metrics: Metrics;
  /** The console's operators: set-up links, sign-in, sessions and the audit log (docs/console.md). */
  operators: OperatorService;
  /**
   * The base of every absolute URL Relink hands out: RELINK_PUBLIC_URL, or else the address
   * this server listens on, set once it listens (server.ts). Never the Host header, which the
   * caller writes. Undefined only before the server listens.
   */
  publicUrl: string | undefined;
  close(): Promise<void>;
}

export interface ServiceOptions {
  clock?: Clock;
  logger?: Logger;
  /**
   * Replaces the loaded connectors of the same names (tests and benchmarks): a function receives
   * the sandbox bank whose state lives in this database, to wrap it (tests count its calls).
   * The institutions still come from the modules the configuration names.
   */
  connectors?: BankConnector[] | ((sandbox: SandboxBank) => BankConnector[]);
}

export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const { database, vault, apps } = createCore(config, clock);
  const sandbox = new SandboxBank({ state: new DatabaseSandboxState(database.db, clock) });
  let banks: LoadedConnector[];
  try {
    banks = await loadConnectors({ ...config.connectors, timeoutMs: config.connectorTimeoutMs }, { sandbox: sandboxModule(sandbox) }, logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  // The backlog is read at scrape time, from the webhooks service made below.
  const metrics: Metrics = new Metrics({ backlog: () => webhooks.backlog(), logger });
  const institutions = new InstitutionRegistry(banks.flatMap((bank) => bank.institutions.map((i) => ({ ...i, connector: bank.name }))));
  const events = new Events(database.db, clock);
  const replacements = typeof options.connectors === 'function' ? options.connectors(sandbox) : (options.connectors ?? []);
  const replaced = new Set(replacements.map((c) => c.name));
  const connectors = new Connectors(
    [...banks.map((bank) => bank.connector).filter((c) => !replaced.has(c.name)), ...replacements],
    config.connectorTimeoutMs,
    clock,
    logger,
  );
  const db = database.db;
  const codes = new Codes(db, clock, config.codeTtlMs);
  // Deleting a customer counts its accounts, and a link holds its customer: each asks the other.
  const customers: CustomerService = new CustomerService({ db, vault, clock, linkedAccounts: (id, trx) => accounts.linkedCount(id, trx) });
  const accounts = new AccountService({ db, vault, events, codes, institutions, clock, customers, metrics });
  const sync = new SyncWorker({
    db,
    capabilities: database.capabilities,
    vault,
    connectors,
    accounts,
    events,
    clock,
    logger,
    metrics,
    intervalMs: config.syncIntervalMs,
    reauthDueLeadMs: config.reauthDueLeadMs,
    claimMs: config.syncClaimMs,
    beforeWrite: () => database.setup.beforeBackgroundWrite?.(),
  });
  const realtime = new RealtimeService({ db, sync, accounts, events, clock, logger, ...config.realtime });
  const bankUsers = new BankUserLimits({ db, vault, institutions, masterKey: config.masterKey.key, limits: config.limits, clock, metrics });
  const sessions = new SessionService({
    db,
    vault,
    connectors,
    institutions,
    accounts,
    customers,
    events,
    clock,
    config,
    logger,
    bankUsers,
    metrics,
    onCompleted: () => void sync.wake(),
  });
  // Reauth tokens live as long as codes (10 minutes by default, Mono's documented lifetime).
  const reauth = new ReauthService({ db, accounts, sessions, clock, tokenTtlMs: config.codeTtlMs, connectorTimeoutMs: config.connectorTimeoutMs });
  const insights = new InsightsService({ accounts, events });
  const webhooks = new WebhookService({
    config,
    database,
    vault,
    events,
    accounts,
    clock,
    logger,
    metrics,
    incomeEventData: (account) => insights.incomeEventData(account),
  });
  const statements = new StatementService({
    db,
    capabilities: database.capabilities,
    accounts,
    clock,
    logger,
    ttlMs: config.statements.ttlMs,
    claimMs: config.statements.claimMs,
  });
  return {
    config,
    clock,
    logger,
    database,
    vault,
    apps,
    institutions,
    events,
    connectors,
    banks,
    codes,
    accounts,
    insights,
    customers,
    sessions,
    reauth,
    // A hosted link's start may hold the link longer than a background bank login takes.
    connect: new ConnectService({
      db,
      apps,
      sessions,
      reauth,
      accounts,
      customers,
      clock,
      masterKey: config.masterKey,
      startHoldMs: config.connectorTimeoutMs + 10_000,
    }),
    demo: new ConnectDemo({ db, codes, clock }),
    sync,
    realtime,
    statements,
    sandbox: new SandboxService({ connectors, institutions, accounts, sync, bank: sandbox }),
    idempotency: new Idempotency(database.db, vault, clock),
    webhooks,
    operations: new OperationsService({ db, institutions, webhooks, clock }),
    limits: new RequestLimits({ limits: config.limits, metrics }),
    widgetLimits: new WidgetLimits({ limits: config.limits, clock, metrics }),
    metrics,
    operators: new OperatorService({ db, clock }),
    publicUrl: config.publicUrl,
    async close() {
      await realtime.close();
      await sync.stop();
      await statements.worker.stop();
      await webhooks.close();
      await database.close();
    },
  };
}
