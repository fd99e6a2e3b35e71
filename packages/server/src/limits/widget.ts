import ipaddr from 'ipaddr.js';
import type { Limits } from '../config/config.ts';
import type { Clock } from '../lib/clock.ts';
import { askPrimary, isWorker } from '../lib/workers.ts';
import type { Metrics, RateLimit } from '../metrics/metrics.ts';
import { limited } from './requests.ts';

export interface WidgetLimitsDeps {
  limits: Pick<Limits, 'widgetAddressRequestsPerMinute' | 'widgetKeyRequestsPerMinute'>;
  clock: Clock;
  metrics: Metrics;
}

const MINUTE = 60_000;

/**
 * Request limits for what a public key opens (the widget's API) and for the demo page, kept
 * in each instance's memory like `RequestLimits` (under `--workers`, in the primary process's,
 * so one server counts once however many workers it runs): per client address (the tight one) and per
 * app's public key (well above normal use: one widget serves the partner's users from many
 * addresses). docs/security.md says why each number.
 *
 * Fixed one-minute windows on the injected clock (so a test moves time instead of sleeping);
 * every count is forgotten when the minute turns, so memory holds one minute's callers at most.
 * IPv6 addresses count per /64, the block one subscriber is usually given.
 */
export class WidgetLimits {
  private minute = -1;
  private readonly counts = new Map<string, number>();
  private readonly limits: WidgetLimitsDeps['limits'];
  private readonly clock: Clock;
  private readonly metrics: Metrics;

  constructor(deps: WidgetLimitsDeps) {
    ({ limits: this.limits, clock: this.clock, metrics: this.metrics } = deps);
  }

  /** One request from `address`; 429 when the address is over its rate. */
  address(address: string): Promise<void> {
    return this.take(
      'widget_address',
      `address ${clientOf(address)}`,
      this.limits.widgetAddressRequestsPerMinute,
      'Too many widget requests from this address',
    );
  }

  /** One request with the public key of `appId`; 429 when the app's widget is over its rate. */
  key(appId: string): Promise<void> {
    return this.take('widget_key', `key ${appId}`, this.limits.widgetKeyRequestsPerMinute, "Too many widget requests with this app's public key");
  }

  private async take(limit: RateLimit, name: string, perMinute: number, what: string): Promise<void> {
    if (perMinute <= 0) return;
    const now = this.clock.now();
    const minute = Math.floor(now / MINUTE);
    const used = isWorker() ? await askPrimary<number>(WIDGET_COUNT, { name, minute }) : this.count(name, minute);
    if (used > perMinute) {
      this.metrics.rateLimited(limit);
      throw limited({ msBeforeNext: (minute + 1) * MINUTE - now }, what);
    }
  }

  /** This request's number within `minute` for `name`; every count is forgotten when the minute turns. */
  count(name: string, minute: number): number {
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts.clear();
    }
    const used = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, used);
    return used;
  }
}

/** What a worker asks the primary, which counts for all workers with a `WidgetLimits` of its own (`countForWorkers`). */
export const WIDGET_COUNT = 'widget-limit-count';

/** In the primary of `--workers`: counts the widget's requests for every worker. */
export function countForWorkers(limits: WidgetLimits, answerWorkers: (kind: string, answer: (body: unknown) => unknown) => void): void {
  answerWorkers(WIDGET_COUNT, (body) => {
    const { name, minute } = body as { name: string; minute: number };
    return limits.count(name, minute);
  });
}

/** The client an address stands for: an IPv4 address (also when IPv4-mapped), or an IPv6 /64. */
function clientOf(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const ip = ipaddr.process(address);
  return ip.kind() === 'ipv6'
    ? `${(ip as ipaddr.IPv6).parts
        .slice(0, 4)
        .map((p) => p.toString(16))
        .join(':')}::/64`
    : ip.toString();
}
