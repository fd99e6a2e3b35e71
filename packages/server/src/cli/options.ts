import { parseArgs } from 'node:util';

/** The flags every `relink` command accepts (node:util parseArgs, strict). */
const OPTIONS = {
  data: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'database-url': { type: 'string' },
  'log-level': { type: 'string' },
  name: { type: 'string' },
  'webhook-url': { type: 'string' },
  app: { type: 'string' },
  reason: { type: 'string' },
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
