import ipaddr from 'ipaddr.js';
import type { Limits } from '../config/config.ts';
import type { Clock } from '../lib/clock.ts';
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
 * in each instance's memory like `RequestLimits`: per client address (the tight one) and per
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
  address(address: string): void {
    this.take('widget_address', `address ${clientOf(address)}`, this.limits.widgetAddressRequestsPerMinute, 'Too many widget requests from this address');
  }

  /** One request with the public key of `appId`; 429 when the app's widget is over its rate. */
  key(appId: string): void {
    this.take('widget_key', `key ${appId}`, this.limits.widgetKeyRequestsPerMinute, "Too many widget requests with this app's public key");
  }

  private take(limit: RateLimit, name: string, perMinute: number, what: string): void {
    if (perMinute <= 0) return;
    const now = this.clock.now();
    const minute = Math.floor(now / MINUTE);
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts.clear();
    }
    const used = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, used);
    if (used > perMinute) {
      this.metrics.rateLimited(limit);
      throw limited({ msBeforeNext: (minute + 1) * MINUTE - now }, what);
    }
  }
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
