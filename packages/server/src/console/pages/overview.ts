import type { Services } from '../../http/types.ts';
import type { DeliveryBacklog } from '../../metrics/metrics.ts';
import { type ConsoleApp, frameOf, sendPage } from '../context.ts';
import { count } from '../format.ts';
import { html } from '../html.ts';
import { document, type Frame } from '../layout.ts';
import { type AppSummary, appSummaries } from '../summaries.ts';
import { modeBadge } from './apps.ts';

export interface OverviewData {
  apps: AppSummary[];
  backlog: DeliveryBacklog;
}

export function overviewPage(frame: Frame, data: OverviewData): string {
  const accounts = data.apps.reduce((n, a) => n + a.accounts, 0);
  const waiting = data.apps.reduce((n, a) => n + a.waitingForReauth, 0);
  return document(
    'Overview',
    html`<h1>Overview</h1>
<section aria-labelledby="health"><h2 id="health" class="visually-hidden">Health</h2>
<div class="grid">
<div class="card"><h3>Linked accounts</h3><p class="figure">${accounts}</p><p class="muted">across ${count(data.apps.length, 'app')}</p></div>
<div class="card"><h3>Waiting for re-authorisation</h3><p class="figure">${waiting}</p><p class="muted">${accounts > 0 ? `${Math.round((waiting / accounts) * 100)}% of linked accounts` : 'no accounts linked'}</p></div>
<div class="card"><h3>Webhook deliveries pending</h3><p class="figure">${data.backlog.pending}</p><p class="muted">${data.backlog.pending === 0 ? 'every event delivered' : `${data.backlog.failing} failing; the oldest due for ${Math.round(data.backlog.oldestDueSeconds)} s`}</p></div>
</div>
</section>
<section aria-labelledby="by-app"><h2 id="by-app">By app</h2>
${
  data.apps.length === 0
    ? html`<p>No apps yet: <a href="/dashboard/apps">create one</a>.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="by-app" tabindex="0"><table>
<thead><tr><th scope="col">App</th><th scope="col">Linked accounts</th><th scope="col">Waiting for re-authorisation</th></tr></thead>
<tbody>${data.apps.map((s) => html`<tr><th scope="row"><a href="/dashboard/apps/${s.app.id}">${s.app.name}</a> ${modeBadge(s.app.mode)}</th><td>${s.accounts}</td><td>${s.waitingForReauth}</td></tr>`)}</tbody>
</table></div>`
}
</section>`,
    { ...frame, section: 'overview' },
  );
}

export function register(scope: ConsoleApp, services: Services) {
  scope.get('/', {
    schema: { hide: true },
    handler: async (request, reply) => {
      const [apps, backlog] = await Promise.all([appSummaries(services), services.webhooks.backlog()]);
      return sendPage(reply, 200, overviewPage(frameOf(request), { apps, backlog }));
    },
  });
}
