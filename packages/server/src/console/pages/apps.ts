import { type App, LiveKeyRequiresMasterKey } from '../../apps/service.ts';
import type { Services } from '../../http/types.ts';
import { actorOf, type ConsoleApp, formOf, frameOf, sendPage } from '../context.ts';
import { when } from '../format.ts';
import { html, type Html } from '../html.ts';
import { banner, csrfField, document, type Frame } from '../layout.ts';

export interface AppsData {
  apps: App[];
  problem?: string | undefined;
  typedName?: string | undefined;
}

export function modeBadge(mode: App['mode']): Html {
  return html`<span class="badge ${mode}">${mode === 'live' ? 'Live' : 'Test'}</span>`;
}

export function appsPage(frame: Frame, data: AppsData): string {
  const list =
    data.apps.length === 0
      ? html`<p>No apps yet. Create the first one below.</p>`
      : data.apps.map(
          (app) => html`<article class="card" aria-labelledby="app-${app.id}">
<h3 id="app-${app.id}"><a href="/dashboard/apps/${app.id}">${app.name}</a> ${modeBadge(app.mode)}</h3>
<dl class="facts">
<dt>App id</dt><dd><code>${app.id}</code></dd>
<dt>Public key</dt><dd><code>${app.publicKey}</code></dd>
<dt>Secret key</dt><dd><code>…${app.secretKeyHint ?? ''}</code></dd>
<dt>Webhook URL</dt><dd>${app.webhookUrl ? html`<code>${app.webhookUrl}</code>${app.webhookDisabled ? html` <span class="badge warn">disabled</span>` : ''}` : html`<span class="muted">not set</span>`}</dd>
<dt>Created</dt><dd>${when(app.createdAt)}</dd>
</dl>
<div class="actions"><a class="button secondary" href="/dashboard/apps/${app.id}">Manage keys, origins and webhook<span class="visually-hidden"> of ${app.name}</span></a></div>
</article>`,
        );
  return document(
    'Apps and keys',
    html`<h1>Apps and keys</h1>
${banner('problem', data.problem)}
<section class="card" aria-labelledby="create">
<h2 id="create">Create an app</h2>
<form class="stack" method="post" action="/dashboard/apps">
${csrfField(frame.csrf)}
<div><label for="name">Name</label><input id="name" name="name" type="text" maxlength="100" required value="${data.typedName ?? ''}"></div>
<fieldset><legend>Mode</legend>
<div class="choice"><input id="mode-test" type="radio" name="mode" value="test" checked> <label for="mode-test">Test: the sandbox bank</label></div>
<div class="choice"><input id="mode-live" type="radio" name="mode" value="live"> <label for="mode-live">Live: real banks (needs RELINK_MASTER_KEY)</label></div>
</fieldset>
<div><button type="submit">Create app</button></div>
</form>
<p class="muted">Its secret key and webhook secret are shown once, on the next page.</p>
</section>
<h2>Apps</h2>
${list}`,
    { ...frame, section: 'apps' },
  );
}

export interface CreatedData {
  app: App;
  secretKey: string;
  webhookSecret: string;
}

/** The only page that ever shows a new app's secret key and webhook secret. */
export function createdPage(frame: Frame, data: CreatedData): string {
  return document(
    `App ${data.app.name} created`,
    html`<h1>App ${data.app.name} created ${modeBadge(data.app.mode)}</h1>
<p class="notice" role="status">Copy the secret key and the webhook secret now: they are shown only on this page, and Relink keeps only a hash of the key.</p>
<section class="card" aria-labelledby="keys">
<h2 id="keys">Keys</h2>
<p><strong>Secret key</strong> (the <code>mono-sec-key</code> header of your server's calls)</p>
<code class="secret">${data.secretKey}</code>
<p><strong>Webhook secret</strong> (verifies the deliveries' signatures until a webhook URL is set, which issues a new one)</p>
<code class="secret">${data.webhookSecret}</code>
<p><strong>Public key</strong> (the Connect widget's; not a secret, shown on the app's page any time): <code>${data.app.publicKey}</code></p>
</section>
<p><a class="button" href="/dashboard/apps/${data.app.id}">Go to the app</a></p>`,
    { ...frame, section: 'apps' },
  );
}

/** The apps: the list, and creating one. */
export function register(scope: ConsoleApp, services: Services) {
  scope.get('/apps', {
    schema: { hide: true },
    handler: async (request, reply) => sendPage(reply, 200, appsPage(frameOf(request), { apps: await services.apps.list() })),
  });

  scope.post('/apps', {
    schema: { hide: true },
    handler: async (request, reply) => {
      const form = formOf(request);
      const name = (form.name ?? '').trim();
      const live = form.mode === 'live';
      const again = async (problem: string) => sendPage(reply, 400, appsPage(frameOf(request), { apps: await services.apps.list(), problem, typedName: name }));
      if (name === '' || name.length > 100) return again('The name must be 1 to 100 characters.');
      let created: Awaited<ReturnType<typeof services.apps.create>>;
      try {
        created = await services.apps.create({ name, live });
      } catch (error) {
        if (error instanceof LiveKeyRequiresMasterKey) return again('A live app needs RELINK_MASTER_KEY set in the server’s environment.');
        throw error;
      }
      await services.operators.record(actorOf(request), 'app.created', created.id, { name, mode: created.mode }, request.ip);
      const { secretKey, webhookSecret, ...app } = created;
      return sendPage(reply, 201, createdPage(frameOf(request), { app, secretKey, webhookSecret }));
    },
  });
}
