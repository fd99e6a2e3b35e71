import pino, { type DestinationStream, type Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Objects passed to the logger whose fields may be a partner's or a bank's input. */
const CONTAINERS = ['body', 'fields', 'input', 'credentials', 'data', 'err', 'error'];

/**
 * Every field that can hold a secret, where we log objects. Request bodies and headers are not
 * logged at all; this list is the second line of defence for objects passed to the logger.
 * Fixed paths, not wildcards: pino checks a fixed path at the cost of a property read, a
 * wildcard by walking the object, on every line (6% of a request's CPU, measured).
 */
export const REDACTED_PATHS = [
  'req.headers["mono-sec-key"]',
  'req.headers.authorization',
  'req.headers["mono-webhook-secret"]',
  'headers["mono-sec-key"]',
  'headers["mono-webhook-secret"]',
  ...[
    ...['password', 'otp', 'answer', 'pin', 'token', 'code', 'secretKey', 'secret_key', 'webhookSecret', 'webhook_secret', 'credentials', 'masterKey'],
    // A person's details, as the bank's identity and a session's customer carry them. Not `name`,
    // which is also every error's own (`err.name`).
    ...['email', 'phone', 'bvn', 'full_name', 'fullName', 'customer', 'identity', 'account_number', 'accountNumber'],
  ].flatMap((field) => [field, ...CONTAINERS.map((container) => `${container}.${field}`)]),
  // A PostgreSQL error's detail and query parameters can quote a row's values (a unique violation's key).
  'err.detail',
  'err.parameters',
  'error.detail',
];

/**
 * `code` is redacted because a one-time code (`code_` and lower-case letters) may sit in an
 * object passed to the logger; an error code (ECONNRESET, SQLITE_BUSY, 57P01: upper case and
 * digits with a letter, which no secret Relink makes ever is) is what an operator needs to read, so it stays.
 */
function keepErrorCodes(value: unknown, path: (string | null)[]): unknown {
  const isErrorCode = path[path.length - 1] === 'code' && typeof value === 'string' && /^(?=.*[A-Z])[A-Z0-9_]{2,40}$/.test(value);
  return isErrorCode ? value : '[redacted]';
}

/**
 * `json`: one JSON object a line, for a log collector. `pretty`: one line a person reads, for a
 * terminal. `auto` (the default): pretty when stdout is a terminal, JSON otherwise.
 */
export type LogFormat = 'json' | 'pretty' | 'auto';

/**
 * The logger. Lines are redacted before they are written, whatever the format: the pretty
 * format is made from the JSON line pino has already redacted, so it can show nothing the JSON
 * would not. `destination` is stdout unless given.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  const out = destination ?? (pretty ? process.stdout : undefined);
  return pino(
    {
      level,
      base: { service: 'relink' },
      redact: { paths: REDACTED_PATHS, censor: keepErrorCodes },
    },
    pretty && out ? { write: (line: string) => void out.write(prettyLine(line)) } : out,
  );
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, shown in their own places (or not at all: service, pid, hostname). */
const SHOWN_APART = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/**
 * One JSON line pino wrote, as a person reads it: the local time, the level, the message, then
 * the other fields as `name=value`; a request line as `METHOD url → status in N ms`; an error's
 * stack indented below. Anything that is not a JSON line is passed through as it is.
 */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'number' ? clockTime(new Date(entry.time)) : '';
  const level = (LEVELS[Number(entry.level)] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry).filter(([name]) => !SHOWN_APART.has(name));
  let text = String(entry.msg ?? '');
  if (entry.msg === 'request' && typeof entry.method === 'string') {
    text = `${entry.method} ${String(entry.url)} → ${String(entry.status)} in ${String(entry.ms)} ms`;
    fields.splice(0, fields.length, ...fields.filter(([name]) => !['method', 'url', 'status', 'ms'].includes(name)));
  }
  const stack: string[] = [];
  const shown = fields.map(([name, value]) => {
    if ((name === 'err' || name === 'error') && isObject(value)) {
      if (typeof value.stack === 'string') stack.push(...value.stack.split('\n').map((l) => `    ${l}`));
      const { stack: _stack, ...rest } = value;
      return `${name}=${JSON.stringify(rest)}`;
    }
    return `${name}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`;
  });
  return `${[time, level, text, ...shown].filter((part) => part !== '').join(' ')}\n${stack.map((l) => `${l}\n`).join('')}`;
}

const two = (n: number) => String(n).padStart(2, '0');
const clockTime = (d: Date) => `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
