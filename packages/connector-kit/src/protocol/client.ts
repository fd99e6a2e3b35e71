import { randomUUID } from 'node:crypto';
import { institutionProblem } from '../module.ts';
import type {
  BankConnector,
  ConnectorContext,
  ConnectorOutcome,
  ConnectorState,
  FetchOutcome,
  FetchRequest,
  LoginInput,
  ResetReason,
  SandboxControls,
} from '../types.ts';
import { incompatibility } from '../version.ts';
import { HEADERS, type Manifest, newMessageId, PATHS, signedHeaders, signedProblem } from './wire.ts';

export interface RemoteOptions {
  /** The secret the service shares with Relink (RELINK_CONNECTOR_SECRET). */
  secret: string;
  /** How long each call may take when the caller gives no signal of its own; sent to the service. Default 30 s. */
  timeoutMs?: number;
  /** How many times a call is sent again after the connection failed before any answer (same idempotency key). Default 1. */
  retries?: number;
}

/** Why a connector service could not be used: its manifest, signature or version. One line. */
export class RemoteConnectorError extends Error {
  override name = 'RemoteConnectorError';
}

const OUTCOMES: readonly string[] = ['ok', 'select', 'challenge', 'wrong_answer', 'invalid_credentials', 'locked', 'unavailable'];
const FETCH_OUTCOMES: readonly string[] = ['ok', 'session_expired', 'unavailable'];

/**
 * Reads a connector service's manifest and returns a connector that calls the service: what
 * Relink does for each of RELINK_CONNECTOR_URLS, and the conformance kit for a URL. Refuses a
 * service whose signature, interface version or institutions do not check out.
 */
export async function connectRemote(url: string, options: RemoteOptions): Promise<{ manifest: Manifest; connector: BankConnector }> {
  const transport = new Transport(url.replace(/\/+$/, ''), options);
  let answer: { status: number; body: unknown };
  try {
    answer = await transport.send('GET', PATHS.manifest, '', undefined, AbortSignal.timeout(options.timeoutMs ?? 30_000));
  } catch (error) {
    if (error instanceof RemoteConnectorError) throw error;
    throw new RemoteConnectorError(`cannot read its manifest (${reason(error)})`);
  }
  if (answer.status !== 200) throw new RemoteConnectorError(`its manifest answered ${answer.status}: ${errorOf(answer.body)}`);
  const manifest = answer.body as Manifest;
  const version = incompatibility(manifest?.interfaceVersion);
  if (version) throw new RemoteConnectorError(version);
  if (typeof manifest.name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(manifest.name)) throw new RemoteConnectorError('its manifest has no valid name');
  if (!Array.isArray(manifest.institutions) || manifest.institutions.length === 0) throw new RemoteConnectorError('its manifest lists no institutions');
  const problem = manifest.institutions.map(institutionProblem).find((p) => p !== undefined);
  if (problem) throw new RemoteConnectorError(problem);
  const connector = manifest.sandboxControls ? new RemoteSandboxConnector(manifest.name, transport) : new RemoteConnector(manifest.name, transport);
  return { manifest, connector };
}

/** A connector whose every call is a signed request to a connector service. */
class RemoteConnector implements BankConnector {
  constructor(
    readonly name: string,
    protected readonly transport: Transport,
  ) {}

  login(input: LoginInput, context: ConnectorContext): Promise<ConnectorOutcome> {
    return this.outcome(PATHS.login, { input }, context);
  }

  answer(state: ConnectorState, fields: Record<string, string>, context: ConnectorContext): Promise<ConnectorOutcome> {
    return this.outcome(PATHS.answer, { state, fields }, context);
  }

  selectAccount(state: ConnectorState, accountNumber: string, context: ConnectorContext): Promise<ConnectorOutcome> {
    return this.outcome(PATHS.selectAccount, { state, accountNumber }, context);
  }

  async fetchData(state: ConnectorState, accountNumber: string, request: FetchRequest, context: ConnectorContext): Promise<FetchOutcome> {
    const answer = await this.transport.call(PATHS.fetchData, { state, accountNumber, request, now: context.now() }, context.signal, false);
    if ('down' in answer) return { kind: 'unavailable', message: answer.down };
    return checked(answer.body, FETCH_OUTCOMES, PATHS.fetchData) as FetchOutcome;
  }

