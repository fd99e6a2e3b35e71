/**
 * TEMPORARY: the typed Partners API client lands in `@relink/sdk` (issue 11, item 1). Until
 * then this file is a small fetch wrapper with the same method names, so that swapping it
 * for `import { Relink, RelinkError } from '@relink/sdk'` changes only imports.
 */
export interface FormElement {
  type: string;
  name: string;
  hint?: string;
  contentType?: 'string' | 'password' | 'integer';
  maxLength?: number;
  value?: string;
  options?: unknown[];
}
export interface Ui {
  title: string;
  form: FormElement[];
}
export type StepReply =
  | { responseCode: 99; message: string; data: { code: string } }
  | { responseCode: 101; message: string; data: { accounts: { accountNumber: string; name: string; type: string; currency: string; balance: number | null }[] } }
  | { responseCode: 102; message: string; data: { userInput: Ui } };
export type ReauthStart =
  | { responseCode: 99; code: string }
  | { responseCode: 102; session: { id: string; expiresAt: number }; userInput: Ui; next: '/v2/connect/reauth/login' | '/v2/connect/commit' };
export interface Transaction {
  _id: string;
  type: 'debit' | 'credit';
  amount: number;
  narration: string;
  date: string;
  balance: number;
  currency: string;
}
export interface AccountDetails {
  account: { id: string; name: string; currency: string; type: string; account_number: string; balance: number | null; institution: { name: string; bank_code: string; type: string } };
  customer: { id: string };
  meta: { data_status: string; auth_method: string; reauth_required: boolean; last_synced_at: string | null; last_sync_error?: string | null };
}

export class RelinkError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'RelinkError';
  }
}

export class Relink {
  readonly #secretKey: string;
  readonly #baseUrl: string;
  constructor(options: { secretKey: string; baseUrl?: string }) {
    this.#secretKey = options.secretKey;
    this.#baseUrl = (options.baseUrl ?? 'https://api.withmono.com').replace(/\/+$/, '');
  }

  readonly accounts = {
    exchange: async (code: string) => (await this.#data<{ id: string }>('POST', '/v2/accounts/auth', { code })).data,
    get: async (id: string) => (await this.#data<AccountDetails>('GET', `/v2/accounts/${enc(id)}`)).data,
    balance: async (id: string) => (await this.#data<{ id: string; name: string; account_number: string; balance: number; currency: string }>('GET', `/v2/accounts/${enc(id)}/balance`)).data,
    transactions: async (id: string, query: { limit?: number; page?: number } = {}) => {
      const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
      const body = await this.#data<Transaction[]>('GET', `/v2/accounts/${enc(id)}/transactions?${qs}`);
      return { data: body.data, meta: body.meta as { total: number; page: number; previous: string | null; next: string | null } };
    },
    sync: async (id: string) => (await this.#data('POST', `/v2/accounts/${enc(id)}/sync`)).data,
    reauthorise: async (id: string) => (await this.#data<{ token: string; expires_at: string }>('POST', `/v2/accounts/${enc(id)}/reauthorise`)).data,
  };

  readonly reauth = {
    start: async (account: string) => (await this.#data<ReauthStart>('POST', '/v2/connect/reauth/session', { account })).data,
    login: async (sessionId: string, fields: Record<string, unknown>) => step(await this.#data('POST', '/v2/connect/reauth/login', fields, sessionId)),
  };

  readonly connect = {
    commit: async (sessionId: string, fields: Record<string, unknown>) => step(await this.#data('POST', '/v2/connect/commit', fields, sessionId)),
  };

  readonly sandbox = {
    resetLogin: async (id: string, body: { reason: 'mfa_required' | 'password_changed' }) =>
      (await this.#data<{ account: string; reason: string; username: string; new_password: string | null; reauth_required: boolean }>('POST', `/v2/sandbox/accounts/${enc(id)}/reset-login`, body)).data,
  };

  async #data<T = unknown>(method: string, path: string, body?: unknown, sessionId?: string): Promise<{ data: T; meta?: unknown; message: string; responseCode?: number }> {
    const headers: Record<string, string> = { 'mono-sec-key': this.#secretKey, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (sessionId) headers['x-session-id'] = sessionId;
    const response = await fetch(this.#baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok || parsed?.status === 'failed') throw new RelinkError(response.status, parsed?.code, parsed?.message ?? `${method} ${path} answered ${response.status}`, parsed ?? text);
    return parsed;
  }
}

function step(body: { data: unknown; message: string; responseCode?: number }): StepReply {
  return { responseCode: body.responseCode, message: body.message, data: body.data } as StepReply;
}

const enc = encodeURIComponent;
