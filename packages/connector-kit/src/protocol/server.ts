import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectorEnvironment, ConnectorLog, ConnectorModule } from '../module.ts';
import { hasSandboxControls, type BankConnector, type ConnectorContext, type ResetReason } from '../types.ts';
import { PROTOCOL_OPENAPI } from './openapi.ts';
import { HEADERS, IDEMPOTENT_PATHS, type Manifest, PATHS, signedHeaders, signedProblem } from './wire.ts';

/**
 * Faults the service puts in front of its connector, for rehearsing a bank that misbehaves:
 * `down` answers 503, `reset` drops the connection without an answer, `slow` holds every answer
 * until the caller gives up; `latencyMs` delays every answer.
 */
export interface Faults {
  mode: 'none' | 'down' | 'reset' | 'slow';
  latencyMs: number;
}

export interface ServeOptions {
  /** The secret Relink shares with this service (RELINK_CONNECTOR_SECRET). */
  secret: string;
  port?: number;
  /** 127.0.0.1 unless told otherwise. */
  host?: string;
  faults?: Partial<Faults>;
  /** Whether a signed `POST /v1/faults` may change the faults while the service runs (tests, the sandbox bank). */
  faultControl?: boolean;
  /** How long an idempotency key's answer is kept for a retry. Default 10 minutes. */
  idempotencyTtlMs?: number;
  env?: ConnectorEnvironment['env'];
  log?: ConnectorLog;
}

export interface ConnectorService {
  url: string;
  faults: Faults;
  connector: BankConnector;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
}

const MAX_BODY = 1_000_000;
const MAX_KEYS = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** How long a `slow` fault holds an answer when the caller does not give up first. */
const SLOW_HOLD_MS = 120_000;

/**
 * Serves a connector module over the connector protocol (wire.ts, openapi.ts), so a bank's
 * integration can run as a service of its own: `RELINK_CONNECTOR_URLS` names it to Relink.
 */
