import type { WebhookEndpoint } from '@relink/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../apps/service.ts';
import type { Services } from '../../http/types.ts';
import { DomainError } from '../../lib/errors.ts';
import { actorOf, type ConsoleApp, formOf, frameOf, seeOther, sendPage } from '../context.ts';
import { when } from '../format.ts';
import { html } from '../html.ts';
import { banner, csrfField, document, type Frame } from '../layout.ts';
import { problemPage } from '../problem.ts';
import { modeBadge } from './apps.ts';

export interface AppData {
  app: App;
  /** Null: any page may frame the widget. */
  origins: string[] | null;
  endpoint: WebhookEndpoint;
  notice?: string | undefined;
  problem?: string | undefined;
}

const DONE: Record<string, string> = {
  'origin-added': 'Origin added: pages there may now open the widget.',
  'origin-removed': 'Origin removed.',
};

export function appPage(frame: Frame, data: AppData): string {
  const { app, origins, endpoint } = data;
  const base = `/dashboard/apps/${app.id}`;
  const originList =
    origins === null
      ? html`<p>Any site may open this app's widget: no origin is listed.</p>`
      : html`<ul class="plain">${origins.map(
          (origin) => html`<li><code>${origin}</code>
<form method="post" action="${base}/origins/remove">${csrfField(frame.csrf)}<input type="hidden" name="origin" value="${origin}"><button type="submit" class="secondary">Remove<span class="visually-hidden"> ${origin}</span></button></form></li>`,
        )}</ul>`;
  const webhookState = endpoint.url
    ? endpoint.disabled_at
      ? html`<span class="badge warn">Disabled</span> since ${when(Date.parse(endpoint.disabled_at))}: ${endpoint.disabled_reason ?? ''}. Setting the URL again turns delivery back on.`
      : html`<span class="badge ok">Delivering</span>`
    : html`<span class="muted">No URL: events are recorded, not delivered.</span>`;
  return document(
    app.name,
    html`<p><a href="/dashboard/apps">All apps</a></p>
<h1>${app.name} ${modeBadge(app.mode)}</h1>
${banner('notice', data.notice)}${banner('problem', data.problem)}
<section class="card" aria-labelledby="keys">
<h2 id="keys">Keys</h2>
<dl class="facts">
<dt>App id</dt><dd><code>${app.id}</code></dd>
<dt>Public key</dt><dd><code>${app.publicKey}</code></dd>
<dt>Secret key</dt><dd><code>…${app.secretKeyHint ?? ''}</code> <span class="muted">(its last four characters: Relink keeps only a hash of the key)</span></dd>
<dt>Created</dt><dd>${when(app.createdAt)}</dd>
</dl>
<div class="actions"><a class="button secondary" href="${base}/rotate-key">Rotate the secret key</a></div>
</section>
<section class="card" aria-labelledby="origins">
<h2 id="origins">Allowed origins</h2>
<p class="muted">The sites whose pages may open the Connect widget with this app's public key.</p>
${originList}
<form class="inline" method="post" action="${base}/origins">
${csrfField(frame.csrf)}
<div class="field"><label for="origin">Origin<span class="hint">Scheme, host and port only, like https://shop.example</span></label><input id="origin" name="origin" type="url" required maxlength="300"></div>
<button type="submit">Add origin</button>
</form>
</section>
<section class="card" aria-labelledby="webhook">
<h2 id="webhook">Webhook</h2>
<dl class="facts">
<dt>URL</dt><dd>${endpoint.url ? html`<code>${endpoint.url}</code>` : html`<span class="muted">not set</span>`}</dd>
<dt>State</dt><dd>${webhookState}</dd>
${endpoint.previous_secret_expires_at ? html`<dt>Previous secret</dt><dd>still signs until ${when(Date.parse(endpoint.previous_secret_expires_at))}</dd>` : ''}
</dl>
<form class="inline" method="post" action="${base}/webhook">
${csrfField(frame.csrf)}
<div class="field"><label for="url">Webhook URL<span class="hint">Setting it issues a new signing secret, shown once.</span></label><input id="url" name="url" type="url" required maxlength="2000" value="${endpoint.url ?? ''}"></div>
<button type="submit">Set URL</button>
</form>
<div class="actions"><a class="button secondary" href="${base}/rotate-webhook-secret">Rotate the webhook secret</a></div>
</section>`,
    { ...frame, section: 'apps' },
  );
}

