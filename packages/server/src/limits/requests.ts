import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Limits } from '../config/config.ts';
import { DomainError } from '../lib/errors.ts';
import { rateLimiter } from '../lib/lazy.ts';
import { isWorker } from '../lib/workers.ts';
import type { Metrics } from '../metrics/metrics.ts';

export interface RequestLimitsDeps {
  limits: Limits;
  metrics: Metrics;
}

/**
 * Request rate limits kept in each instance's memory (rate-limiter-flexible): failed
 * authentications per client address, and session creations and steps per app. They bound
 * load and noise; they are per instance, so N instances allow N times the rate. The workers of
 * one `relink serve --workers N` are one instance: their counts are kept in the primary process
 * (rate-limiter-flexible's cluster limiter; `shareLimitsAcrossWorkers` in the primary). The caps
 * that protect bank users are durable and shared: see `BankUserLimits`.
 */
export class RequestLimits {
  private limiters: Record<'authFailures' | 'session' | 'step', RateLimiterAbstract | null> | undefined;
  private readonly limits: Limits;
  private readonly metrics: Metrics;

  constructor(deps: RequestLimitsDeps) {
    ({ limits: this.limits, metrics: this.metrics } = deps);
  }

  /** Made on first use: a one-shot `relink` command builds every service but serves no request. */
  private get limiter() {
    return (this.limiters ??= {
      authFailures: perMinute('auth', this.limits.authFailuresPerMinute),
      session: perMinute('session', this.limits.sessionsPerMinute),
      step: perMinute('step', this.limits.stepsPerMinute),
    });
  }

  /**
   * Before a key is even looked up: an address that has failed too often is refused. One count
   * per address for both kinds of key (`key` only names the one this request uses).
   */
  async checkAddress(address: string, key: 'secret key' | 'public key' | 'metrics token' = 'secret key'): Promise<void> {
    const { authFailures } = this.limiter;
    if (!authFailures) return;
    const seen = await authFailures.get(address);
    if (seen && seen.consumedPoints >= authFailures.points) {
      this.metrics.rateLimited('auth_failures');
      throw limited(seen, `Too many requests with a missing or invalid ${key} from this address`);
    }
  }

  async authenticationFailed(address: string): Promise<void> {
    await this.limiter.authFailures?.consume(address).catch(() => undefined);
  }

  /** One session creation or step for `appId`; 429 when the app is over its rate. */
  async take(kind: 'session' | 'step', appId: string): Promise<void> {
    const limiter = this.limiter[kind];
    if (!limiter) return;
    try {
      await limiter.consume(appId);
    } catch (error) {
      if (!(error instanceof rateLimiter().RateLimiterRes)) throw error;
      this.metrics.rateLimited(kind);
      throw limited(error, kind === 'session' ? 'Too many sessions created by this app' : 'Too many login and commit steps by this app');
    }
  }
}

function perMinute(keyPrefix: string, points: number): RateLimiterAbstract | null {
  if (points <= 0) return null;
  const { RateLimiterCluster, RateLimiterMemory } = rateLimiter();
  return isWorker() ? new RateLimiterCluster({ keyPrefix, points, duration: 60, timeoutMs: 2_000 }) : new RateLimiterMemory({ points, duration: 60 });
}

/** In the primary of `--workers`, before any worker starts: keeps the workers' request-limit counts. */
export function shareLimitsAcrossWorkers(): void {
  new (rateLimiter().RateLimiterClusterMaster)();
}

/** 429 RATE_LIMITED with Retry-After: whole seconds until `msBeforeNext` is over, at least 1. */
export function limited(state: Pick<RateLimiterRes, 'msBeforeNext'>, what: string): DomainError {
  const seconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  return new DomainError('RATE_LIMITED', `${what}; retry in ${seconds} s`, {}, seconds);
}
