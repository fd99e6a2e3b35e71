import { createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createPrivateFile, privateDirectory } from '../lib/files.ts';
import type { LogFormat, LogLevel } from '../lib/logger.ts';

/**
 * Everything Relink reads from its environment, parsed and validated once at start.
 * A bad value stops the process with one line naming the variable (see `ConfigError`).
 */
export interface Config {
  port: number;
  host: string;
  /** `relink serve --workers N` / `RELINK_WORKERS`: processes serving the API (default: the CPUs available; 1 serves in the one process). */
  workers: number;
  dataDir: string;
  /** PostgreSQL: `preparedStatements` false sends every statement unnamed (behind a transaction-pooling PgBouncer before 1.21). */
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; preparedStatements?: boolean };
  /** Where the current master key came from: `env` is required before live keys may exist. */
  masterKey: MasterKey;
  /** Keys that may still unwrap data keys during `relink vault rotate`. */
  previousMasterKeys: MasterKey[];
  logLevel: LogLevel;
  /** `LOG_FORMAT`: `json`, `pretty`, or `auto` (unset: pretty on a terminal, JSON otherwise). */
  logFormat: LogFormat;
  /** The URL printed for humans and used for hosted pages; defaults to http://host:port. */
  publicUrl: string | undefined;
  sessionTtlMs: number;
  codeTtlMs: number;
  connectorTimeoutMs: number;
  /** The banks this server talks to (docs/connectors.md). */
  connectors: {
    /** `RELINK_CONNECTORS`: connector modules in this process, by path or package name; `sandbox` is Relink's own. Default `sandbox`. */
    modules: string[];
    /** `RELINK_CONNECTOR_URLS`: connectors running as services of their own, spoken to over the connector protocol. */
    urls: string[];
    /** `RELINK_CONNECTOR_SECRET`: signs every protocol request and answer (Standard Webhooks' scheme); required with URLs. */
    secret: string | undefined;
  };
  /** How often each linked account's data is synced (`RELINK_SYNC_INTERVAL`, default 24 h). */
  syncIntervalMs: number;
  /** How long before the bank's login expiry `reauthorisation_due` is sent (`RELINK_REAUTH_DUE_LEAD_HOURS`, default 168: a week). */
  reauthDueLeadMs: number;
  /** How long a worker holds an account it syncs; after a crash another takes it over then. */
  syncClaimMs: number;
  /** Real-time data (`x-realtime: true`, docs/data.md). */
  realtime: {
    /** At most one live bank call per account this often (`RELINK_REALTIME_INTERVAL`, Mono's 5 minutes); calls between answer that call's result. */
    intervalMs: number;
    /** How long a real-time call waits for its bank call before it answers the stored data with `x-job-status: processing`. */
    waitMs: number;
  };
  /** PDF statements: how long a job, its file and its URLs live (`RELINK_STATEMENT_TTL`), and how long a builder holds a job. */
  statements: { ttlMs: number; claimMs: number };
  /** How long a client may take to send its headers, and its whole request (slow-loris). */
  http: { headersTimeoutMs: number; requestTimeoutMs: number };
  /** Which proxies' X-Forwarded-For to believe for the client address (Fastify trustProxy); none by default. */
  trustProxy: string | undefined;
  /**
   * The bearer token `GET /metrics` requires (`RELINK_METRICS_TOKEN`). Unset, only this
   * machine's own requests are answered (a loopback client, not forwarded by a proxy).
   */
  metricsToken: string | undefined;
  limits: Limits;
  webhook: {
    /** Seconds to wait before each retry (Standard Webhooks / Svix default schedule). */
    retryScheduleSeconds: number[];
    timeoutMs: number;
    pollIntervalMs: number;
    /**
     * Whether test apps' webhooks may reach this machine (loopback): by default only when the
     * server listens on loopback itself, which is local development; RELINK_WEBHOOK_ALLOW_LOOPBACK decides when set.
     */
    allowLoopback: boolean;
  };
}