export interface ConfirmData {
  app: App;
  title: string;
  explanation: string;
  action: string;
  button: string;
}

/** The step before an action that cannot be undone: what it does, a button, a way back. */
export function confirmPage(frame: Frame, data: ConfirmData): string {
  return document(
    data.title,
    html`<h1>${data.title}</h1>
<div class="card">
<p>${data.explanation}</p>
<form method="post" action="${data.action}">${csrfField(frame.csrf)}
<div class="actions"><button type="submit" class="danger">${data.button}</button> <a href="/dashboard/apps/${data.app.id}">Cancel</a></div>
</form>
</div>`,
    { ...frame, section: 'apps' },
  );
}

export interface ShownOnceData {
  app: App;
  title: string;
  label: string;
  secret: string;
  after: string;
}

/** A new secret, shown on this page only. */
export function shownOncePage(frame: Frame, data: ShownOnceData): string {
  return document(
    data.title,
    html`<h1>${data.title}</h1>
<p class="notice" role="status">Copy it now: it is shown only on this page.</p>
<div class="card">
<p><strong>${data.label}</strong></p>
<code class="secret">${data.secret}</code>
<p>${data.after}</p>
</div>
<p><a class="button" href="/dashboard/apps/${data.app.id}">Back to ${data.app.name}</a></p>`,
    { ...frame, section: 'apps' },
  );
}

type AppRequest = FastifyRequest<{ Params: { id: string }; Querystring: { done?: string } }>;

