import type { BodyOf, DataOf, Operation, QueryOf, ReplyOf } from '@relink/contract/operation';
import * as op from '@relink/contract/operations';
import { type CallInput, type ClientOptions, Transport } from './transport.ts';

type Fields = Record<string, unknown>;
type Call = { idempotencyKey?: string; signal?: AbortSignal };
/** A data call: `realtime` asks the bank now (Mono's `x-realtime: true`) instead of answering the last sync. */
type DataCall = Call & { realtime?: boolean };

/** `call` as the transport takes it, with `realtime` as Mono's header. */
const data = ({ realtime, ...call }: DataCall) => ({ ...call, ...(realtime ? { headers: { 'x-realtime': 'true' as const } } : {}) });

/** A v2 login or commit answer: `switch (reply.responseCode)` narrows `reply.data`. */
export type StepReply = ReplyOf<typeof op.login>;
/** A v1 login or commit answer, narrowed the same way. */
export type StepReplyV1 = ReplyOf<typeof op.loginV1>;
/** `POST /v2/connect/reauth/session`'s `data`: 99 with `code`, or 102 with the form and where to send it. */
export type ReauthStart = DataOf<typeof op.startReauth>;
/** A PDF statement's job: `BUILDING`, then `BUILT` with `path` (the file's URL), or `FAILED`. */
export type StatementJob = DataOf<typeof op.getStatementJob>;
type StatementReply = ReplyOf<typeof op.getStatement>;
/** A JSON statement (v2): the transactions, newest first, and `meta` (count, period, balances, totals). */
export type Statement = { data: Extract<StatementReply['data'], unknown[]>; meta: NonNullable<StatementReply['meta']> };
type StatementPeriod = NonNullable<QueryOf<typeof op.getStatement>>['period'];

/**
 * A client for the Partners API, against Relink or Mono itself (`baseUrl`). Each method is
 * one operation of `@relink/contract`, so its input and answer types are the server's own.
 * v2 methods answer the envelope's `data`; login and commit answer the whole reply, whose
 * `responseCode` says what to do next. Failures throw `RelinkError` (status, code, body);
 * no answer after the retries throws `RelinkConnectionError`.
 */
export class Relink {
  readonly #transport: Transport;

  constructor(options: ClientOptions) {
    this.#transport = new Transport(options);
  }

  /** Any operation of the contract, typed by it: the escape hatch under every method below. */
  request<O extends Operation>(operation: O, input: CallInput<O> = {}): Promise<ReplyOf<O>> {
    return this.#transport.call(operation, input);
  }

