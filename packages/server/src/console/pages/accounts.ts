import type { Account } from '../../accounts/model.ts';
import type { App } from '../../apps/service.ts';
import type { ResetReason } from '../../connectors/types.ts';
import type { Services } from '../../http/types.ts';
import { DomainError } from '../../lib/errors.ts';
import type { AccountDetail, EpisodeView, OperatorAccount, Paged, TimelineEntry } from '../../operations/model.ts';
import { actorOf, type ConsoleApp, formOf, frameOf, seeOther, sendPage } from '../context.ts';
import { causeLabel, count, duration, when } from '../format.ts';
import { type Html, html } from '../html.ts';
import { banner, csrfField, document, type Frame } from '../layout.ts';
import { problemPage } from '../problem.ts';
import { modeBadge } from './apps.ts';
import { deliveryBadge } from './webhooks.ts';

/** What the accounts list is narrowed by: the GET form's fields. */
export interface AccountsQuery {
  q?: string | undefined;
  reauth?: boolean | undefined;
  failing?: boolean | undefined;
  institution?: string | undefined;
  app?: string | undefined;
  page: number;
  limit: number;
}

export interface AccountsData {
  query: AccountsQuery;
  result: Paged<OperatorAccount>;
  apps: App[];
  institutions: { id: string; name: string }[];
  notice?: string | undefined;
}

export const ACCOUNTS_PAGE_SIZE = 50;

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

/** The list's address for `query` (the filters kept, the page changed). */
function listHref(query: AccountsQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.reauth) params.set('reauth', '1');
  if (query.failing) params.set('failing', '1');
  if (query.institution) params.set('institution', query.institution);
  if (query.app) params.set('app', query.app);
  if (query.limit !== ACCOUNTS_PAGE_SIZE) params.set('limit', String(query.limit));
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return `/dashboard/accounts${text ? `?${text}` : ''}`;
}

/** An account's state in words, each with a badge: waiting for its user, sync failing, unlinked, or fine. */
function stateOf(a: OperatorAccount): Html {
  if (a.unlinked_at) return html`<span class="badge neutral">Unlinked</span>`;
  if (a.reauth_required)
    return html`<span class="badge warn">Waiting for re-authorisation</span> <span class="muted">${causeLabel(a.reauth_cause)}${a.reauth_required_at ? `, since ${when(ms(a.reauth_required_at))}` : ''}</span>`;
  if (a.last_sync_error) return html`<span class="badge bad">Sync failing</span> <span class="muted">${a.last_sync_error}</span>`;
  return html`<span class="badge ok">OK</span>`;
}

