import { parseArgs } from 'node:util';
import { ConfigError, type ConfigFlags, loadConfig } from '../config/config.ts';
import { appsCommand, keysCommand } from './apps.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { vaultCommand } from './vault.ts';
import type { CliContext } from './context.ts';

const USAGE = `relink: the Relink server and its administration

Usage
  relink serve                     start the API (what npm start runs)
  relink migrate                   bring the database schema up to date
  relink apps create --name N [--webhook-url U] [--live] [--json]
  relink apps list [--json]
  relink apps delete --app ID
  relink keys rotate --app ID [--json]
  relink vault rotate [--json]      rewrap stored secrets with RELINK_MASTER_KEY

Every command accepts --data DIR (default ./.relink or RELINK_DATA_DIR) and honours
DATABASE_URL, PORT, HOST, RELINK_MASTER_KEY and LOG_LEVEL. See docs/configuration.md.`;

const OPTIONS = {
  data: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'database-url': { type: 'string' },
  'log-level': { type: 'string' },
  name: { type: 'string' },
  'webhook-url': { type: 'string' },
  app: { type: 'string' },
  live: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliValues = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Runs one command and returns the process exit code. Never throws. */
export async function main(argv: string[], io: Pick<CliContext, 'out' | 'err'> = defaultIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`relink: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, sub] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.out(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const flags: ConfigFlags = {
    data: values.data,
    port: values.port,
    host: values.host,
    databaseUrl: values['database-url'],
    logLevel: values['log-level'],
  };
  let context: CliContext;
  try {
    context = { ...io, config: loadConfig(process.env, flags), values };
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`relink: invalid configuration: ${error.message}`);
      return 1;
    }
    throw error;
  }
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(context);
      case 'migrate':
        return await migrateCommand(context);
      case 'apps':
        return await appsCommand(context, sub);
      case 'vault':
        return await vaultCommand(context, sub);
      case 'keys':
        return await keysCommand(context, sub);
      default:
        io.err(`relink: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    io.err(`relink: ${(error as Error).message}`);
    return 1;
  }
}

const defaultIo = {
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`),
};
