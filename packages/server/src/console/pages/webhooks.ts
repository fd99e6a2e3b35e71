import type { WebhookDelivery } from '@relink/contract';
import type { App } from '../../apps/service.ts';
import type { Services } from '../../http/types.ts';
import { type ConsoleApp, frameOf, sendPage } from '../context.ts';
import { when } from '../format.ts';
import { html } from '../html.ts';
import { document, type Frame } from '../layout.ts';

export interface AppWebhooks {
  app: App;
  pending: number;
  failed: number;
  /** The newest few deliveries. */
  recent: WebhookDelivery[];
}

export interface WebhooksData {
  apps: AppWebhooks[];
}

const RECENT = 5;

export function webhooksPage(frame: Frame, data: WebhooksData): string {
  return document(
    'Webhooks',
    html`<h1>Webhooks</h1>
${data.apps.length === 0 ? html`<p>No apps yet.</p>` : ''}
${data.apps.map(
  ({ app, pending, failed, recent }) => html`<section class="card" aria-labelledby="wh-${app.id}">
<h2 id="wh-${app.id}"><a href="/dashboard/apps/${app.id}">${app.name}</a></h2>
<dl class="facts">
<dt>URL</dt><dd>${app.webhookUrl ? html`<code>${app.webhookUrl}</code>` : html`<span class="muted">not set</span>`}${app.webhookDisabled ? html` <span class="badge warn">disabled: ${app.webhookDisabled.reason}</span>` : ''}</dd>
<dt>Pending</dt><dd>${pending}</dd>
<dt>Failed (given up)</dt><dd>${failed}</dd>
</dl>
${
  recent.length === 0
    ? html`<p class="muted">No deliveries yet.</p>`
    : html`<h3>Newest deliveries</h3><div class="table-wrap" role="region" aria-label="Newest deliveries of ${app.name}" tabindex="0"><table>
<thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Created</th></tr></thead>
<tbody>${recent.map((d) => html`<tr><td><code>${d.event}</code></td><td>${d.status}</td><td>${d.attempt_count}</td><td>${when(Date.parse(d.created_at))}</td></tr>`)}</tbody>
</table></div>`
}
</section>`,
)}`,
    { ...frame, section: 'webhooks' },
  );
}

export function register(scope: ConsoleApp, services: Services) {
  scope.get('/webhooks', {
    schema: { hide: true },
    handler: async (request, reply) => {
      const one = { page: 1, limit: 1 };
      const apps = await Promise.all(
        (await services.apps.list()).map(async (app) => {
          const [pending, failed, recent] = await Promise.all([
            services.webhooks.deliveries(app.id, { status: 'pending' }, one),
            services.webhooks.deliveries(app.id, { status: 'failed' }, one),
            services.webhooks.deliveries(app.id, {}, { page: 1, limit: RECENT }),
          ]);
          return { app, pending: pending.total, failed: failed.total, recent: recent.items };
        }),
      );
      return sendPage(reply, 200, webhooksPage(frameOf(request), { apps }));
    },
  });
}