export function accountsPage(frame: Frame, data: AccountsData): string {
  const { query, result } = data;
  const pages = Math.max(1, Math.ceil(result.total / result.limit));
  const narrowed = Boolean(query.q || query.reauth || query.failing || query.institution || query.app);
  const first = (result.page - 1) * result.limit + 1;
  return document(
    'Accounts',
    html`<h1>Accounts</h1>
${banner('notice', data.notice)}
<form class="filters card" method="get" action="/dashboard/accounts" role="search" aria-label="Filter accounts">
<div class="field"><label for="q">Search by id, number or name</label><input id="q" name="q" type="search" maxlength="100" value="${query.q ?? ''}"></div>
<div class="field"><label for="institution">Bank</label><select id="institution" name="institution"><option value="">Any bank</option>${data.institutions.map(
      (i) => html`<option value="${i.id}"${query.institution === i.id ? html` selected` : ''}>${i.name}</option>`,
    )}</select></div>
<div class="field"><label for="app">App</label><select id="app" name="app"><option value="">Any app</option>${data.apps.map(
      (a) => html`<option value="${a.id}"${query.app === a.id ? html` selected` : ''}>${a.name} (${a.mode})</option>`,
    )}</select></div>
<div class="check"><input id="reauth" name="reauth" type="checkbox" value="1"${query.reauth ? html` checked` : ''}><label for="reauth">Waiting for re-authorisation</label></div>
<div class="check"><input id="failing" name="failing" type="checkbox" value="1"${query.failing ? html` checked` : ''}><label for="failing">Sync failing</label></div>
<div class="actions"><button type="submit">Show accounts</button>${narrowed ? html` <a href="/dashboard/accounts">Clear filters</a>` : ''}</div>
</form>
<h2 id="found">${
      result.total === 0
        ? narrowed
          ? 'No account matches these filters'
          : 'No account linked yet'
        : `${count(result.total, narrowed ? 'account matches' : 'linked account', narrowed ? 'accounts match' : 'linked accounts')}`
    }</h2>
${
  result.items.length === 0
    ? narrowed
      ? html`<p>Clear a filter, or <a href="/dashboard/accounts">show every account</a>.</p>`
      : html`<p>Accounts appear here once a user links one through an app’s Connect widget (docs/connect.md).</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="found" tabindex="0"><table class="stack">
<caption class="visually-hidden">Accounts ${first} to ${first + result.items.length - 1} of ${result.total}, newest link first</caption>
<thead><tr><th scope="col">Account</th><th scope="col">App</th><th scope="col">Bank</th><th scope="col">State</th><th scope="col">Last synced</th><th scope="col">Linked</th></tr></thead>
<tbody>${result.items.map(
        (a) =>
          html`<tr><td data-label="Account"><a href="/dashboard/accounts/${a.id}">${a.name}</a> <span class="muted">…${a.account_number.slice(-4)}</span><br><code>${a.id}</code></td><td data-label="App">${a.app_name ?? a.app_id}</td><td data-label="Bank">${a.institution.name}</td><td data-label="State">${stateOf(a)}</td><td class="when" data-label="Last synced">${when(ms(a.last_synced_at))}</td><td class="when" data-label="Linked">${when(ms(a.linked_at))}</td></tr>`,
      )}</tbody>
</table></div>`
}
${
  pages > 1
    ? html`<nav class="pages" aria-label="Account pages">
${result.page > 1 ? html`<a href="${listHref(query, result.page - 1)}" rel="prev">Newer</a>` : ''}
<span>Page ${result.page} of ${pages}</span>
${result.page < pages ? html`<a href="${listHref(query, result.page + 1)}" rel="next">Older</a>` : ''}
</nav>`
    : ''
}`,
    { ...frame, section: 'accounts' },
  );
}

/** One account found by its id, with its app: what the actions need (live accounts only). */
export interface FoundAccount {
  account: Account;
  app: App;
}

export interface AccountData {
  detail: AccountDetail;
  /** The live account and its app; undefined once unlinked (no actions then). */
  found: FoundAccount | undefined;
  notice?: string | undefined;
  problem?: string | undefined;
}

const DONE: Record<string, string> = {
  sync: 'Sync queued: the account’s data is read from the bank in the next few seconds.',
  unlinked: 'Account unlinked: its credentials and data are deleted, and its app got mono.events.account_unlinked.',
};

const OUTCOMES: Record<string, string> = {
  completed: 'Re-authorised',
  unlinked: 'Unlinked instead',
  relinked: 'Linked afresh instead',
};

export function accountPage(frame: Frame, data: AccountData): string {
  const a = data.detail.account;
  return document(
    `${a.name} · ${a.institution.name}`,
    html`<p><a href="/dashboard/accounts">← All accounts</a></p>
<h1>${a.name} · ${a.institution.name}</h1>
${banner('notice', data.notice)}${banner('problem', data.problem)}
<section class="card" aria-labelledby="facts"><h2 id="facts">The account</h2>
<dl class="facts">
<dt>Account id</dt><dd><code>${a.id}</code></dd>
<dt>App</dt><dd><a href="/dashboard/apps/${a.app_id}">${a.app_name ?? a.app_id}</a>${data.found ? html` ${modeBadge(data.found.app.mode)}` : ''}</dd>
<dt>Customer</dt><dd><code>${a.customer_id}</code></dd>
<dt>Account number</dt><dd>…${a.account_number.slice(-4)} <span class="muted">(${a.type}, ${a.currency})</span></dd>
<dt>State</dt><dd>${stateOf(a)}</dd>
<dt>Data</dt><dd>${a.data_status}</dd>
<dt>Last synced</dt><dd>${when(ms(a.last_synced_at))}</dd>
<dt>Linked</dt><dd>${when(ms(a.linked_at))}</dd>
${a.unlinked_at ? html`<dt>Unlinked</dt><dd>${when(ms(a.unlinked_at))}</dd>` : ''}
</dl>
${data.found ? actions(frame, data.found) : html`<p class="muted">This account is unlinked: nothing more can be done to it.</p>`}
</section>
<section aria-labelledby="episodes"><h2 id="episodes">Re-authorisations</h2>
${episodesTable(data.detail.episodes)}
</section>
<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>
<p class="muted">Everything that happened to the account, newest first: its link, logins at the bank, re-authorisations, syncs, and every event with its webhook deliveries.${
      data.detail.events_truncated ? ' Only the newest 500 events are shown.' : ''
    }</p>
<div class="card"><ol class="timeline">${[...data.detail.timeline].reverse().map(timelineEntry)}</ol></div>
</section>`,
    { ...frame, section: 'accounts' },
  );
}

