import type { Services } from '../services.ts';
import { ConnectService } from './service.ts';

const built = new WeakMap<Services, ConnectService>();

/** The process's one ConnectService, built from the shared services on first use. */
export function connectService(services: Services): ConnectService {
  let service = built.get(services);
  if (!service) {
    service = new ConnectService(services.database.db, services.apps, services.sessions, services.accounts, services.clock, services.config.masterKey, services.config.connectorTimeoutMs + 10_000);
    built.set(services, service);
  }
  return service;
}
