import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BankConnector, checkModule, type ConnectorLog, type ConnectorModule, type InstitutionDefinition } from '@relink/connector-kit';
import { connectRemote } from '@relink/connector-kit/protocol';
import type { Logger } from 'pino';

/** A bank Relink talks to: its connector, where it came from, and the institutions it serves. */
export interface LoadedConnector {
  name: string;
  /** What named it: `sandbox` (built in), a module's path or package name, or a connector service's URL. */
  source: string;
  interfaceVersion: string;
  institutions: InstitutionDefinition[];
  connector: BankConnector;
  /** Spoken to over the connector protocol (a service of its own) rather than in this process. */
  remote: boolean;
}

export interface ConnectorSources {
  modules: string[];
  /** Connector services (the connector protocol), each read for its manifest at start. */
  urls: string[];
  secret: string | undefined;
  /** Relink's timeout for one bank call: what a service is told it has. */
  timeoutMs: number;
}

/**
 * Loads every connector the configuration names, in order, each checked the same way: the
 * module's shape and interface version, its institutions, the connector it makes. Built-in
 * modules (`sandbox`) are looked up by name first, then the name is imported as a path or a
 * package. Throws an Error of one line naming the connector and its first problem.
 */
export async function loadConnectors(sources: ConnectorSources, builtins: Record<string, ConnectorModule>, logger: Logger): Promise<LoadedConnector[]> {
  const loaded: LoadedConnector[] = [];
  for (const source of sources.modules) {
    const module = Object.hasOwn(builtins, source) ? builtins[source]! : checkModule(await importModule(source), source);
    const connector = await module.create({ env: process.env, log: connectorLog(logger, module.name) });
    const problem = connectorProblem(connector, module.name);
    if (problem) throw new Error(`connector ${source}: ${problem}`);
    loaded.push({ name: module.name, source, interfaceVersion: module.interfaceVersion, institutions: module.institutions, connector, remote: false });
  }
  for (const url of sources.urls) {
    let remote: Awaited<ReturnType<typeof connectRemote>>;
    try {
      remote = await connectRemote(url, { secret: sources.secret!, timeoutMs: sources.timeoutMs });
    } catch (error) {
      throw new Error(`connector service ${url}: ${(error as Error).message}`);
    }
    const { manifest, connector } = remote;
    loaded.push({
      name: manifest.name,
      source: url,
      interfaceVersion: manifest.interfaceVersion,
      institutions: manifest.institutions,
      connector,
      remote: true,
    });
  }
  checkUnique(loaded);
  for (const bank of loaded) {
    logger.info({ connector: bank.name, source: bank.source, interface: bank.interfaceVersion, institutions: bank.institutions.length }, 'connector loaded');
  }
  return loaded;
}

async function importModule(source: string): Promise<unknown> {
  const byPath = source.startsWith('.') || isAbsolute(source) || /\.(m?js|ts)$/.test(source);
  const target = byPath ? pathToFileURL(resolve(source)).href : source;
  try {
    return await import(target);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ERR_UNKNOWN_FILE_EXTENSION' ? 'a TypeScript module needs compiling to JavaScript first' : (error as Error).message.split('\n')[0];
    throw new Error(`connector ${source}: cannot be loaded (${code ?? 'error'}: ${reason})`);
  }
}

/** Why what `create()` returned is not a usable connector; undefined when it is. */
function connectorProblem(connector: unknown, name: string): string | undefined {
  if (!connector || typeof connector !== 'object') return 'create() returned no connector';
  const c = connector as Record<string, unknown>;
  for (const method of ['login', 'answer', 'selectAccount', 'fetchData'] as const) {
    if (typeof c[method] !== 'function') return `its connector has no ${method}() method`;
  }
  if (c.name !== name) return `its connector is named ${JSON.stringify(c.name)}, and the module ${JSON.stringify(name)}`;
  return undefined;
}

/** Two connectors of one name, or one institution served twice, would make Relink pick one silently. */
function checkUnique(loaded: LoadedConnector[]) {
  const names = new Map<string, string>();
  const institutions = new Map<string, string>();
  for (const bank of loaded) {
    const before = names.get(bank.name);
    if (before) throw new Error(`connector ${bank.source}: another connector is named ${bank.name} (${before})`);
    names.set(bank.name, bank.source);
    for (const institution of bank.institutions) {
      const owner = institutions.get(institution.id);
      if (owner) throw new Error(`connector ${bank.source}: institution ${institution.id} is already served by ${owner}`);
      institutions.set(institution.id, bank.source);
    }
  }
}

function connectorLog(logger: Logger, name: string): ConnectorLog {
  const child = logger.child({ connector: name });
  return {
    info: (message, fields) => child.info(fields ?? {}, message),
    warn: (message, fields) => child.warn(fields ?? {}, message),
    error: (message, fields) => child.error(fields ?? {}, message),
  };
}
