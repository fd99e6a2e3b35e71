/// <reference lib="dom" />
import type { BankAccountChoice, FormUi } from './config.ts';

export type StepResult =
  | { kind: 'linked'; code: string; redirectUrl: string | null }
  | { kind: 'accounts'; accounts: BankAccountChoice[] }
  | { kind: 'input'; ui: FormUi }
  | { kind: 'failed'; code: string; message: string; sessionOpen: boolean | null };

export interface StartedSession {
  id: string;
  ui: FormUi;
}

/** The widget API on the server that served this page, with the app's public key. */
export class WidgetApi {
  constructor(private readonly key: string) {}

  async startSession(body: Record<string, unknown>): Promise<StartedSession | Extract<StepResult, { kind: 'failed' }>> {
    const res = await this.post('session', body);
    if (res.status !== 'successful') return failed(res);
    return { id: res.data.session.id, ui: res.data.ui };
  }

  async reauth(body: Record<string, unknown>): Promise<{ session: string | null; next: 'login' | 'commit' | null; result: StepResult }> {
    const res = await this.post('reauth', body);
    return { session: res.data?.session?.id ?? null, next: res.data?.next ?? null, result: toResult(res) };
  }

  async step(step: 'login' | 'commit', session: string, body: Record<string, string>): Promise<StepResult> {
    return toResult(await this.post(step, body, session));
  }

  private async post(path: string, body: unknown, session?: string): Promise<any> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-public-key': this.key };
    if (session) headers['x-session-id'] = session;
    try {
      const response = await fetch(`/v2/connect/widget/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return await response.json();
    } catch {
      return { status: 'failed', code: 'NETWORK', message: 'Could not reach the server; check your connection and try again' };
    }
  }
}

function failed(res: any): Extract<StepResult, { kind: 'failed' }> {
  return { kind: 'failed', code: String(res.code ?? 'INTERNAL'), message: String(res.message ?? 'Something went wrong'), sessionOpen: typeof res.sessionOpen === 'boolean' ? res.sessionOpen : null };
}

function toResult(res: any): StepResult {
  if (res.status !== 'successful') return failed(res);
  switch (res.responseCode) {
    case 99:
      return { kind: 'linked', code: res.data.code, redirectUrl: res.data.redirect_url ?? null };
    case 101:
      return { kind: 'accounts', accounts: res.data.accounts };
    case 102:
      return { kind: 'input', ui: res.data.userInput };
    default:
      return failed(res);
  }
}