function actions(frame: Frame, { account, app }: FoundAccount): Html {
  const base = `/dashboard/accounts/${account.id}`;
  return html`<div class="actions">
<form method="post" action="${base}/sync">${csrfField(frame.csrf)}<button type="submit" class="secondary">Sync now</button></form>
<a class="button secondary" href="${base}/unlink">Unlink…</a>
</div>
${
  app.mode === 'test'
    ? html`<form class="stack" method="post" action="${base}/reset-login">
${csrfField(frame.csrf)}
<fieldset><legend>Sandbox: make the bank ask again</legend>
<div class="choice"><input id="reason-mfa" type="radio" name="reason" value="mfa_required" checked> <label for="reason-mfa">It asks for an OTP on the next login</label></div>
<div class="choice"><input id="reason-password" type="radio" name="reason" value="password_changed"> <label for="reason-password">The user’s password changed</label></div>
</fieldset>
<div><button type="submit" class="secondary">Reset the bank login</button></div>
</form>`
    : ''
}`;
}

function episodesTable(episodes: EpisodeView[]): Html {
  if (episodes.length === 0) return html`<p>This account has never needed re-authorisation.</p>`;
  const step = (label: string, at: string | null) => (at ? html`<li>${label} ${when(ms(at))}</li>` : '');
  return html`<div class="table-wrap" role="region" aria-labelledby="episodes" tabindex="0"><table class="stack">
<thead><tr><th scope="col">Began</th><th scope="col">Why</th><th scope="col">Steps</th><th scope="col">Ended</th><th scope="col">Took</th></tr></thead>
<tbody>${episodes.map(
    (e) =>
      html`<tr><td class="when" data-label="Began">${when(ms(e.required_at))}</td><td data-label="Why">${causeLabel(e.cause)}</td><td data-label="Steps">${
        e.steps.sessions === 0
          ? html`<span class="muted">The user has not opened the widget</span>`
          : html`<ul class="steps">${step(`Opened the widget (${count(e.steps.sessions, 'session')})`, e.steps.session_at)}${step('Sent their login', e.steps.login_at)}${step(
              'Met the bank’s challenge',
              e.steps.challenge_at,
            )}</ul>`
      }</td><td data-label="Ended">${
        e.outcome ? html`${OUTCOMES[e.outcome] ?? e.outcome} ${when(ms(e.steps.ended_at))}` : html`<span class="badge warn">Still waiting</span>`
      }</td><td data-label="Took">${duration(e.seconds)}${e.outcome ? '' : ' so far'}</td></tr>`,
  )}</tbody>
</table></div>`;
}

function timelineEntry(entry: TimelineEntry): Html {
  const at = html`<span class="at">${when(ms(entry.at))}</span>`;
  switch (entry.kind) {
    case 'linked':
      return html`<li>${at}Linked</li>`;
    case 'unlinked':
      return html`<li>${at}Unlinked</li>`;
    case 'session':
      return html`<li${entry.session.status === 'failed' ? html` class="bad"` : ''}>${at}${entry.session.kind === 'reauth' ? 'Re-authorisation' : 'Link'} session ${
        entry.session.status
      }${entry.session.failure ? html`: <span class="muted">${entry.session.failure}</span>` : ''} <code>${entry.session.id}</code></li>`;
    case 'reauth_required':
      return html`<li class="reauth">${at}<strong>Re-authorisation required</strong>: ${causeLabel(entry.cause)}</li>`;
    case 'reauth_ended':
      return html`<li class="reauth">${at}<strong>${OUTCOMES[entry.outcome] ?? entry.outcome}</strong> after ${duration(entry.seconds)}</li>`;
    case 'realtime_job':
      return html`<li${entry.error ? html` class="bad"` : ''}>${at}Real-time ${entry.name}: ${entry.status}${entry.error ? html` <span class="muted">(${entry.error})</span>` : ''}</li>`;
    case 'event': {
      const failed = entry.sync && entry.sync.status !== 'SUCCESSFUL' && entry.sync.status !== null;
      return html`<li${failed ? html` class="bad"` : ''}>${at}Event <code>${entry.type}</code>${
        entry.sync ? html` <span class="muted">sync ${entry.sync.status ?? 'status not given'}${entry.sync.error ? `: ${entry.sync.error}` : ''}</span>` : ''
      }${
        entry.deliveries.length === 0
          ? html`<ul><li class="muted">Not delivered: the app had no webhook URL</li></ul>`
          : html`<ul>${entry.deliveries.map(
              (d) =>
                html`<li><a href="/dashboard/webhooks/deliveries/${d.id}">Delivery</a> ${deliveryBadge(d.status)} ${count(d.attempt_count, 'attempt')}${
                  d.last_error ? html` <span class="muted">(${d.last_error})</span>` : ''
                }</li>`,
            )}</ul>`
      }</li>`;
    }
  }
}