/** Rate limits and attempt caps (docs/security.md says why each number). 0 turns a rate limit off. */
export interface Limits {
  /** Failed authentications (401) per client address per minute; then 429 until the minute is up. */
  authFailuresPerMinute: number;
  /** Session creations per app per minute, per instance. */
  sessionsPerMinute: number;
  /** Login and commit steps per app per minute, per instance. */
  stepsPerMinute: number;
  /** Requests to the widget's public-key routes (/v2/connect/widget/*) and the demo page per client address per minute, per instance. */
  widgetAddressRequestsPerMinute: number;
  /** Requests to the widget's public-key routes per app (its public key) per minute, per instance; a budget apart from the secret key's. */
  widgetKeyRequestsPerMinute: number;
  /** Failed bank logins per bank user per window, across sessions, apps and instances. */
  bankLoginFailures: number;
  /** Wrong challenge answers (OTP, security question) per bank user per window, likewise. */
  bankAnswerFailures: number;
  /** Of those, how many sessions started with only the app's public key (the widget) may spend. */
  bankPublicLoginFailures: number;
  bankPublicAnswerFailures: number;
  bankFailureWindowMs: number;
}

export interface MasterKey {
  key: Buffer;
  /** First 16 hex chars of SHA-256(key): stored beside each wrapped data key. */
  id: string;
  source: 'env' | 'file';
}

