import { DELIVERY_STATUSES, type DeliveryState } from '@relink/contract/names';
import type { App } from '../../apps/service.ts';
import type { Services } from '../../http/types.ts';
import type { EndpointHealth, OperatorDelivery, Paged, ReplayResult } from '../../operations/model.ts';
import { MAX_PAGE } from '../../operations/service.ts';
import { actorOf, type ConsoleApp, frameOf, sendPage } from '../context.ts';
import { count, when } from '../format.ts';
import { type Html, html } from '../html.ts';
import { banner, csrfField, document, type Frame } from '../layout.ts';
import { problemPage } from '../problem.ts';

const STATE_WORDS: Record<DeliveryState, { label: string; badge: string; hint: string }> = {
  pending: { label: 'pending', badge: 'neutral', hint: 'not attempted yet' },
  failing: { label: 'failing', badge: 'bad', hint: 'attempted, failed, to be retried' },
  succeeded: { label: 'succeeded', badge: 'ok', hint: 'the receiver answered 2xx' },
  failed: { label: 'failed', badge: 'bad', hint: 'given up after every retry' },
};

/** A delivery's state as a badge that says it in words (not by colour alone). */
export function deliveryBadge(state: DeliveryState): Html {
  const s = STATE_WORDS[state];
  return html`<span class="badge ${s.badge}">${s.label}</span>`;
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

/** Whether delivery to an endpoint fails now: its newest attempt failed (attempts since the last success). */
function isFailing(e: EndpointHealth): boolean {
  return e.consecutive_failures > 0 && e.disabled_at === null;
}

export interface WebhooksQuery {
  state?: DeliveryState | undefined;
  app?: string | undefined;
  page: number;
  limit: number;
}

export interface WebhooksData {
  endpoints: EndpointHealth[];
  apps: App[];
  query: WebhooksQuery;
  deliveries: Paged<OperatorDelivery>;
  problem?: string | undefined;
}

export const DELIVERIES_PAGE_SIZE = 50;

function listHref(query: WebhooksQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.state) params.set('state', query.state);
  if (query.app) params.set('app', query.app);
  if (query.limit !== DELIVERIES_PAGE_SIZE) params.set('limit', String(query.limit));
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return `/dashboard/webhooks${text ? `?${text}` : ''}`;
}

export function webhooksPage(frame: Frame, data: WebhooksData): string {
  const failing = data.endpoints.filter(isFailing);
  const names = new Map(data.apps.map((a) => [a.id, a.name]));
  return document(
    'Webhooks',
    html`<h1>Webhooks</h1>
${banner('problem', data.problem)}
<section aria-labelledby="endpoints"><h2 id="endpoints">Endpoints</h2>
${
  data.endpoints.length === 0
    ? html`<p>No app has a webhook URL yet: set one on an app’s page (<a href="/dashboard/apps">Apps</a>) or with <code>PUT /v2/webhooks/endpoint</code>.</p>`
    : html`${
        failing.length > 0
          ? html`<p class="problem"><strong>${count(failing.length, 'endpoint is', 'endpoints are')} failing:</strong> ${failing.map(
              (e, i) => html`${i > 0 ? ', ' : ''}<a href="/dashboard/webhooks?state=failing&amp;app=${e.app_id}">${e.app_name}</a>`,
            )}. Their deliveries are retried with growing waits; see them below, and replay them once the receiver answers again.</p>`
          : html`<p class="notice">Every endpoint’s newest attempt succeeded (or none was made yet).</p>`
      }
<div class="table-wrap" role="region" aria-labelledby="endpoints" tabindex="0"><table class="stack">
<thead><tr><th scope="col">App</th><th scope="col">URL</th><th scope="col">Health</th><th scope="col">Last success</th><th scope="col">Failures since</th><th scope="col">Last attempt</th><th scope="col">Waiting</th></tr></thead>
<tbody>${data.endpoints.map((e) => endpointRow(e))}</tbody>
</table></div>`
}
</section>
<section aria-labelledby="deliveries"><h2 id="deliveries">Deliveries</h2>
<form class="filters card" method="get" action="/dashboard/webhooks#deliveries" role="search" aria-label="Filter deliveries">
<div class="field"><label for="state">State</label><select id="state" name="state"><option value="">Any state</option>${DELIVERY_STATUSES.map(
      (s) => html`<option value="${s}"${data.query.state === s ? html` selected` : ''}>${s}: ${STATE_WORDS[s].hint}</option>`,
    )}</select></div>
<div class="field"><label for="wh-app">App</label><select id="wh-app" name="app"><option value="">Any app</option>${data.apps.map(
      (a) => html`<option value="${a.id}"${data.query.app === a.id ? html` selected` : ''}>${a.name} (${a.mode})</option>`,
    )}</select></div>
<div class="actions"><button type="submit">Show deliveries</button>${data.query.state || data.query.app ? html` <a href="/dashboard/webhooks">Clear filters</a>` : ''}</div>
</form>
${deliveriesList(frame, data, names)}
</section>`,
    { ...frame, section: 'webhooks' },
  );
}

