/// <reference lib="dom" />
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
export type ReauthReason = 'challenge' | 'credentials_rejected' | 'confirm_login';

interface Reply {
  body: any;
  retryAfter: number | null;
}

/** The widget API on the server that served this page, with the app's public key. */
export class WidgetApi {
  constructor(private readonly key: string) {}

  async startSession(body: Record<string, unknown>): Promise<StartedSession | Failure> {
    const res = await this.post('session', body);
    if (res.body.status !== 'successful') return failed(res);
    return { id: res.body.data.session.id, ui: res.body.data.ui };
  }

  async reauth(body: Record<string, unknown>): Promise<{ session: string | null; institution: string | null; next: 'login' | 'commit' | null; reason: ReauthReason | null; result: StepResult }> {
    const res = await this.post('reauth', body);
    const data = res.body.data;
    return { session: data?.session?.id ?? null, institution: data?.institution?.id ?? null, next: data?.next ?? null, reason: data?.reason ?? null, result: toResult(res) };
  }

  async step(step: 'login' | 'commit', session: string, body: Record<string, string>): Promise<StepResult> {
    return toResult(await this.post(step, body, session));
  }

  /**
   * Ends a session this widget started (the person closed it, or starts over), so a
   * re-authorisation frees its account at once. `keepalive`: the request outlives the frame
   * connect.js removes, or the page a hosted link leaves. Its answer changes nothing here.
   */
  async cancel(session: string): Promise<void> {
    try {
      await fetch('/v2/connect/widget/cancel', { method: 'POST', headers: { 'x-public-key': this.key, 'x-session-id': session }, keepalive: true });
    } catch {
      // Offline or the page is gone: the session expires on its own.
    }
  }

  private async post(path: string, body: unknown, session?: string): Promise<Reply> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-public-key': this.key };
    if (session) headers['x-session-id'] = session;
    try {
      const response = await fetch(`/v2/connect/widget/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return { body: await response.json(), retryAfter: seconds(response.headers.get('retry-after')) };
    } catch {
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

function failed({ body, retryAfter }: Reply): Failure {
  return {
    kind: 'failed',
    code: String(body.code ?? 'INTERNAL'),
    message: String(body.message ?? ''),
    sessionOpen: typeof body.sessionOpen === 'boolean' ? body.sessionOpen : null,
    retryAfter,
  };
}

function toResult(res: Reply): StepResult {
  const body = res.body;
  if (body.status !== 'successful') return failed(res);
  switch (body.responseCode) {
    case 99:
      return { kind: 'linked', code: body.data.code, redirectUrl: body.data.redirect_url ?? null };
    case 101:
      return { kind: 'accounts', accounts: body.data.accounts };
    case 102:
      return { kind: 'input', ui: body.data.userInput };
    default:
      return failed(res);
  }
}
