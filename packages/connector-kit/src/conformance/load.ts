import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkModule, type ConnectorLog } from '../module.ts';
import { connectRemote } from '../protocol/client.ts';
import type { Target } from './checks.ts';

/**
 * The connector `spec` names: a connector service's URL (its manifest's test logins, signed
 * with `secret`), or a module by path or package name, created in this process with a log
 * that keeps every line, beside what it writes to the console, for the credential check.
 */
export async function loadTarget(spec: string, options: { secret?: string | undefined } = {}): Promise<Target & { name: string; interfaceVersion: string }> {
  if (/^https?:\/\//.test(spec)) {
    if (!options.secret) throw new Error('a connector service needs its shared secret: --secret or RELINK_CONNECTOR_SECRET');
    const { manifest, connector } = await connectRemote(spec, { secret: options.secret });
    return { name: manifest.name, interfaceVersion: manifest.interfaceVersion, connector, testLogins: manifest.testLogins };
  }
  const byPath = spec.startsWith('.') || isAbsolute(spec) || /\.(m?js|ts)$/.test(spec);
  const module = checkModule(await import(byPath ? pathToFileURL(resolve(spec)).href : spec), spec);
  const lines: string[] = [];
  const keep =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void =>
      void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const log: ConnectorLog = { info: keep('info'), warn: keep('warn'), error: keep('error') };
  const connector = await module.create({ env: process.env, log });
  return { name: module.name, interfaceVersion: module.interfaceVersion, connector, testLogins: module.testLogins, logs: () => [...lines, ...consoleLines] };
}

const consoleLines: string[] = [];

/**
 * Keeps a copy of what is written to stdout and stderr while `work` runs (a connector that logs
 * with console.log, or a logger of its own), and passes it through.
 */
export async function capturingConsole<T>(work: () => Promise<T>): Promise<T> {
  const writes = [process.stdout.write, process.stderr.write] as const;
  for (const [stream, original] of [
    [process.stdout, writes[0]],
    [process.stderr, writes[1]],
  ] as const) {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      consoleLines.push(String(chunk));
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  }
  try {
    return await work();
  } finally {
    process.stdout.write = writes[0];
    process.stderr.write = writes[1];
  }
}