export type { LogLevel };
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS: LogFormat[] = ['json', 'pretty', 'auto'];

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Command-line flags take precedence over the environment. */
export interface ConfigFlags {
  port?: string | undefined;
  host?: string | undefined;
  data?: string | undefined;
  databaseUrl?: string | undefined;
  logLevel?: string | undefined;
  workers?: string | undefined;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, flags: ConfigFlags = {}): Config {
  const dataDir = resolve(nonEmpty(flags.data ?? env.RELINK_DATA_DIR, '--data / RELINK_DATA_DIR') ?? '.relink');
  const databaseUrl = nonEmpty(flags.databaseUrl ?? env.DATABASE_URL, 'DATABASE_URL');
  const port = integer('PORT', flags.port ?? env.PORT, 3000, 0, 65535);
  const host = nonEmpty(flags.host ?? env.HOST, 'HOST') ?? '127.0.0.1';
  const logLevel = (flags.logLevel ?? env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const logFormat = (env.LOG_FORMAT ?? 'auto').toLowerCase();
  if (!LOG_FORMATS.includes(logFormat as LogFormat)) throw new ConfigError('LOG_FORMAT', `must be json, pretty or auto (got "${logFormat}")`);

  const database = parseDatabase(databaseUrl, dataDir);
  const prepared = parseSwitch('RELINK_PG_PREPARED_STATEMENTS', env.RELINK_PG_PREPARED_STATEMENTS, true);
  if (database.kind === 'postgres' && !prepared) database.preparedStatements = false;
  const config: Omit<Config, 'masterKey'> = {
    port,
    host,
    workers: integer('--workers / RELINK_WORKERS', flags.workers ?? env.RELINK_WORKERS, availableParallelism(), 1, 64),
    dataDir,
    database,
    previousMasterKeys: parsePreviousKeys(env.RELINK_PREVIOUS_MASTER_KEYS),
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    publicUrl: parsePublicUrl(env.RELINK_PUBLIC_URL),
    sessionTtlMs: integer('RELINK_SESSION_TTL_SECONDS', env.RELINK_SESSION_TTL_SECONDS, 600, 10, 86_400) * 1000,
    codeTtlMs: integer('RELINK_CODE_TTL_SECONDS', env.RELINK_CODE_TTL_SECONDS, 600, 10, 86_400) * 1000,
    connectorTimeoutMs: integer('RELINK_CONNECTOR_TIMEOUT_MS', env.RELINK_CONNECTOR_TIMEOUT_MS, 30_000, 1, 600_000),
    connectors: parseConnectors(env),
    syncIntervalMs: duration('RELINK_SYNC_INTERVAL', env.RELINK_SYNC_INTERVAL, 24 * 3_600_000, 10_000, 30 * 86_400_000),
    reauthDueLeadMs: integer('RELINK_REAUTH_DUE_LEAD_HOURS', env.RELINK_REAUTH_DUE_LEAD_HOURS, 168, 1, 90 * 24) * 3_600_000,
    syncClaimMs: integer('RELINK_SYNC_CLAIM_SECONDS', env.RELINK_SYNC_CLAIM_SECONDS, 300, 1, 3600) * 1000,
    realtime: {
      intervalMs: duration('RELINK_REALTIME_INTERVAL', env.RELINK_REALTIME_INTERVAL, 5 * 60_000, 10_000, 7 * 86_400_000),
      waitMs: integer('RELINK_REALTIME_WAIT_SECONDS', env.RELINK_REALTIME_WAIT_SECONDS, 30, 1, 300) * 1000,
    },
    statements: {
      ttlMs: duration('RELINK_STATEMENT_TTL', env.RELINK_STATEMENT_TTL, 3_600_000, 60_000, 7 * 86_400_000),
      claimMs: integer('RELINK_STATEMENT_CLAIM_SECONDS', env.RELINK_STATEMENT_CLAIM_SECONDS, 120, 1, 3600) * 1000,
    },
    http: parseHttpTimeouts(env),
    trustProxy: parseTrustProxy(env.RELINK_TRUST_PROXY),
    metricsToken: parseMetricsToken(env.RELINK_METRICS_TOKEN),
    limits: {
      authFailuresPerMinute: integer('RELINK_AUTH_FAILURES_PER_MINUTE', env.RELINK_AUTH_FAILURES_PER_MINUTE, 30, 0, 1_000_000),
      sessionsPerMinute: integer('RELINK_SESSIONS_PER_MINUTE', env.RELINK_SESSIONS_PER_MINUTE, 300, 0, 1_000_000),
      stepsPerMinute: integer('RELINK_STEPS_PER_MINUTE', env.RELINK_STEPS_PER_MINUTE, 1200, 0, 1_000_000),
      widgetAddressRequestsPerMinute: integer('RELINK_WIDGET_ADDRESS_REQUESTS_PER_MINUTE', env.RELINK_WIDGET_ADDRESS_REQUESTS_PER_MINUTE, 120, 0, 1_000_000),
      widgetKeyRequestsPerMinute: integer('RELINK_WIDGET_KEY_REQUESTS_PER_MINUTE', env.RELINK_WIDGET_KEY_REQUESTS_PER_MINUTE, 3000, 0, 1_000_000),
      bankLoginFailures: integer('RELINK_BANK_LOGIN_FAILURES', env.RELINK_BANK_LOGIN_FAILURES, 3, 1, 100),
      bankAnswerFailures: integer('RELINK_BANK_ANSWER_FAILURES', env.RELINK_BANK_ANSWER_FAILURES, 5, 1, 100),
      bankPublicLoginFailures: integer('RELINK_BANK_PUBLIC_LOGIN_FAILURES', env.RELINK_BANK_PUBLIC_LOGIN_FAILURES, 2, 1, 100),
      bankPublicAnswerFailures: integer('RELINK_BANK_PUBLIC_ANSWER_FAILURES', env.RELINK_BANK_PUBLIC_ANSWER_FAILURES, 3, 1, 100),
      bankFailureWindowMs: integer('RELINK_BANK_FAILURE_WINDOW_SECONDS', env.RELINK_BANK_FAILURE_WINDOW_SECONDS, 86_400, 60, 30 * 86_400) * 1000,
    },
    webhook: {
      retryScheduleSeconds: parseSchedule(env.RELINK_WEBHOOK_RETRY_SCHEDULE),
      timeoutMs: integer('RELINK_WEBHOOK_TIMEOUT_MS', env.RELINK_WEBHOOK_TIMEOUT_MS, 15_000, 100, 60_000),
      pollIntervalMs: integer('RELINK_WEBHOOK_POLL_MS', env.RELINK_WEBHOOK_POLL_MS, 5_000, 50, 600_000),
      allowLoopback: parseSwitch('RELINK_WEBHOOK_ALLOW_LOOPBACK', env.RELINK_WEBHOOK_ALLOW_LOOPBACK, LOOPBACK_HOST.test(host)),
    },
  };
  if (config.limits.bankPublicLoginFailures > config.limits.bankLoginFailures) {
    throw new ConfigError('RELINK_BANK_PUBLIC_LOGIN_FAILURES', `must not exceed RELINK_BANK_LOGIN_FAILURES (${config.limits.bankLoginFailures})`);
  }
  if (config.limits.bankPublicAnswerFailures > config.limits.bankAnswerFailures) {
    throw new ConfigError('RELINK_BANK_PUBLIC_ANSWER_FAILURES', `must not exceed RELINK_BANK_ANSWER_FAILURES (${config.limits.bankAnswerFailures})`);
  }
  // Last: it may write a key file, which must not happen when any other value is bad.
  return { ...config, masterKey: loadMasterKey(env.RELINK_MASTER_KEY, dataDir) };
}

function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new ConfigError(name, 'is set but empty');
  return value.trim();
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be from ${min} to ${max} (got ${value})`);
  return value;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration as seconds (`3600`) or with a unit (`90s`, `30m`, `24h`, `7d`); returns milliseconds. */
function duration(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  if (!match) throw new ConfigError(name, `must be a duration such as 3600, 90s, 30m, 24h or 7d (got "${raw}")`);
  const ms = Number(match[1]) * UNITS[match[2] || 's']!;
  if (ms < min || ms > max) throw new ConfigError(name, `must be from ${min / 1000} s to ${max / 86_400_000} days (got "${raw}")`);
  return ms;
}

function parseDatabase(url: string | undefined, dataDir: string): Config['database'] {
  if (url === undefined) return { kind: 'sqlite', file: join(dataDir, 'relink.db') };
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (file === '') throw new ConfigError('DATABASE_URL', 'names no SQLite file (use sqlite:/path/to/file.db)');
    return { kind: 'sqlite', file: resolve(file) };
  }
  throw new ConfigError('DATABASE_URL', 'must start with postgres:// (PostgreSQL) or sqlite: (a SQLite file)');
}

/** A HOST that only this machine can reach: 127.0.0.0/8, ::1, localhost. */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/** `on`/`off` (also true/false, 1/0, yes/no, any case); unset means the default. */
function parseSwitch(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(value)) return true;
  if (['off', 'false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(name, `must be on or off (got "${raw}")`);
}

function parseConnectors(env: Env): Config['connectors'] {
  const list = (raw: string) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const modules = env.RELINK_CONNECTORS === undefined ? ['sandbox'] : env.RELINK_CONNECTORS.trim() === 'none' ? [] : list(env.RELINK_CONNECTORS);
  const urls = list(env.RELINK_CONNECTOR_URLS ?? '');
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError('RELINK_CONNECTOR_URLS', `must be a comma-separated list of http(s) URLs (got "${url}")`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError('RELINK_CONNECTOR_URLS', `must list http(s) URLs (got "${url}")`);
  }
  const secret = env.RELINK_CONNECTOR_SECRET?.trim() || undefined;
  if (urls.length > 0 && !secret)
    throw new ConfigError('RELINK_CONNECTOR_SECRET', 'must be set when RELINK_CONNECTOR_URLS is (the secret the connector services share)');
  if (secret !== undefined && Buffer.from(secret.replace(/^whsec_/, ''), 'base64').length < 24) {
    throw new ConfigError('RELINK_CONNECTOR_SECRET', 'must be at least 24 bytes, base64 (whsec_ optional; make one with: openssl rand -base64 32)');
  }
  if (modules.length === 0 && urls.length === 0)
    throw new ConfigError('RELINK_CONNECTORS', 'and RELINK_CONNECTOR_URLS name no connector: Relink needs at least one bank');
  return { modules, urls, secret };
}

function parsePublicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError('RELINK_PUBLIC_URL', `must be an http(s) URL (got "${raw}")`);
  }
}

function parseHttpTimeouts(env: Env): Config['http'] {
  const headersTimeoutMs = integer('RELINK_HEADERS_TIMEOUT_MS', env.RELINK_HEADERS_TIMEOUT_MS, 10_000, 100, 300_000);
  const requestTimeoutMs = integer('RELINK_REQUEST_TIMEOUT_MS', env.RELINK_REQUEST_TIMEOUT_MS, 30_000, 100, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('RELINK_HEADERS_TIMEOUT_MS', `must not exceed RELINK_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  return { headersTimeoutMs, requestTimeoutMs };
}