  private async outcome(path: string, body: Record<string, unknown>, context: ConnectorContext): Promise<ConnectorOutcome> {
    const answer = await this.transport.call(path, { ...body, now: context.now() }, context.signal, true);
    if ('down' in answer) return { kind: 'unavailable', message: answer.down };
    return checked(answer.body, OUTCOMES, path) as ConnectorOutcome;
  }
}

class RemoteSandboxConnector extends RemoteConnector implements SandboxControls {
  async resetLogin(institutionId: string, fields: Record<string, string>, reason: ResetReason): Promise<{ username: string; newPassword?: string }> {
    const answer = await this.transport.call(PATHS.resetLogin, { institutionId, fields, reason, now: Date.now() }, AbortSignal.timeout(30_000), true);
    if ('down' in answer) throw new Error(`the sandbox bank service could not reset the login: ${answer.down}`);
    return answer.body as { username: string; newPassword?: string };
  }
}

function checked(body: unknown, kinds: readonly string[], path: string): unknown {
  const kind = (body as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !kinds.includes(kind))
    throw new Error(`the connector service answered ${path} with no known outcome (kind ${JSON.stringify(kind)})`);
  return body;
}

class Transport {
  constructor(
    private readonly base: string,
    private readonly options: RemoteOptions,
  ) {}

  /**
   * One protocol call: `{body}` on 200, `{down}` when the service cannot be reached or says it
   * is down (the bank is unavailable). Throws when the caller's signal aborts (Relink's
   * timeout), and for answers that mean a bug or a misconfiguration (a bad signature, a 4xx, a 500).
   */
  async call(path: string, body: unknown, signal: AbortSignal, idempotent: boolean): Promise<{ body: unknown } | { down: string }> {
    const text = JSON.stringify(body);
    const key = idempotent ? randomUUID() : undefined;
    const retries = this.options.retries ?? 1;
    for (let attempt = 0; ; attempt++) {
      let answer: { status: number; body: unknown };
      try {
        answer = await this.send('POST', path, text, key, signal);
      } catch (error) {
        if (signal.aborted) throw signal.reason ?? error;
        if (error instanceof RemoteConnectorError) throw error;
        if (attempt < retries) continue;
        return { down: `The bank's connector service did not answer (${reason(error)})` };
      }
      if (answer.status === 200) return { body: answer.body };
      if (answer.status === 502 || answer.status === 503 || answer.status === 504) {
        return { down: `The bank's connector service answered ${answer.status}: ${errorOf(answer.body)}` };
      }
      throw new Error(`the connector service answered ${path} with ${answer.status}: ${errorOf(answer.body)}`);
    }
  }

  async send(method: 'GET' | 'POST', path: string, text: string, key: string | undefined, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
    const id = newMessageId();
    const headers: Record<string, string> = {
      ...signedHeaders(this.options.secret, id, text),
      [HEADERS.timeout]: String(this.options.timeoutMs ?? 30_000),
    };
    if (method === 'POST') headers['content-type'] = 'application/json';
    if (key) headers[HEADERS.idempotencyKey] = key;
    const response = await fetch(`${this.base}${path}`, { method, headers, ...(method === 'POST' ? { body: text } : {}), signal });
    const reply = await response.text();
    const header = (name: string) => response.headers.get(name) ?? undefined;
    if (response.status === 401 && !header(HEADERS.signature)) {
      throw new RemoteConnectorError(`the service refused Relink's signature (${errorOf(parse(reply))}): is RELINK_CONNECTOR_SECRET the service's secret?`);
    }
    const problem = signedProblem(header, reply, this.options.secret);
    if (problem) throw new RemoteConnectorError(`its answer to ${path} is not signed with the shared secret (${problem})`);
    if (header(HEADERS.id) !== id) throw new RemoteConnectorError(`its answer to ${path} was signed for another request`);
    return { status: response.status, body: parse(reply) };
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorOf(body: unknown): string {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error : 'no reason given';
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
