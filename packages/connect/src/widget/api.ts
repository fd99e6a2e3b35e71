/// <reference lib="dom" />
// Types only from the contract: esbuild drops these imports, so no TypeBox reaches the browser.
import type { BodyOf, DataOf, FailureOf, HeadersOf, ReplyOf } from '@relink/contract/operation';
import type { widgetCancel, widgetCommit, widgetLogin, widgetReauth, widgetSession } from '@relink/contract/operations';
import type { BankAccountChoice, FormUi } from './config.ts';

export type Failure = {
  kind: 'failed';
  code: string;
  /** The server's message: for the partner's developer, never shown to the person as it is (it may name ids). */
  message: string;
  sessionOpen: boolean | null;
  /** Seconds until another attempt may go through (the `Retry-After` of a 429), if the server said. */
  retryAfter: number | null;
};

export type StepResult =
  | { kind: 'linked'; code: string; redirectUrl: string | null }
  | { kind: 'accounts'; accounts: BankAccountChoice[] }
  | { kind: 'input'; ui: FormUi }
  | Failure;

export interface StartedSession {
  id: string;
  ui: FormUi;
}

/** Why a re-authorisation needs the person (`data.reason` of the reauth start). */
export type ReauthReason = NonNullable<DataOf<typeof widgetReauth>['reason']>;

/** The widget API's operations (contract/operations/widget.ts) by path: a path the contract does not declare does not compile. */
type Operations = typeof widgetSession | typeof widgetReauth | typeof widgetLogin | typeof widgetCommit | typeof widgetCancel;
type Path = Operations['path'];
type At<P extends Path> = Extract<Operations, { path: P }>;

/** The client's own failure when no answer came (offline, or not JSON). */
interface Unreachable {
  status: 'failed';
  code: 'NETWORK';
  message: string;
}

/** An answer: the operation's reply or its failure envelope, and a 429's `Retry-After`. */
interface Reply<O extends Operations> {
  body: ReplyOf<O> | FailureOf<O> | Unreachable;
  retryAfter: number | null;
}

/** The widget API on the server that served this page, with the app's public key. */
export class WidgetApi {
  constructor(private readonly key: string) {}

  async startSession(body: BodyOf<typeof widgetSession>): Promise<StartedSession | Failure> {
    const res = await this.post('/v2/connect/widget/session', body);
    if (res.body.status !== 'successful') return failed(res.body, res.retryAfter);
    return { id: res.body.data.session.id, ui: res.body.data.ui };
  }

  async reauth(
    body: BodyOf<typeof widgetReauth>,
  ): Promise<{ session: string | null; institution: string | null; next: 'login' | 'commit' | null; reason: ReauthReason | null; result: StepResult }> {
    const res = await this.post('/v2/connect/widget/reauth', body);
    const data = res.body.status === 'successful' ? res.body.data : null;
    return {
      session: data?.session.id ?? null,
      institution: data?.institution.id ?? null,
      next: data?.next ?? null,
      reason: data?.reason ?? null,
      result: toResult(res),
    };
  }

  async step(step: 'login' | 'commit', session: string, body: BodyOf<typeof widgetLogin | typeof widgetCommit>): Promise<StepResult> {
    return toResult(await this.post(`/v2/connect/widget/${step}`, body, { 'x-session-id': session }));
  }

  /**
   * Ends a session this widget started (the person closed it, or starts over), so a
   * re-authorisation frees its account at once. `keepalive`: the request outlives the frame
   * connect.js removes, or the page a hosted link leaves. Its answer changes nothing here; if
   * it never arrives, the session expires on its own.
   */
  async cancel(session: string): Promise<void> {
    await this.post('/v2/connect/widget/cancel', undefined, { 'x-session-id': session }, { keepalive: true });
  }

  private async post<P extends Path>(path: P, body: BodyOf<At<P>>, sent?: HeadersOf<At<P>>, init: RequestInit = {}): Promise<Reply<At<P>>> {
    const headers: Record<string, string> = { 'x-public-key': this.key, ...sent };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(path, { ...init, method: 'POST', headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { body: (await response.json()) as Reply<At<P>>['body'], retryAfter: seconds(response.headers.get('retry-after')) };
    } catch {
      // Offline, the page is gone, or an answer that is not JSON (a proxy's error page).
      return { body: { status: 'failed', code: 'NETWORK', message: 'Could not reach the server' }, retryAfter: null };
    }
  }
}

/** `Retry-After` as seconds from now: a number of seconds or an HTTP date. */
function seconds(header: string | null): number | null {
  if (!header) return null;
  const value = /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
}

/** Read defensively all the same: a failure may come from a proxy in front of the server, not from the contract. */
function failed(body: FailureOf<Operations> | Unreachable, retryAfter: number | null): Failure {
  return {
    kind: 'failed',
    code: String(body.code ?? 'INTERNAL'),
    message: String(body.message ?? ''),
    sessionOpen: 'sessionOpen' in body && typeof body.sessionOpen === 'boolean' ? body.sessionOpen : null,
    retryAfter,
  };
}

/** A step's answer as what the widget does next; a reply the contract does not describe is a failure. */
function toResult({ body, retryAfter }: Reply<typeof widgetLogin | typeof widgetCommit | typeof widgetReauth>): StepResult {
  if (body.status !== 'successful') return failed(body, retryAfter);
  const data = body.data;
  if (body.responseCode === 99 && 'code' in data) return { kind: 'linked', code: data.code, redirectUrl: data.redirect_url ?? null };
  if (body.responseCode === 101 && 'accounts' in data) return { kind: 'accounts', accounts: data.accounts };
  if (body.responseCode === 102 && 'userInput' in data) return { kind: 'input', ui: data.userInput };
  return { kind: 'failed', code: 'INTERNAL', message: body.message, sessionOpen: null, retryAfter };
}
