import { promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Agent, buildConnector } from 'undici';
import { undici } from '../lib/lazy.ts';
import type { AppMode } from '../apps/service.ts';
import { type AddressKind, classifyAddress } from './addresses.ts';

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

/**
 * Live webhooks reach public addresses only. Test mode may also reach private networks, for a
 * receiver on the developer's network, but never link-local (cloud metadata), multicast or
 * reserved; and this machine (loopback) only where `allowLoopback` says so: local development,
 * where the server listens on loopback too, or an operator who turned it on. Otherwise anyone
 * with a test key could call the services listening on the server's own loopback.
 */
const ALLOWED: Record<AppMode, ReadonlySet<AddressKind>> = {
  live: new Set(['public']),
  test: new Set(['public', 'private', 'cgnat']),
};

export interface EgressOptions {
  /** Whether test apps may reach this machine (config `webhook.allowLoopback`). */
  allowLoopback: boolean;
  resolve?: Resolver;
}

export class EgressRefused extends Error {
  override readonly name = 'EgressRefused';
}

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * Server-side request forgery guard. The address is checked after DNS, inside the connector,
 * on the very address the socket connects to: a name that resolves to a public address when
 * the URL is saved and to 127.0.0.1 at delivery (DNS rebinding) is still refused.
 */
export class EgressGuard {
  private readonly agents = new Map<AppMode, Agent>();
  private readonly resolve: Resolver;
  private readonly allowed: Record<AppMode, ReadonlySet<AddressKind>>;

  constructor(options: EgressOptions) {
    this.resolve = options.resolve ?? systemResolver;
    this.allowed = { live: ALLOWED.live, test: options.allowLoopback ? new Set([...ALLOWED.test, 'loopback']) : ALLOWED.test };
  }

  /** Why an app may not use this URL as its endpoint, or undefined when it may. */
  checkUrl(raw: string, mode: AppMode): string | undefined {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'url is not a valid absolute URL';
    }
    if (mode === 'live' && url.protocol !== 'https:') return 'url must use https for a live app';
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must be an http(s) URL';
    if (url.username || url.password) return 'url must not carry credentials';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return this.refusal(`url names ${host}, which`, host, mode);
    if (!this.allowed[mode].has('loopback') && /(^|\.)localhost\.?$/i.test(host))
      return `url names ${host}, which is this machine; ${this.rule(mode, 'loopback')}`;
    return undefined;
  }

  /** The HTTP agent for an app of this mode; every connection it makes passes the guard. */
  agent(mode: AppMode): Agent {
    let agent = this.agents.get(mode);
    if (!agent) {
      agent = this.buildAgent(mode);
      this.agents.set(mode, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.destroy()));
    this.agents.clear();
  }

  /** Why `address` may not be reached, said of `subject` (the address itself, or the name that led to it). */
  private refusal(subject: string, address: string, mode: AppMode): string | undefined {
    const kind = classifyAddress(address);
    if (this.allowed[mode].has(kind)) return undefined;
    return `${subject} is a ${kind} address; ${this.rule(mode, kind)}`;
  }

  private rule(mode: AppMode, kind: AddressKind): string {
    if (mode === 'live') return 'live webhooks must reach a public address';
    if (kind === 'loopback') return 'test webhooks reach this machine only when Relink listens on loopback (HOST) or RELINK_WEBHOOK_ALLOW_LOOPBACK=on';
    return 'webhooks may not reach it';
  }

  private buildAgent(mode: AppMode): Agent {
    const lookup: LookupFunction = (hostname, options, callback) => {
      this.resolve(hostname).then(
        (found) => {
          const addresses = found.filter((a) => !options.family || a.family === options.family);
          const refusal =
            addresses.length === 0
              ? `${hostname} did not resolve to an address`
              : addresses.map((a) => this.refusal(`${hostname} resolves to ${a.address}, which`, a.address, mode)).find(Boolean);
          if (refusal) return callback(new EgressRefused(refusal), '', 0);
          if (options.all) return callback(null, addresses);
          callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 0),
      );
    };
    const connector = undici().buildConnector({ lookup, timeout: 10_000 } as buildConnector.BuildOptions);
    return new (undici().Agent)({
      keepAliveTimeout: 4_000,
      connect: (options, callback) => {
        const host = options.hostname.replace(/^\[|\]$/g, '');
        const refusal = isIP(host) ? this.refusal(host, host, mode) : undefined;
        if (refusal) return callback(new EgressRefused(refusal), null);
        return connector(options, callback);
      },
    });
  }
}