function parseTrustProxy(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^[0-9A-Fa-f.:/,\s]+$|^(loopback|linklocal|uniquelocal)$/.test(raw.trim())) {
    throw new ConfigError('RELINK_TRUST_PROXY', `must be a comma-separated list of proxy addresses or CIDRs, or loopback (got "${raw}")`);
  }
  return raw.trim();
}

/** At least 32 characters a header can carry (an `openssl rand -hex 32` is 64), so it cannot be guessed. */
function parseMetricsToken(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const token = raw.trim();
  if (token === '') throw new ConfigError('RELINK_METRICS_TOKEN', 'is set but empty (unset it to answer /metrics on loopback only)');
  if (!/^[\x21-\x7e]{32,512}$/.test(token)) {
    throw new ConfigError('RELINK_METRICS_TOKEN', 'must be 32 to 512 printable characters without spaces (make one with: openssl rand -hex 32)');
  }
  return token;
}

function parseSchedule(raw: string | undefined): number[] {
  if (raw === undefined || raw === '') return [5, 300, 1800, 7200, 18000, 36000, 36000];
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > 50 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 7 * 86_400)) {
    throw new ConfigError(
      'RELINK_WEBHOOK_RETRY_SCHEDULE',
      `must be a comma-separated list of at most 50 delays in seconds, each at most 604800 (got "${raw}")`,
    );
  }
  return parts.map(Number);
}

