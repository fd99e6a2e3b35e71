import type { Services } from '../../http/types.ts';
import type { AuditEntry } from '../../operators/service.ts';
import { type ConsoleApp, frameOf, sendPage } from '../context.ts';
import { when } from '../format.ts';
import { html } from '../html.ts';
import { document, type Frame } from '../layout.ts';

export interface AuditData {
  items: AuditEntry[];
  page: number;
  pages: number;
  total: number;
}

export const AUDIT_PAGE_SIZE = 50;

export function auditPage(frame: Frame, data: AuditData): string {
  const link = (page: number, label: string, rel: string) => html`<a href="/dashboard/audit?page=${page}" rel="${rel}">${label}</a>`;
  return document(
    'Audit log',
    html`<h1>Audit log</h1>
<p>Everything operators did, in the console and at the command line (<code>cli</code>), newest first: ${data.total} entries.</p>
${
  data.items.length === 0
    ? html`<p>Nothing yet.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="log" tabindex="0"><table class="stack">
<caption id="log" class="visually-hidden">Audit log, page ${data.page} of ${data.pages}</caption>
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Detail</th><th scope="col">Address</th></tr></thead>
<tbody>${data.items.map(
        (e) =>
          html`<tr><td class="when" data-label="When">${when(e.at)}</td><td data-label="Who">${e.actor}</td><td data-label="Action"><code>${e.action}</code></td><td data-label="Target">${e.target ? html`<code>${e.target}</code>` : ''}</td><td class="detail" data-label="Detail">${Object.keys(e.detail).length > 0 ? html`<code>${JSON.stringify(e.detail)}</code>` : ''}</td><td data-label="Address">${e.ip ?? ''}</td></tr>`,
      )}</tbody>
</table></div>`
}
<nav class="pages" aria-label="Audit log pages">
${data.page > 1 ? link(data.page - 1, 'Newer', 'prev') : ''}
<span>Page ${data.page} of ${data.pages}</span>
${data.page < data.pages ? link(data.page + 1, 'Older', 'next') : ''}
</nav>`,
    { ...frame, section: 'audit' },
  );
}

export function register(scope: ConsoleApp, services: Services) {
  scope.get<{ Querystring: { page?: number } }>('/audit', {
    schema: { hide: true, querystring: { type: 'object', properties: { page: { type: 'integer', minimum: 1, maximum: 100000 } } } },
    handler: async (request, reply) => {
      const page = request.query.page ?? 1;
      const { items, total } = await services.operators.audit({ page, limit: AUDIT_PAGE_SIZE });
      const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
      return sendPage(reply, 200, auditPage(frameOf(request), { items, page, pages, total }));
    },
  });
}