function endpointRow(e: EndpointHealth): Html {
  const health = e.disabled_at
    ? html`<span class="badge warn">Disabled</span> <span class="muted">${e.disabled_reason ?? ''}</span>`
    : isFailing(e)
      ? html`<span class="badge bad">⚠ Failing</span>`
      : e.last_attempt_at
        ? html`<span class="badge ok">✓ Healthy</span>`
        : html`<span class="badge neutral">No attempt yet</span>`;
  const last = e.last_attempt_at
    ? html`${when(ms(e.last_attempt_at))}: ${e.last_status_code ?? ''}${e.last_error ? html` <span class="muted">${e.last_error}</span>` : ''}`
    : '—';
  const waiting = e.pending + e.failing;
  return html`<tr><th scope="row" data-label="App"><a href="/dashboard/apps/${e.app_id}">${e.app_name}</a></th><td data-label="URL"><code>${e.url}</code></td><td data-label="Health">${health}</td><td class="when" data-label="Last success">${when(
    ms(e.last_success_at),
  )}</td><td data-label="Failures since">${e.consecutive_failures}${e.consecutive_failures_capped ? ' or more' : ''}</td><td data-label="Last attempt">${last}</td><td data-label="Waiting">${
    waiting === 0
      ? '0'
      : html`<a href="/dashboard/webhooks?app=${e.app_id}&amp;state=${e.failing > 0 ? 'failing' : 'pending'}">${waiting}</a> <span class="muted">(${e.failing} failing${
          e.oldest_due_at ? `; next due ${when(ms(e.oldest_due_at))}` : ''
        })</span>`
  }</td></tr>`;
}

function deliveriesList(frame: Frame, data: WebhooksData, names: Map<string, string>): Html {
  const { deliveries, query } = data;
  const pages = Math.max(1, Math.ceil(deliveries.total / deliveries.limit));
  if (deliveries.items.length === 0)
    return html`<p id="delivery-count">${
      query.state || query.app
        ? 'No delivery matches these filters.'
        : 'No deliveries yet: events are delivered once an app has a webhook URL and something happens to its accounts.'
    }</p>`;
  const first = (deliveries.page - 1) * deliveries.limit + 1;
  return html`<p id="delivery-count">${count(deliveries.total, 'delivery', 'deliveries')}${query.state ? ` ${query.state}` : ''}, newest first${
    pages > 1 ? `; ${first} to ${first + deliveries.items.length - 1} shown` : ''
  }.</p>
<form method="post" action="/dashboard/webhooks/replay" aria-label="Replay deliveries">
${csrfField(frame.csrf)}
<div class="table-actions"><button type="submit" name="selected" value="1">Replay the selected deliveries</button><span class="hint">Tick deliveries below, or use a row’s own Replay button. A replay sends the event again, with the same event id, to the app’s current URL.</span></div>
<div class="table-wrap" role="region" aria-labelledby="delivery-count" tabindex="0"><table class="stack">
<thead><tr><th scope="col"><span class="visually-hidden">Select</span></th><th scope="col">Event</th><th scope="col">State and attempts</th><th scope="col">Last error</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${deliveries.items.map((d) => {
    const app = names.get(d.app_id) ?? d.app_id;
    return html`<tr><td data-label="Select"><input type="checkbox" name="ids" value="${d.id}" id="pick-${d.id}"><label for="pick-${d.id}" class="visually-hidden">Select ${d.event} to ${app}, ${when(ms(d.created_at))}</label></td><td data-label="Event"><a href="/dashboard/webhooks/deliveries/${d.id}"><code>${d.event}</code></a><br><span class="muted">${app}${
      d.account ? html` · account <a href="/dashboard/accounts/${d.account}"><code>${d.account}</code></a>` : ''
    }${d.replay_of ? ' · a replay' : ''}</span></td><td data-label="State">${deliveryBadge(d.status)}<br>${count(d.attempt_count, 'attempt')}${
      d.next_attempt_at ? html`<br><span class="muted">next retry ${when(ms(d.next_attempt_at))}</span>` : ''
    }</td><td class="error" data-label="Last error">${d.last_error ? html`<code>${d.last_error}</code>` : d.last_status_code ? `answered ${d.last_status_code}` : ''}</td><td class="when" data-label="Created">${when(ms(d.created_at))}</td><td data-label="Actions"><button type="submit" class="secondary" name="one" value="${d.id}">Replay<span class="visually-hidden"> ${d.event} to ${app}, ${when(
      ms(d.created_at),
    )}</span></button></td></tr>`;
  })}</tbody>
</table></div>
</form>
${
  pages > 1
    ? html`<nav class="pages" aria-label="Delivery pages">
${deliveries.page > 1 ? html`<a href="${listHref(query, deliveries.page - 1)}" rel="prev">Newer</a>` : ''}
<span>Page ${deliveries.page} of ${pages}</span>
${deliveries.page < pages ? html`<a href="${listHref(query, deliveries.page + 1)}" rel="next">Older</a>` : ''}
</nav>`
    : ''
}`;
}

