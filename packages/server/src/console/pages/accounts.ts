import type { Account } from '../../accounts/model.ts';
import type { App } from '../../apps/service.ts';
import type { ResetReason } from '../../connectors/types.ts';
import type { Services } from '../../http/types.ts';
import { DomainError } from '../../lib/errors.ts';
import { actorOf, type ConsoleApp, formOf, frameOf, seeOther, sendPage } from '../context.ts';
import { when } from '../format.ts';
import { html } from '../html.ts';
import { banner, csrfField, document, type Frame } from '../layout.ts';
import { type AppSummary, appSummaries } from '../summaries.ts';
import { modeBadge } from './apps.ts';

/** One account found by its id, with its app. */
export interface FoundAccount {
  account: Account;
  app: App;
}

export interface AccountsData {
  apps: AppSummary[];
  /** The id looked up, if any, and what it found. */
  lookup?: { id: string; found?: FoundAccount | undefined } | undefined;
  notice?: string | undefined;
  problem?: string | undefined;
}

const DONE: Record<string, string> = {
  sync: 'Sync queued: the account’s data is read from the bank in the next few seconds.',
  unlinked: 'Account unlinked: its credentials and data are deleted, and its app got mono.events.account_unlinked.',
};

export function accountsPage(frame: Frame, data: AccountsData): string {
  return document(
    'Accounts',
    html`<h1>Accounts</h1>
${banner('notice', data.notice)}${banner('problem', data.problem)}
<section class="card" aria-labelledby="find">
<h2 id="find">Find an account</h2>
<form class="inline" method="get" action="/dashboard/accounts">
<div class="field"><label for="id">Account id</label><input id="id" name="id" type="text" required maxlength="64" value="${data.lookup?.id ?? ''}"></div>
<button type="submit">Find</button>
</form>
${data.lookup ? (data.lookup.found ? accountCard(frame, data.lookup.found) : html`<p class="problem" role="alert">No linked account has the id ${data.lookup.id}.</p>`) : ''}
</section>
<h2 id="by-app">By app</h2>
<p>Linked bank accounts, counted by app. Each app reads its own accounts through <code>GET /v2/accounts</code> with its secret key.</p>
${
  data.apps.length === 0
    ? html`<p>No apps yet.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="by-app" tabindex="0"><table>
<thead><tr><th scope="col">App</th><th scope="col">Linked</th><th scope="col">Waiting for re-authorisation</th></tr></thead>
<tbody>${data.apps.map((s) => html`<tr><th scope="row"><a href="/dashboard/apps/${s.app.id}">${s.app.name}</a> ${modeBadge(s.app.mode)}</th><td>${s.accounts}</td><td>${s.waitingForReauth}</td></tr>`)}</tbody>
</table></div>`
}`,
    { ...frame, section: 'accounts' },
  );
}

function accountCard(frame: Frame, { account, app }: FoundAccount) {
  const base = `/dashboard/accounts/${account.id}`;
  return html`<article class="card" aria-labelledby="acct">
<h3 id="acct">${account.name} · ${account.institution.name}</h3>
<dl class="facts">
<dt>Account id</dt><dd><code>${account.id}</code></dd>
<dt>App</dt><dd><a href="/dashboard/apps/${app.id}">${app.name}</a> ${modeBadge(app.mode)}</dd>
<dt>Account number</dt><dd>…${account.accountNumber.slice(-4)}</dd>
<dt>Data</dt><dd>${account.dataStatus}${account.lastSyncError ? html` <span class="muted">(last sync: ${account.lastSyncError})</span>` : ''}</dd>
<dt>Re-authorisation</dt><dd>${account.reauthRequired ? html`<span class="badge warn">Waiting for the user</span>` : html`<span class="badge ok">Not needed</span>`}</dd>
<dt>Last synced</dt><dd>${when(account.lastSyncedAt)}</dd>
<dt>Linked</dt><dd>${when(account.createdAt)}</dd>
</dl>
<div class="actions">
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
}
</article>`;
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
<div class="actions"><button type="submit" class="danger">Unlink the account</button> <a href="/dashboard/accounts?id=${found.account.id}">Cancel</a></div>
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
<p><a class="button" href="/dashboard/accounts?id=${data.found.account.id}">Back to the account</a></p>`,
    { ...frame, section: 'accounts' },
  );
}

/** The account an id names, whichever app's it is; undefined for an unknown or unlinked one. */
async function find(services: Services, id: string): Promise<FoundAccount | undefined> {
  const appId = await services.accounts.appIdOf(id);
  const app = appId ? await services.apps.get(appId) : undefined;
  const account = app ? await services.accounts.find(app.id, id) : undefined;
  return account && app ? { account, app } : undefined;
}

const REASONS: ResetReason[] = ['mfa_required', 'password_changed'];

/** The accounts page, one account found by id, and what an operator may do to it. */
export function register(scope: ConsoleApp, services: Services) {
  const show = async (request: Parameters<typeof frameOf>[0], reply: Parameters<typeof sendPage>[0], status: number, data: Omit<AccountsData, 'apps'>) =>
    sendPage(reply, status, accountsPage(frameOf(request), { apps: await appSummaries(services), ...data }));
  const params = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;

  scope.get<{ Querystring: { id?: string; done?: string } }>('/accounts', {
    schema: {
      hide: true,
      querystring: { type: 'object', properties: { id: { type: 'string', maxLength: 64 }, done: { type: 'string', maxLength: 32 } } },
    },
    handler: async (request, reply) => {
      const id = request.query.id?.trim();
      const lookup = id ? { id, found: await find(services, id) } : undefined;
      return show(request, reply, lookup && !lookup.found ? 404 : 200, { lookup, notice: DONE[request.query.done ?? ''] });
    },
  });

  /** A POST on one account: `work` answers a page to show, or where to go next (303). */
  const act = (
    path: string,
    work: (found: FoundAccount, form: Record<string, string>, request: Parameters<typeof actorOf>[0]) => Promise<{ page: string } | { to: string }>,
  ) =>
    scope.post<{ Params: { id: string } }>(path, {
      schema: { hide: true, params },
      handler: async (request, reply) => {
        const found = await find(services, request.params.id);
        if (!found) return show(request, reply, 404, { lookup: { id: request.params.id } });
        let done: { page: string } | { to: string };
        try {
          done = await work(found, formOf(request), request);
        } catch (error) {
          if (error instanceof DomainError) return show(request, reply, 400, { lookup: { id: found.account.id, found }, problem: error.message });
          throw error;
        }
        return 'page' in done ? sendPage(reply, 200, done.page) : seeOther(reply, done.to);
      },
    });

  act('/accounts/:id/sync', async ({ account, app }, _form, request) => {
    await services.accounts.requestSync(app.id, account.id);
    void services.sync.wake();
    await services.operators.record(actorOf(request), 'account.sync_requested', account.id, { app: app.id }, request.ip);
    return { to: `/dashboard/accounts?id=${account.id}&done=sync` };
  });

  scope.get<{ Params: { id: string } }>('/accounts/:id/unlink', {
    schema: { hide: true, params },
    handler: async (request, reply) => {
      const found = await find(services, request.params.id);
      if (!found) return show(request, reply, 404, { lookup: { id: request.params.id } });
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
