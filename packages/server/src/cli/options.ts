import { parseArgs } from 'node:util';

/** The flags every `relink` command accepts (node:util parseArgs, strict). */
const OPTIONS = {
  data: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'database-url': { type: 'string' },
  'log-level': { type: 'string' },
  workers: { type: 'string' },
  name: { type: 'string' },
  'webhook-url': { type: 'string' },
  app: { type: 'string' },
  reason: { type: 'string' },
  institution: { type: 'string' },
  search: { type: 'string' },
  limit: { type: 'string' },
  page: { type: 'string' },
  failing: { type: 'boolean' },
  'failing-sync': { type: 'boolean' },
  'reauth-required': { type: 'boolean' },
  unlinked: { type: 'boolean' },
  fault: { type: 'string' },
  'latency-ms': { type: 'string' },
  'fault-control': { type: 'boolean' },
  live: { type: 'boolean' },
  json: { type: 'boolean' },
  clear: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliValues = ReturnType<typeof parse>['values'];

export function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}