export interface UnlinkData {
  found: FoundAccount;
}

export function unlinkPage(frame: Frame, { found }: UnlinkData): string {
  return document(
    'Unlink this account?',
    html`<h1>Unlink ${found.account.name}?</h1>
<div class="card">
<p>Its stored bank credentials and data are deleted, ${found.app.name} gets <code>mono.events.account_unlinked</code>, and the account id answers 404 from now on. This cannot be undone: the user would link again.</p>
<form method="post" action="/dashboard/accounts/${found.account.id}/unlink">${csrfField(frame.csrf)}
<div class="actions"><button type="submit" class="danger">Unlink the account</button> <a href="/dashboard/accounts/${found.account.id}">Cancel</a></div>
</form>
</div>`,
    { ...frame, section: 'accounts' },
  );
}

export interface ResetData {
  found: FoundAccount;
  reason: ResetReason;
  newPassword: string | null;
  reauthRequired: boolean;
}

export function resetPage(frame: Frame, data: ResetData): string {
  return document(
    'Bank login reset',
    html`<h1>Bank login reset</h1>
<div class="card">
<p>The sandbox bank now ${data.reason === 'password_changed' ? 'has a new password for this user' : 'asks for an OTP on the next login'}; the account ${data.reauthRequired ? 'waits for re-authorisation' : 'does not wait for re-authorisation yet'}.</p>
${data.newPassword ? html`<p><strong>The user’s new password at the sandbox bank</strong></p><code class="secret">${data.newPassword}</code>` : ''}
</div>
<p><a class="button" href="/dashboard/accounts/${data.found.account.id}">Back to the account</a></p>`,
    { ...frame, section: 'accounts' },
  );
}

/** The live account an id names, whichever app's it is; undefined for an unknown or unlinked one. */
async function find(services: Services, id: string): Promise<FoundAccount | undefined> {
  const appId = await services.accounts.appIdOf(id);
  const app = appId ? await services.apps.get(appId) : undefined;
  const account = app ? await services.accounts.find(app.id, id) : undefined;
  return account && app ? { account, app } : undefined;
}

const REASONS: ResetReason[] = ['mfa_required', 'password_changed'];

type Request = Parameters<typeof frameOf>[0];
type Reply = Parameters<typeof sendPage>[0];

