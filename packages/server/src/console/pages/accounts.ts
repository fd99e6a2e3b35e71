import type { Services } from '../../http/types.ts';
import { type ConsoleApp, frameOf, sendPage } from '../context.ts';
import { html } from '../html.ts';
import { document, type Frame } from '../layout.ts';
import { type AppSummary, appSummaries } from '../summaries.ts';
import { modeBadge } from './apps.ts';

export interface AccountsData {
  apps: AppSummary[];
}

export function accountsPage(frame: Frame, data: AccountsData): string {
  return document(
    'Accounts',
    html`<h1>Accounts</h1>
<p>Linked bank accounts, counted by app. Each app reads its own accounts through <code>GET /v2/accounts</code> with its secret key.</p>
${
  data.apps.length === 0
    ? html`<p>No apps yet.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="by-app" tabindex="0"><table>
<caption id="by-app" class="visually-hidden">Accounts by app</caption>
<thead><tr><th scope="col">App</th><th scope="col">Linked</th><th scope="col">Waiting for re-authorisation</th></tr></thead>
<tbody>${data.apps.map((s) => html`<tr><th scope="row"><a href="/dashboard/apps/${s.app.id}">${s.app.name}</a> ${modeBadge(s.app.mode)}</th><td>${s.accounts}</td><td>${s.waitingForReauth}</td></tr>`)}</tbody>
</table></div>`
}`,
    { ...frame, section: 'accounts' },
  );
}

export function register(scope: ConsoleApp, services: Services) {
  scope.get('/accounts', {
    schema: { hide: true },
    handler: async (request, reply) => sendPage(reply, 200, accountsPage(frameOf(request), { apps: await appSummaries(services) })),
  });
}