function decodeMasterKey(raw: string, name: string): Buffer {
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== raw.trim()) {
    throw new ConfigError(name, `must be 32 bytes encoded as base64 (make one with: openssl rand -base64 32)`);
  }
  return key;
}

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

const MASTER_KEY_FILE = 'master.key';

/**
 * The master key wraps every data key in the vault. Operators set RELINK_MASTER_KEY; for a
 * local test-mode setup one is generated into the data directory so `npm start` just works.
 * A generated key sits beside the database it protects, so live keys refuse to work with it.
 */
function loadMasterKey(raw: string | undefined, dataDir: string): MasterKey {
  if (raw !== undefined) {
    // Set but empty is a mistake (an unfilled secret), not a request for a generated key.
    if (raw.trim() === '') throw new ConfigError('RELINK_MASTER_KEY', 'is set but empty (unset it to use a generated key in test mode)');
    const key = decodeMasterKey(raw, 'RELINK_MASTER_KEY');
    return { key, id: masterKeyId(key), source: 'env' };
  }
  const file = join(dataDir, MASTER_KEY_FILE);
  try {
    if (!existsSync(file)) createKeyFile(dataDir, file);
    const key = decodeMasterKey(readFileSync(file, 'utf8'), `RELINK_MASTER_KEY (read from ${file})`);
    return { key, id: masterKeyId(key), source: 'file' };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError('--data / RELINK_DATA_DIR', `(${dataDir}) cannot hold the generated ${MASTER_KEY_FILE}: ${reason}`);
  }
}

/**
 * Writes a new key to a private temporary file and links it into place, so a process starting
 * at the same moment sees either no key file or a whole one, and both end up with the same key.
 */
function createKeyFile(dataDir: string, file: string) {
  privateDirectory(dataDir);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  createPrivateFile(temporary, true);
  writeFileSync(temporary, randomBytes(32).toString('base64'));
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function parsePreviousKeys(raw: string | undefined): MasterKey[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((part) => {
    const key = decodeMasterKey(part, 'RELINK_PREVIOUS_MASTER_KEYS');
    return { key, id: masterKeyId(key), source: 'env' as const };
  });
}