export function deliveryPage(frame: Frame, d: OperatorDelivery, appName: string): string {
  return document(
    `Delivery of ${d.event}`,
    html`<p><a href="/dashboard/webhooks">← All deliveries</a></p>
<h1>Delivery of <code>${d.event}</code></h1>
<section class="card" aria-labelledby="delivery"><h2 id="delivery">The delivery</h2>
<dl class="facts">
<dt>Delivery id</dt><dd><code>${d.id}</code></dd>
<dt>Event id</dt><dd><code>${d.event_id}</code></dd>
<dt>App</dt><dd><a href="/dashboard/apps/${d.app_id}">${appName}</a></dd>
${d.account ? html`<dt>Account</dt><dd><a href="/dashboard/accounts/${d.account}"><code>${d.account}</code></a></dd>` : ''}
<dt>URL</dt><dd><code>${d.url}</code></dd>
<dt>State</dt><dd>${deliveryBadge(d.status)} <span class="muted">${STATE_WORDS[d.status].hint}</span></dd>
<dt>Attempts</dt><dd>${d.attempt_count}</dd>
<dt>Next retry</dt><dd>${when(ms(d.next_attempt_at))}</dd>
<dt>Last error</dt><dd>${d.last_error ? html`<code>${d.last_error}</code>` : '—'}</dd>
<dt>Created</dt><dd>${when(ms(d.created_at))}</dd>
<dt>Completed</dt><dd>${when(ms(d.completed_at))}</dd>
${d.replay_of ? html`<dt>Replay of</dt><dd><a href="/dashboard/webhooks/deliveries/${d.replay_of}"><code>${d.replay_of}</code></a></dd>` : ''}
</dl>
<form method="post" action="/dashboard/webhooks/replay">${csrfField(frame.csrf)}<div class="actions"><button type="submit" name="one" value="${d.id}">Replay this delivery</button></div></form>
</section>
<section aria-labelledby="attempts"><h2 id="attempts">Attempts</h2>
${
  d.attempts.length === 0
    ? html`<p>Not attempted yet.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="attempts" tabindex="0"><table class="stack">
<thead><tr><th scope="col">When</th><th scope="col">Answer</th><th scope="col">Took</th><th scope="col">Error</th><th scope="col">Answer’s first bytes</th></tr></thead>
<tbody>${d.attempts.map(
        (a) =>
          html`<tr><td class="when" data-label="When">${when(ms(a.attempted_at))}</td><td data-label="Answer">${a.status_code ?? 'none'}</td><td data-label="Took">${a.duration_ms} ms</td><td class="detail" data-label="Error">${
            a.error ? html`<code>${a.error}</code>` : ''
          }</td><td class="detail" data-label="Answer’s first bytes">${a.response_body ? html`<code>${a.response_body}</code>` : ''}</td></tr>`,
      )}</tbody>
</table></div>`
}
</section>`,
    { ...frame, section: 'webhooks' },
  );
}

const RESULT_WORDS: Record<ReplayResult['result'], string> = {
  queued: 'Queued',
  not_found: 'No such delivery',
  not_configured: 'Not sent: its app has no enabled webhook URL',
};