  readonly institutions = {
    /** `GET /v3/institutions`. */
    list: async (query: Partial<QueryOf<typeof op.listInstitutions>> = {}, call: Call = {}) =>
      (await this.#transport.call(op.listInstitutions, { query, ...call })).data,
  };

  /** Linking: a v2 session, its login and its commits (seed 003). */
  readonly connect = {
    /** `POST /v2/connect/session`: the session and the login form. */
    createSession: async (body: BodyOf<typeof op.createSession>, call: Call = {}) => (await this.#transport.call(op.createSession, { body, ...call })).data,
    /** `POST /v2/connect/login`. */
    login: (sessionId: string, fields: Fields, call: Call = {}): Promise<StepReply> =>
      this.#transport.call(op.login, { headers: { 'x-session-id': sessionId }, body: fields, ...call }),
    /** `POST /v2/connect/commit`: an OTP, a security answer or the chosen account, for a link or a reauth. */
    commit: (sessionId: string, fields: Fields, call: Call = {}): Promise<StepReply> =>
      this.#transport.call(op.commit, { headers: { 'x-session-id': sessionId }, body: fields, ...call }),
    /** `GET /v2/connect/sandbox`: the sandbox bank's users and answers (test keys). */
    sandbox: async (call: Call = {}) => (await this.#transport.call(op.sandboxCredentials, call)).data,
  };

  /** Re-authorisation over v2: start, then answer what the bank asks at `next` until 99. */
  readonly reauth = {
    /** `POST /v2/connect/reauth/session`: 99 with `code` when the bank needed nothing, or 102 with `userInput`, `session` and `next`. */
    start: async (accountId: string, call: Call = {}): Promise<ReauthStart> =>
      (await this.#transport.call(op.startReauth, { body: { account: accountId }, ...call })).data,
    /** `POST /v2/connect/reauth/login`: new credentials when `next` is `/v2/connect/reauth/login`. */
    login: (sessionId: string, fields: Fields & { username: string; password: string }, call: Call = {}): Promise<StepReply> =>
      this.#transport.call(op.reauthLogin, { headers: { 'x-session-id': sessionId }, body: fields, ...call }),
    /** `POST /v2/connect/commit`: the MFA answer when `next` is `/v2/connect/commit`. */
    commit: (sessionId: string, fields: Fields, call: Call = {}): Promise<StepReply> => this.connect.commit(sessionId, fields, call),
    /** `POST /v2/connect/cancel`: ends a live session of the app (a stuck reauth frees its account at once). */
    cancel: async (sessionId: string, call: Call = {}) =>
      (await this.#transport.call(op.cancelSession, { headers: { 'x-session-id': sessionId }, ...call })).data,
    /** Sends `fields` where a 102's `next` says: `reauth.login` or `connect.commit`. */
    answer: (next: Extract<ReauthStart, { responseCode: 102 }>['next'], sessionId: string, fields: Fields, call: Call = {}): Promise<StepReply> =>
      next === op.REAUTH_NEXT.login
        ? this.reauth.login(sessionId, fields as Fields & { username: string; password: string }, call)
        : this.connect.commit(sessionId, fields, call),
  };

  readonly accounts = {
    /** `GET /v2/accounts`: one page of the app's accounts, oldest link first, with its paging block; `reauth_required: true` finds those waiting. */
    list: async (query: Partial<QueryOf<typeof op.listAccounts>> = {}, call: Call = {}) => {
      const reply = await this.#transport.call(op.listAccounts, { query, ...call });
      return { data: reply.data, meta: reply.meta };
    },
    /** `POST /v2/accounts/auth`: a code from a link or a reauth, for the account id. */
    exchange: async (code: string, call: Call = {}) => (await this.#transport.call(op.exchangeCode, { body: { code }, ...call })).data,
    /** `GET /v2/accounts/{id}`: details, and `meta.reauth_required`; `{realtime: true}` asks the bank first. */
    get: async (id: string, call: DataCall = {}) => (await this.#transport.call(op.getAccount, { params: { id }, ...data(call) })).data,
    /** `GET /v2/accounts/{id}/balance`; `{realtime: true}` asks the bank first. */
    balance: async (id: string, call: DataCall = {}) => (await this.#transport.call(op.getBalance, { params: { id }, ...data(call) })).data,
    /** `GET /v2/accounts/{id}/identity`. */
    identity: async (id: string, call: Call = {}) => (await this.#transport.call(op.getIdentity, { params: { id }, ...call })).data,
    /** `GET /v2/accounts/{id}/transactions`: one page, newest first, with its paging block; `{realtime: true}` asks the bank first. */
    transactions: async (id: string, query: Partial<QueryOf<typeof op.listTransactions>> = {}, call: DataCall = {}) => {
      const reply = await this.#transport.call(op.listTransactions, { params: { id }, query, ...data(call) });
      return { data: reply.data, meta: reply.meta };
    },
    /** `GET /v2/accounts/{id}/credits`: money in, in all and month by month, with `meta` (how fresh the data is). */
    credits: async (id: string, call: Call = {}) => {
      const reply = await this.#transport.call(op.getCredits, { params: { id }, ...call });
      return { data: reply.data, meta: reply.meta };
    },
    /** `GET /v2/accounts/{id}/debits`: money out, the same way. */
    debits: async (id: string, call: Call = {}) => {
      const reply = await this.#transport.call(op.getDebits, { params: { id }, ...call });
      return { data: reply.data, meta: reply.meta };
    },
    /** `GET /v2/accounts/{id}/income`: the income estimated from the stored credits (`period`: months back), with `meta`. */
    income: async (id: string, query: Partial<QueryOf<typeof op.getIncome>> = {}, call: Call = {}) => {
      const reply = await this.#transport.call(op.getIncome, { params: { id }, query, ...call });
      return { data: reply.data, meta: reply.meta };
    },
    /** `GET /v2/accounts/{id}/income-records`: the analysis and the credits it counted as income, with their stream. */
    incomeRecords: async (id: string, query: Partial<QueryOf<typeof op.listIncomeRecords>> = {}, call: Call = {}) => {
      const reply = await this.#transport.call(op.listIncomeRecords, { params: { id }, query, ...call });
      return { data: reply.data, meta: reply.meta };
    },
    /** `GET /v2/accounts/{id}/jobs/{jobId}`: a real-time job, by the `x-job-id` of its call or the `id` of its `mono.accounts.jobs.update`. */
    job: async (id: string, jobId: string, call: Call = {}) => (await this.#transport.call(op.getJob, { params: { id, jobId }, ...call })).data,
    /** `POST /v2/accounts/{id}/sync`: queue a sync; `account_updated` follows. */
    sync: async (id: string, call: Call = {}) => (await this.#transport.call(op.sync, { params: { id }, ...call })).data,
    /** `POST /v2/accounts/{id}/unlink`. */
    unlink: async (id: string, call: Call = {}) => {
      await this.#transport.call(op.unlink, { params: { id }, ...call });
    },
    /** `POST /v2/accounts/{id}/reauthorise`: a reauth token (seed 000) for the widget or a v1 session. */
    reauthorise: async (id: string, call: Call = {}) => (await this.#transport.call(op.reauthorise, { params: { id }, ...call })).data,
    /** `GET /v2/accounts/{id}/statement?output=json`: the period's transactions (12 months by default) with its balances and totals. */
    statement: async (id: string, query: { period?: StatementPeriod } = {}, call: Call = {}): Promise<Statement> => {
      const reply = await this.#transport.call(op.getStatement, { params: { id }, query: { ...query, output: 'json' }, ...call });
      if (!Array.isArray(reply.data) || !reply.meta) throw new TypeError('the statement answer holds no transactions');
      return { data: reply.data, meta: reply.meta };
    },
    /** `GET /v2/accounts/{id}/statement?output=pdf`: starts building the PDF; poll `statementJob` until `BUILT`. */
    statementPdf: async (id: string, query: { period?: StatementPeriod } = {}, call: Call = {}): Promise<StatementJob> => {
      const { data } = await this.#transport.call(op.getStatement, { params: { id }, query: { ...query, output: 'pdf' }, ...call });
      if (Array.isArray(data) || !('status' in data)) throw new TypeError('the statement answer holds no job');
      return data;
    },
    /** `GET /v2/accounts/{id}/statement/jobs/{jobId}`: the job, with a fresh `path` to its file. */
    statementJob: async (id: string, jobId: string, call: Call = {}) =>
      (await this.#transport.call(op.getStatementJob, { params: { id, jobId }, ...call })).data,
    /**
     * The PDF at a BUILT job's `path`, as bytes. Sent without the secret key: the URL is the
     * credential, and a `path` may name another host (Mono's), which must never see the key.
     */
    downloadStatement: (path: string, call: Pick<Call, 'signal'> = {}): Promise<Uint8Array> => this.#transport.download(path, call.signal),
  };

  /** Mono's customers: the people and businesses accounts are linked for (`customer: {id}` in a session). */
  readonly customers = {
    /** `POST /v2/customers`: an individual (`first_name`, `last_name`) or a business (`business_name`); the email is unique in the app. */
    create: async (body: BodyOf<typeof op.createCustomer>, call: Call = {}) => (await this.#transport.call(op.createCustomer, { body, ...call })).data,
    /** `GET /v2/customers/{id}`. */
    get: async (id: string, call: Call = {}) => (await this.#transport.call(op.getCustomer, { params: { id }, ...call })).data,
    /** `GET /v2/customers`: one page, oldest first, by `email` or `phone` if given. */
    list: async (query: Partial<QueryOf<typeof op.listCustomers>> = {}, call: Call = {}) => {
      const reply = await this.#transport.call(op.listCustomers, { query, ...call });
      return { data: reply.data, meta: reply.meta };
    },
    /** `PATCH /v2/customers/{id}`: the fields given replace the stored ones; the customer as it now is. */
    update: async (id: string, body: BodyOf<typeof op.updateCustomer>, call: Call = {}) =>
      (await this.#transport.call(op.updateCustomer, { params: { id }, body, ...call })).data,
    /** `DELETE /v2/customers/{id}`: refused (`CUSTOMER_HAS_ACCOUNTS`) while it has linked accounts. */
    delete: async (id: string, call: Call = {}) => {
      await this.#transport.call(op.deleteCustomer, { params: { id }, ...call });
    },
    /** `GET /v2/customers/{id}/accounts`: its accounts, filtered and paged as `accounts.list`. */
    accounts: async (id: string, query: Partial<QueryOf<typeof op.listCustomerAccounts>> = {}, call: Call = {}) => {
      const reply = await this.#transport.call(op.listCustomerAccounts, { params: { id }, query, ...call });
      return { data: reply.data, meta: reply.meta };
    },
  };

  /** Hosted links (Connect Link) and the origins allowed to frame the widget. */
  readonly links = {
    /** `POST /v2/accounts/initiate`: `mono_url` to send the user to. */
    initiate: async (body: BodyOf<typeof op.initiateLink>, call: Call = {}) => (await this.#transport.call(op.initiateLink, { body, ...call })).data,
    origins: async (call: Call = {}) => (await this.#transport.call(op.getOrigins, call)).data.origins,
    setOrigins: async (origins: string[] | null, call: Call = {}) => (await this.#transport.call(op.setOrigins, { body: { origins }, ...call })).data.origins,
  };

  /** The webhook endpoint, its secret, and the event and delivery log [Relink]. */
  readonly webhooks = {
    endpoint: async (call: Call = {}) => (await this.#transport.call(op.getEndpoint, call)).data,
    /** `PUT /v2/webhooks/endpoint`: the answer holds `webhook_secret`, shown only now. */
    setEndpoint: async (url: string, call: Call = {}) => (await this.#transport.call(op.setEndpoint, { body: { url }, ...call })).data,
    rotateSecret: async (call: Call = {}) => (await this.#transport.call(op.rotateSecret, call)).data,
    events: async (query: { page?: number; limit?: number } = {}, call: Call = {}) => {
      const reply = await this.#transport.call(op.listEvents, { query, ...call });
      return { data: reply.data, meta: reply.meta };
    },
    replayEvent: async (eventId: string, call: Call = {}) => (await this.#transport.call(op.replayEvent, { params: { id: eventId }, ...call })).data,
    deliveries: async (query: Partial<QueryOf<typeof op.listDeliveries>> = {}, call: Call = {}) => {
      const reply = await this.#transport.call(op.listDeliveries, { query, ...call });
      return { data: reply.data, meta: reply.meta };
    },
    delivery: async (id: string, call: Call = {}) => (await this.#transport.call(op.getDelivery, { params: { id }, ...call })).data,
    replayDelivery: async (id: string, call: Call = {}) => (await this.#transport.call(op.replayDelivery, { params: { id }, ...call })).data,
  };

  /** Test keys only: make the sandbox bank misbehave on purpose. */
  readonly sandbox = {
    /** `POST /v2/sandbox/accounts/{id}/reset-login`: the account needs re-authorisation now. */
    resetLogin: async (id: string, body: { reason?: 'mfa_required' | 'password_changed' } = {}, call: Call = {}) =>
      (await this.#transport.call(op.resetLogin, { params: { id }, body, ...call })).data,
    /** `POST /v2/sandbox/reset`: every sandbox bank user back to `pass_good`, no forced OTP (the bank is shared by the server's test apps). */
    reset: async (call: Call = {}) => (await this.#transport.call(op.resetSandbox, call)).data,
    /** `POST /v2/sandbox/webhooks/fire`: send any event for one of your accounts. */
    fire: async (body: BodyOf<typeof op.fireSandboxEvent>, call: Call = {}) => (await this.#transport.call(op.fireSandboxEvent, { body, ...call })).data,
  };

  /** Mono's v1 API, for code written against it: bare shapes, `status`/`responseCode` at the top. */
  readonly v1 = {
    institutions: (query: { scope?: string; country?: string } = {}, call: Call = {}) => this.#transport.call(op.listInstitutionsV1, { query, ...call }),
    coverage: (query: { scope?: string; country?: string } = {}, call: Call = {}) => this.#transport.call(op.coverage, { query, ...call }),
    /** `POST /v1/connect/session`: `{app, institution, auth_method}` to link, or `{reauth_token}` to re-authorise (then `reauth.response_code`). */
    createSession: (body: BodyOf<typeof op.createSessionV1>, call: Call = {}) => this.#transport.call(op.createSessionV1, { body, ...call }),
    login: (sessionId: string, fields: Fields, call: Call = {}): Promise<StepReplyV1> =>
      this.#transport.call(op.loginV1, { headers: { 'x-session-id': sessionId }, body: fields, ...call }),
    commit: (sessionId: string, fields: Fields, call: Call = {}): Promise<StepReplyV1> =>
      this.#transport.call(op.commitV1, { headers: { 'x-session-id': sessionId }, body: fields, ...call }),
    exchange: async (code: string, call: Call = {}) => (await this.#transport.call(op.exchangeCodeV1, { body: { code }, ...call })).id,
    account: (id: string, call: DataCall = {}) => this.#transport.call(op.getAccountV1, { params: { id }, ...data(call) }),
    identity: (id: string, call: Call = {}) => this.#transport.call(op.getIdentityV1, { params: { id }, ...call }),
    transactions: (id: string, query: Partial<QueryOf<typeof op.listTransactions>> = {}, call: DataCall = {}) =>
      this.#transport.call(op.listTransactionsV1, { params: { id }, query, ...data(call) }),
    credits: (id: string, call: Call = {}) => this.#transport.call(op.getCreditsV1, { params: { id }, ...call }),
    debits: (id: string, call: Call = {}) => this.#transport.call(op.getDebitsV1, { params: { id }, ...call }),
    income: (id: string, call: Call = {}) => this.#transport.call(op.getIncomeV1, { params: { id }, ...call }),
    sync: (id: string, call: Call = {}) => this.#transport.call(op.syncV1, { params: { id }, ...call }),
    unlink: (id: string, call: Call = {}) => this.#transport.call(op.unlinkV1, { params: { id }, ...call }),
    /** `GET /accounts/{id}/statement`: `{meta, data}` with `output: 'json'` (the default), the job `{id, status, path}` with `output: 'pdf'`. */
    statement: (id: string, query: Partial<QueryOf<typeof op.getStatementV1>> = {}, call: Call = {}) =>
      this.#transport.call(op.getStatementV1, { params: { id }, query, ...call }),
    /** `GET /accounts/{id}/statement/jobs/{jobId}` (mono-node's `pollPdfAccountStatementStatus`). */
    statementJob: (id: string, jobId: string, call: Call = {}) => this.#transport.call(op.getStatementJobV1, { params: { id, jobId }, ...call }),
    /** `POST /accounts/{id}/reauthorise`: `{token}` for `createSession({reauth_token})`. */
    reauthorise: async (id: string, call: Call = {}) => (await this.#transport.call(op.reauthoriseV1, { params: { id }, ...call })).token,
  };
}
