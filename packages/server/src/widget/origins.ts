import type { App } from '../apps/service.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import type { ConnectStore } from './store.ts';

export const MAX_ORIGINS = 20;

/** The origins an app lets embed the widget (`frame-ancestors`), at most `MAX_ORIGINS`; null: any. */
export class AllowedOrigins {
  constructor(private readonly deps: { store: ConnectStore; clock: Clock }) {}

  of(app: App): Promise<string[] | null> {
    return this.deps.store.origins(app.id);
  }

  async set(appId: string, origins: string[] | null): Promise<string[] | null> {
    const normal = origins === null ? null : [...new Set(origins.map(normaliseOrigin))];
    if (normal && normal.length > MAX_ORIGINS) throw new DomainError('INVALID_INPUT', `Invalid request: at most ${MAX_ORIGINS} origins`);
    if (!(await this.deps.store.setOrigins(appId, normal && normal.length > 0 ? normal : null, this.deps.clock.now()))) {
      throw new DomainError('INVALID_INPUT', `No app with id ${appId}`);
    }
    return normal && normal.length > 0 ? normal : null;
  }
}

/** `https://shop.example` (scheme, host, port; nothing else), the form `Origin` and `frame-ancestors` use. */
export function normaliseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DomainError('INVALID_INPUT', `Invalid origin "${value}": use the form https://shop.example`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value.replace(/\/$/, '')) {
    throw new DomainError('INVALID_INPUT', `Invalid origin "${value}": use scheme, host and port only, like https://shop.example`);
  }
  return url.origin;
}

/** The origin of a page address, or null when it is not an http(s) URL. */
export function originOf(address: string | undefined): string | null {
  if (!address) return null;
  try {
    const url = new URL(address);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}
