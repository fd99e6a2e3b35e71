import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.ts';
import type { BankConnector, ConnectorContext } from './types.ts';

/** A bank did not answer in time; treated like the bank being unreachable. */
export class ConnectorTimeout extends Error {
  constructor(readonly ms: number) {
    // Sub-second timeouts in ms: "within 0 s" would tell the partner nothing.
    super(`The bank did not answer within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`);
  }
}

/**
 * A connector threw instead of answering with an outcome: a defect in the connector, treated
 * like the bank being unreachable. Its message is fixed; what the connector threw goes to the
 * log only, never to a partner (it may hold anything the connector had at hand).
 */
export class ConnectorFailure extends Error {
  constructor() {
    super("The bank's connector failed");
  }
}

/**
 * Connectors by name, and the one place that calls them: every call gets an AbortSignal and a
 * deadline, so a hung bank cannot hold a request (or a session) forever.
 */
export class Connectors {
  private readonly byName = new Map<string, BankConnector>();

  constructor(
    connectors: BankConnector[],
    private readonly timeoutMs: number,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {
    for (const connector of connectors) this.byName.set(connector.name, connector);
  }

  get(name: string): BankConnector {
    const connector = this.byName.get(name);
    if (!connector) throw new Error(`no connector named ${name} is configured`);
    return connector;
  }

  get timeout(): number {
    return this.timeoutMs;
  }

  /**
   * Runs `work` with a signal that aborts at the deadline. A timeout, or a connector that throws
   * instead of answering, resolves to `unreachable` (a `ConnectorTimeout` or a `ConnectorFailure`):
   * no connector can turn a link or a sync into a 500, or leave an account's sync failing unseen.
   */
  async call<T>(work: (context: ConnectorContext) => Promise<T>, unreachable: (error: ConnectorTimeout | ConnectorFailure) => T): Promise<T> {
    const controller = new AbortController();
    const timeout = new ConnectorTimeout(this.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<T>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(timeout);
        resolve(unreachable(timeout));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([work({ signal: controller.signal, now: () => this.clock.now() }), deadline]);
    } catch (error) {
      if (controller.signal.aborted) return unreachable(timeout);
      // Only the error's kind goes to the log: its message or the object itself may carry the login it was given.
      this.logger?.error(
        { connectorError: (error as Error)?.name ?? typeof error },
        'a bank connector threw instead of answering; treated as the bank being unreachable',
      );
      return unreachable(new ConnectorFailure());
    } finally {
      clearTimeout(timer);
    }
  }
}