/** One app: its keys, allowed origins and webhook endpoint, and the actions on them. */
export function register(scope: ConsoleApp, services: Services) {
  const schema = { hide: true, params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } } as const;
  const load = async (request: AppRequest, reply: FastifyReply): Promise<App | undefined> => {
    const app = await services.apps.get(request.params.id);
    if (!app) {
      sendPage(
        reply,
        404,
        problemPage(
          { status: 404, title: 'No such app', message: `There is no app ${request.params.id}.`, back: { href: '/dashboard/apps', label: 'All apps' } },
          frameOf(request),
        ),
      );
    }
    return app;
  };
  const show = async (request: AppRequest, reply: FastifyReply, app: App, status: number, messages: { notice?: string; problem?: string }) => {
    const [origins, endpoint] = await Promise.all([services.connect.origins.of(app), services.webhooks.endpoint(app.id)]);
    return sendPage(reply, status, appPage(frameOf(request), { app, origins, endpoint: endpoint!, ...messages }));
  };

  scope.get<{ Params: { id: string }; Querystring: { done?: string } }>('/apps/:id', {
    schema,
    handler: async (request, reply) => {
      const app = await load(request, reply);
      if (!app) return reply;
      return show(request, reply, app, 200, { notice: DONE[String(request.query.done ?? '')] });
    },
  });

  /**
   * A secret rotated from the console: a GET that asks to confirm, and the POST that rotates,
   * writes the audit entry and shows the new secret once.
   */
  const rotation = (
    path: string,
    confirm: (app: App) => { title: string; explanation: string; button: string },
    rotate: (
      app: App,
    ) => Promise<{ action: string; detail: Record<string, unknown>; shown: { title: string; label: string; secret: string; after: string } } | undefined>,
  ) => {
    scope.get<{ Params: { id: string } }>(`/apps/:id/${path}`, {
      schema,
      handler: async (request, reply) => {
        const app = await load(request as AppRequest, reply);
        if (!app) return reply;
        return sendPage(reply, 200, confirmPage(frameOf(request), { app, ...confirm(app), action: `/dashboard/apps/${app.id}/${path}` }));
      },
    });
    scope.post<{ Params: { id: string } }>(`/apps/:id/${path}`, {
      schema,
      handler: async (request, reply) => {
        const app = await load(request as AppRequest, reply);
        if (!app) return reply;
        const rotated = await rotate(app);
        if (!rotated) return load(request as AppRequest, reply).then(() => reply);
        await services.operators.record(actorOf(request), rotated.action, app.id, rotated.detail, request.ip);
        return sendPage(reply, 200, shownOncePage(frameOf(request), { app, ...rotated.shown }));
      },
    });
  };

  rotation(
    'rotate-key',
    (app) => ({
      title: `Rotate the secret key of ${app.name}?`,
      explanation: `A new secret key is issued and shown once. The current key (…${app.secretKeyHint ?? ''}) stops working at once, on every instance: every server that calls Relink with it gets 401 until it has the new one.`,
      button: 'Rotate the secret key',
    }),
    async (app) => {
      const rotated = await services.apps.rotateKey(app.id);
      return (
        rotated && {
          action: 'app.secret_key_rotated',
          detail: { previous_hint: app.secretKeyHint, hint: rotated.secretKey.slice(-4) },
          shown: {
            title: `New secret key for ${app.name}`,
            label: 'Secret key',
            secret: rotated.secretKey,
            after: 'The previous key stopped working just now.',
          },
        }
      );
    },
  );

  rotation(
    'rotate-webhook-secret',
    (app) => ({
      title: `Rotate the webhook secret of ${app.name}?`,
      explanation:
        'A new signing secret is issued and shown once. Deliveries carry a signature with the new secret and, for 24 hours, one with the previous secret too, so your receiver can switch without missing one.',
      button: 'Rotate the webhook secret',
    }),
    async (app) => {
      const rotated = await services.webhooks.rotateSecret(app.id);
      return (
        rotated && {
          action: 'app.webhook_secret_rotated',
          detail: {},
          shown: {
            title: `New webhook secret for ${app.name}`,
            label: 'Webhook secret',
            secret: rotated.secret,
            after: rotated.previousExpiresAt
              ? `The previous secret also signs deliveries until ${when(rotated.previousExpiresAt)}.`
              : 'Deliveries are signed with it from now on.',
          },
        }
      );
    },
  );

  scope.post<{ Params: { id: string } }>('/apps/:id/origins', {
    schema,
    handler: async (request, reply) => {
      const app = await load(request as AppRequest, reply);
      if (!app) return reply;
      const origin = (formOf(request).origin ?? '').trim();
      const current = (await services.connect.origins.of(app)) ?? [];
      try {
        const now = await services.connect.origins.set(app.id, [...current, origin]);
        await services.operators.record(actorOf(request), 'app.origin_added', app.id, { origin, origins: now }, request.ip);
      } catch (error) {
        if (error instanceof DomainError) return show(request as AppRequest, reply, app, 400, { problem: error.message });
        throw error;
      }
      return seeOther(reply, `/dashboard/apps/${app.id}?done=origin-added`);
    },
  });

  scope.post<{ Params: { id: string } }>('/apps/:id/origins/remove', {
    schema,
    handler: async (request, reply) => {
      const app = await load(request as AppRequest, reply);
      if (!app) return reply;
      const origin = formOf(request).origin ?? '';
      const current = (await services.connect.origins.of(app)) ?? [];
      const now = await services.connect.origins.set(
        app.id,
        current.filter((o) => o !== origin),
      );
      await services.operators.record(actorOf(request), 'app.origin_removed', app.id, { origin, origins: now }, request.ip);
      return seeOther(reply, `/dashboard/apps/${app.id}?done=origin-removed`);
    },
  });

  scope.post<{ Params: { id: string } }>('/apps/:id/webhook', {
    schema,
    handler: async (request, reply) => {
      const app = await load(request as AppRequest, reply);
      if (!app) return reply;
      const url = (formOf(request).url ?? '').trim().slice(0, 2000);
      const result = await services.webhooks.setEndpoint(app.id, app.mode, url);
      if ('refused' in result)
        return show(request as AppRequest, reply, app, 400, { problem: `That webhook URL is refused: ${result.refused.replace(/^url /, 'the URL ')}.` });
      await services.operators.record(actorOf(request), 'app.webhook_url_set', app.id, { url }, request.ip);
      return sendPage(
        reply,
        200,
        shownOncePage(frameOf(request), {
          app,
          title: `Webhook URL set for ${app.name}`,
          label: 'New webhook secret',
          secret: result.secret,
          after: result.previousExpiresAt
            ? `Deliveries go to ${url}, signed with this secret and, until the previous secret expires (24 hours), with that one too.`
            : `Deliveries go to ${url}, signed with this secret.`,
        }),
      );
    },
  });
}