export function replayedPage(frame: Frame, results: ReplayResult[]): string {
  const queued = results.filter((r) => r.result === 'queued').length;
  return document(
    'Replayed',
    html`<h1>Replayed</h1>
${
  queued === results.length
    ? html`<p class="notice" role="status">${count(queued, 'delivery', 'deliveries')} queued again: each is sent in the next few seconds to its app’s current URL.</p>`
    : html`<p class="problem" role="alert">${queued} of ${count(results.length, 'delivery', 'deliveries')} queued again; the others could not be (below).</p>`
}
<div class="table-wrap" role="region" aria-labelledby="replayed" tabindex="0"><table class="stack">
<caption id="replayed">What became of each</caption>
<thead><tr><th scope="col">Delivery replayed</th><th scope="col">Result</th><th scope="col">New delivery</th></tr></thead>
<tbody>${results.map(
      (r) =>
        html`<tr><td data-label="Delivery replayed"><a href="/dashboard/webhooks/deliveries/${r.id}"><code>${r.id}</code></a></td><td data-label="Result">${RESULT_WORDS[r.result]}</td><td data-label="New delivery">${
          r.result === 'queued'
            ? html`<a href="/dashboard/webhooks/deliveries/${r.delivery.id}"><code>${r.delivery.event}</code> to <code>${r.delivery.url}</code></a>`
            : '—'
        }</td></tr>`,
    )}</tbody>
</table></div>
<p><a class="button" href="/dashboard/webhooks">Back to webhooks</a></p>`,
    { ...frame, section: 'webhooks' },
  );
}

/** The ids a posted form names: the row button's `one`, else every ticked `ids`. */
function idsOf(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const form = body as Record<string, unknown>;
  const list = (value: unknown) => (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64);
  const one = list(form.one);
  return one.length > 0 ? one.slice(0, 1) : [...new Set(list(form.ids))];
}

export function register(scope: ConsoleApp, services: Services) {
  const showList = async (
    request: Parameters<typeof frameOf>[0],
    reply: Parameters<typeof sendPage>[0],
    status: number,
    query: WebhooksQuery,
    problem?: string,
  ) => {
    const [endpoints, apps, deliveries] = await Promise.all([
      services.operations.endpoints(),
      services.apps.list(),
      services.operations.deliveries({ state: query.state, appId: query.app }, { page: query.page, limit: query.limit }),
    ]);
    return sendPage(reply, status, webhooksPage(frameOf(request), { endpoints, apps, query, deliveries, problem }));
  };

  scope.get<{ Querystring: { state?: string; app?: string; page?: number; limit?: number } }>('/webhooks', {
    schema: {
      hide: true,
      querystring: {
        type: 'object',
        properties: {
          state: { type: 'string', enum: ['', ...DELIVERY_STATUSES] },
          app: { type: 'string', maxLength: 64 },
          page: { type: 'integer', minimum: 1, maximum: 100_000 },
          limit: { type: 'integer', minimum: 1, maximum: 200 },
        },
      },
    },
    handler: async (request, reply) => {
      const q = request.query;
      return showList(request, reply, 200, {
        state: (q.state || undefined) as DeliveryState | undefined,
        app: q.app || undefined,
        page: q.page ?? 1,
        limit: q.limit ?? DELIVERIES_PAGE_SIZE,
      });
    },
  });

  scope.get<{ Params: { id: string } }>('/webhooks/deliveries/:id', {
    schema: { hide: true, params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } },
    handler: async (request, reply) => {
      const delivery = await services.operations.delivery(request.params.id);
      if (!delivery)
        return sendPage(
          reply,
          404,
          problemPage(
            {
              status: 404,
              title: 'No such delivery',
              message: `No webhook delivery has the id ${request.params.id}.`,
              back: { href: '/dashboard/webhooks', label: 'Back to webhooks' },
            },
            frameOf(request),
          ),
        );
      const app = await services.apps.get(delivery.app_id);
      return sendPage(reply, 200, deliveryPage(frameOf(request), delivery, app?.name ?? delivery.app_id));
    },
  });

  scope.post('/webhooks/replay', {
    schema: { hide: true },
    handler: async (request, reply) => {
      const ids = idsOf(request.body);
      if (ids.length === 0)
        return showList(
          request,
          reply,
          400,
          { page: 1, limit: DELIVERIES_PAGE_SIZE },
          'Nothing was replayed: tick the deliveries to replay first, or use a row’s Replay button.',
        );
      if (ids.length > MAX_PAGE)
        return showList(request, reply, 400, { page: 1, limit: DELIVERIES_PAGE_SIZE }, `Replay at most ${MAX_PAGE} deliveries at once.`);
      const results = await services.operations.replay(ids);
      const actor = actorOf(request);
      for (const r of results) {
        await services.operators.record(
          actor,
          'webhook.delivery_replayed',
          r.id,
          r.result === 'queued' ? { result: r.result, delivery: r.delivery.id, url: r.delivery.url } : { result: r.result },
          request.ip,
        );
      }
      return sendPage(reply, 200, replayedPage(frameOf(request), results));
    },
  });
}
