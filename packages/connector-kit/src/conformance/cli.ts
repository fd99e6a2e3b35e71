import { parseArgs } from 'node:util';
import { type CheckResult, runConformance } from './checks.ts';
import { capturingConsole, loadTarget } from './load.ts';

const USAGE = `relink-connector-test: runs Relink's connector contract tests against a connector

Usage
  relink-connector-test MODULE [--json]        a module by path (./bank.js) or package name
  relink-connector-test URL [--secret S] [--json]   a connector service (the connector protocol);
                                               the secret defaults to RELINK_CONNECTOR_SECRET

The connector's test logins (testLogins in the module, or in the service's manifest) say whom
to log in as for each case. Exit status 0 when no check fails, 1 when one does, 2 for a usage error.`;

/** The table: one row per check, its status and why. */
export function formatTable(name: string, version: string, results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  const rows = results.map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.check.padEnd(width)}  ${r.detail}`);
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  return [
    `Connector ${name} (interface ${version})`,
    '',
    ...rows,
    '',
    `${count('pass')} passed, ${count('fail')} failed${count('skip') > 0 ? `, ${count('skip')} skipped` : ''}`,
  ].join('\n');
}

/** Runs the command; returns the exit status. */
export async function main(argv: string[], out: (text: string) => void = (t) => void process.stdout.write(`${t}\n`)): Promise<number> {
  let values: { json?: boolean; secret?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, secret: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    }));
  } catch (error) {
    process.stderr.write(`relink-connector-test: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`relink-connector-test: name one connector module or URL\n\n${USAGE}\n`);
    return 2;
  }
  let target: Awaited<ReturnType<typeof loadTarget>>;
  try {
    target = await loadTarget(positionals[0]!, { secret: values.secret ?? process.env.RELINK_CONNECTOR_SECRET });
  } catch (error) {
    process.stderr.write(`relink-connector-test: ${(error as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  const results = await capturingConsole(() => runConformance(target));
  out(
    values.json
      ? JSON.stringify({ connector: target.name, interfaceVersion: target.interfaceVersion, results })
      : formatTable(target.name, target.interfaceVersion, results),
  );
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
