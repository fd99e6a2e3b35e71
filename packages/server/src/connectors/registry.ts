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
 * Connectors by name, and the one place that calls them: every call gets an AbortSignal and a
 * deadline, so a hung bank cannot hold a request (or a session) forever.
 */
export class Connectors {
  private readonly byName = new Map<string, BankConnector>();

  constructor(
    connectors: BankConnector[],
    private readonly timeoutMs: number,
    private readonly clock: Clock,
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

  /** Runs `work` with a signal that aborts at the deadline; a timeout resolves to `onTimeout`. */
  async call<T>(work: (context: ConnectorContext) => Promise<T>, onTimeout: (error: ConnectorTimeout) => T): Promise<T> {
    const controller = new AbortController();
    const timeout = new ConnectorTimeout(this.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<T>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(timeout);
        resolve(onTimeout(timeout));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([work({ signal: controller.signal, now: () => this.clock.now() }), deadline]);
    } catch (error) {
      if (controller.signal.aborted) return onTimeout(timeout);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