export async function serveConnector(module: ConnectorModule, options: ServeOptions): Promise<ConnectorService> {
  const log = options.log ?? silentLog;
  const connector = await module.create({ env: options.env ?? process.env, log });
  const faults: Faults = { mode: 'none', latencyMs: 0, ...options.faults };
  const manifest: Manifest = {
    protocol: 1,
    interfaceVersion: module.interfaceVersion,
    name: module.name,
    institutions: module.institutions,
    sandboxControls: hasSandboxControls(connector),
    testLogins: module.testLogins,
  };
  const idempotency = new Map<string, { hash: string; at: number; reply: Promise<Reply> }>();
  const ttl = options.idempotencyTtlMs ?? 10 * 60_000;

  async function route(path: string, body: Record<string, unknown>, context: ConnectorContext): Promise<Reply> {
    const state = body.state as Record<string, unknown>;
    switch (path) {
      case PATHS.login:
        return { status: 200, body: await connector.login(body.input as Parameters<BankConnector['login']>[0], context) };
      case PATHS.answer:
        return { status: 200, body: await connector.answer(state, body.fields as Record<string, string>, context) };
      case PATHS.selectAccount:
        return { status: 200, body: await connector.selectAccount(state, String(body.accountNumber), context) };
      case PATHS.fetchData:
        return { status: 200, body: await connector.fetchData(state, String(body.accountNumber), (body.request ?? {}) as { since?: number }, context) };
      case PATHS.resetLogin:
        if (!hasSandboxControls(connector)) return { status: 404, body: { error: 'this connector has no sandbox controls' } };
        return {
          status: 200,
          body: await connector.resetLogin(String(body.institutionId), body.fields as Record<string, string>, body.reason as ResetReason),
        };
      default:
        return { status: 404, body: { error: `no route ${path}` } };
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://connector').pathname;
    if (request.method === 'GET' && path === PATHS.openapi) return send(response, { status: 200, body: PROTOCOL_OPENAPI });
    const raw = await readBody(request);
    if (raw === undefined) return send(response, { status: 413, body: { error: `the body is over ${MAX_BODY} bytes` } });
    const header = (name: string) => single(request.headers[name]);
    const problem = signedProblem(header, raw, options.secret);
    if (problem) return send(response, { status: 401, body: { error: problem } });
    const id = header(HEADERS.id)!;
    if (path === PATHS.faults && request.method === 'POST') {
      if (!options.faultControl) return send(response, { status: 404, body: { error: 'fault control is off' } }, id);
      const wanted = parse(raw) as Partial<Faults> | undefined;
      if (wanted?.mode !== undefined && !['none', 'down', 'reset', 'slow'].includes(wanted.mode)) {
        return send(response, { status: 400, body: { error: 'mode must be none, down, reset or slow' } }, id);
      }
      if (wanted?.mode !== undefined) faults.mode = wanted.mode;
      if (typeof wanted?.latencyMs === 'number' && wanted.latencyMs >= 0 && wanted.latencyMs <= 600_000) faults.latencyMs = wanted.latencyMs;
      return send(response, { status: 200, body: faults }, id);
    }
    if (faults.mode === 'reset') {
      request.socket.destroy();
      return;
    }
    if (faults.mode === 'down') return send(response, { status: 503, body: { error: 'the bank is down (fault injected)' } }, id);
    const gone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) gone.abort(new Error('the caller went away'));
    });
    if (faults.latencyMs > 0) await sleep(faults.latencyMs, undefined, { signal: gone.signal }).catch(() => undefined);
    if (faults.mode === 'slow') await sleep(SLOW_HOLD_MS, undefined, { signal: gone.signal }).catch(() => undefined);
    if (gone.signal.aborted) return;
    if (request.method === 'GET' && path === PATHS.manifest) return send(response, { status: 200, body: manifest }, id);
    if (request.method !== 'POST') return send(response, { status: 405, body: { error: `${request.method} ${path} is not a protocol call` } }, id);
    const body = parse(raw);
    if (!body || typeof body !== 'object' || typeof (body as { now?: unknown }).now !== 'number') {
      return send(response, { status: 400, body: { error: 'the body must be a JSON object with now (epoch ms)' } }, id);
    }
    const timeoutMs = boundedTimeout(header(HEADERS.timeout));
    const run = async (): Promise<Reply> => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('Relink stopped waiting')), timeoutMs);
      const context: ConnectorContext = { signal: AbortSignal.any([controller.signal, gone.signal]), now: () => (body as { now: number }).now };
      try {
        return await route(path, body as Record<string, unknown>, context);
      } catch (error) {
        if (context.signal.aborted) return { status: 504, body: { error: 'the connector did not answer in time' } };
        log.error('the connector threw', { path, error: (error as Error).name });
        return { status: 500, body: { error: `the connector threw (${(error as Error).name}); its own log says why` } };
      } finally {
        clearTimeout(timer);
      }
    };
    if (!IDEMPOTENT_PATHS.includes(path)) return send(response, await run(), id);
    const key = header(HEADERS.idempotencyKey);
    if (!key || key.length > 200)
      return send(response, { status: 400, body: { error: `${path} needs an idempotency-key header (at most 200 characters)` } }, id);
    const hash = createHash('sha256').update(`${path}\n${raw}`).digest('hex');
    sweep(idempotency, ttl);
    const earlier = idempotency.get(`${path} ${key}`);
    if (earlier && earlier.hash !== hash) return send(response, { status: 409, body: { error: 'this idempotency-key was used with another body' } }, id);
    if (earlier) return send(response, await earlier.reply, id);
    const reply = run();
    idempotency.set(`${path} ${key}`, { hash, at: Date.now(), reply });
    return send(response, await reply, id);
  }

  function send(response: ServerResponse, reply: Reply, id?: string) {
    if (response.destroyed) return;
    const text = JSON.stringify(reply.body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (id) Object.assign(headers, signedHeaders(options.secret, id, text));
    response.writeHead(reply.status, headers).end(text);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.error('the connector service failed', { error: (error as Error).name });
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    faults,
    connector,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const silentLog: ConnectorLog = { info() {}, warn() {}, error() {} };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(' ') : value;
}

function boundedTimeout(raw: string | undefined): number {
  const ms = Number(raw);
  return Number.isInteger(ms) && ms >= 1 && ms <= 600_000 ? ms : DEFAULT_TIMEOUT_MS;
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sweep(entries: Map<string, { at: number }>, ttl: number) {
  const now = Date.now();
  for (const [key, entry] of entries) {
    if (now - entry.at > ttl || entries.size > MAX_KEYS) entries.delete(key);
    else break;
  }
}