/** The accounts list and its filters, an account's page, and what an operator may do to it. */
export function register(scope: ConsoleApp, services: Services) {
  const params = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;
  const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
  const flag = { type: 'string', enum: ['', '1', 'on'] } as const;

  scope.get<{
    Querystring: { q?: string; reauth?: string; failing?: string; institution?: string; app?: string; page?: number; limit?: number; done?: string };
  }>('/accounts', {
    schema: {
      hide: true,
      querystring: {
        type: 'object',
        properties: {
          q: text(100),
          reauth: flag,
          failing: flag,
          institution: text(64),
          app: text(64),
          page: { type: 'integer', minimum: 1, maximum: 100_000 },
          limit: { type: 'integer', minimum: 1, maximum: 200 },
          done: text(32),
        },
      },
    },
    handler: async (request, reply) => {
      const q = request.query;
      const query: AccountsQuery = {
        q: q.q?.trim() || undefined,
        reauth: Boolean(q.reauth),
        failing: Boolean(q.failing),
        institution: q.institution || undefined,
        app: q.app || undefined,
        page: q.page ?? 1,
        limit: q.limit ?? ACCOUNTS_PAGE_SIZE,
      };
      const [result, apps] = await Promise.all([
        services.operations.accounts(
          { search: query.q, reauthRequired: query.reauth, failingSync: query.failing, institution: query.institution, appId: query.app },
          { page: query.page, limit: query.limit },
        ),
        services.apps.list(),
      ]);
      const institutions = services.institutions
        .all()
        .map((i) => ({ id: i.id, name: i.name }))
        .sort((x, y) => x.name.localeCompare(y.name));
      return sendPage(reply, 200, accountsPage(frameOf(request), { query, result, apps, institutions, notice: DONE[q.done ?? ''] }));
    },
  });

  const showAccount = async (request: Request, reply: Reply, id: string, status: number, extra: { notice?: string | undefined; problem?: string } = {}) => {
    const [detail, found] = await Promise.all([services.operations.account(id), find(services, id)]);
    if (!detail) return notFound(request, reply, id);
    return sendPage(reply, status, accountPage(frameOf(request), { detail, found, ...extra }));
  };
  const notFound = (request: Request, reply: Reply, id: string) =>
    sendPage(
      reply,
      404,
      problemPage(
        {
          status: 404,
          title: 'No such account',
          message: `No account has the id ${id}.`,
          back: { href: '/dashboard/accounts', label: 'Back to the accounts' },
        },
        frameOf(request),
      ),
    );

  scope.get<{ Params: { id: string }; Querystring: { done?: string } }>('/accounts/:id', {
    schema: { hide: true, params, querystring: { type: 'object', properties: { done: text(32) } } },
    handler: async (request, reply) => showAccount(request, reply, request.params.id, 200, { notice: DONE[request.query.done ?? ''] }),
  });

  /** A POST on one live account: `work` answers a page to show, or where to go next (303). */
  const act = (path: string, work: (found: FoundAccount, form: Record<string, string>, request: Request) => Promise<{ page: string } | { to: string }>) =>
    scope.post<{ Params: { id: string } }>(path, {
      schema: { hide: true, params },
      handler: async (request, reply) => {
        const found = await find(services, request.params.id);
        if (!found) return notFound(request, reply, request.params.id);
        let done: { page: string } | { to: string };
        try {
          done = await work(found, formOf(request), request);
        } catch (error) {
          if (error instanceof DomainError) return showAccount(request, reply, found.account.id, 400, { problem: error.message });
          throw error;
        }
        return 'page' in done ? sendPage(reply, 200, done.page) : seeOther(reply, done.to);
      },
    });

  act('/accounts/:id/sync', async ({ account, app }, _form, request) => {
    await services.accounts.requestSync(app.id, account.id);
    void services.sync.wake();
    await services.operators.record(actorOf(request), 'account.sync_requested', account.id, { app: app.id }, request.ip);
    return { to: `/dashboard/accounts/${account.id}?done=sync` };
  });

  scope.get<{ Params: { id: string } }>('/accounts/:id/unlink', {
    schema: { hide: true, params },
    handler: async (request, reply) => {
      const found = await find(services, request.params.id);
      if (!found) return notFound(request, reply, request.params.id);
      return sendPage(reply, 200, unlinkPage(frameOf(request), { found }));
    },
  });

  act('/accounts/:id/unlink', async ({ account, app }, _form, request) => {
    await services.accounts.unlink(app.id, account.id);
    await services.operators.record(actorOf(request), 'account.unlinked', account.id, { app: app.id }, request.ip);
    return { to: '/dashboard/accounts?done=unlinked' };
  });

  act('/accounts/:id/reset-login', async (found, form, request) => {
    const reason = (form.reason ?? 'mfa_required') as ResetReason;
    if (!REASONS.includes(reason)) throw new DomainError('INVALID_INPUT', `The reason must be one of ${REASONS.join(', ')}`);
    if (found.app.mode !== 'test') throw new DomainError('FORBIDDEN', 'reset-login is a sandbox helper: it works for accounts of test-mode apps only');
    const reset = await services.sandbox.resetLogin(found.app, found.account.id, reason);
    await services.operators.record(actorOf(request), 'account.sandbox_reset_login', found.account.id, { app: found.app.id, reason }, request.ip);
    return { page: resetPage(frameOf(request), { found, reason, newPassword: reset.newPassword, reauthRequired: reset.reauthRequired }) };
  });
}
