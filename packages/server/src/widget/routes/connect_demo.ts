import { Type } from 'typebox';
import type { App } from '../../apps/service.ts';
import { SANDBOX_CREDENTIALS, SANDBOX_INPUTS } from '../../connectors/sandbox/index.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import type { ChangedSandboxPassword } from '../../sandbox/service.ts';
import { DEMO_COOKIE } from '../demo.ts';
import { escapeHtml } from '../page.ts';

/**
 * `GET /connect/demo`: a partner page in miniature for a new user after `npm start`. It opens
 * the widget for the test-mode app "Sandbox" (or the first test-mode app) and shows the
 * account the code exchanged to. Test-mode apps only: the exchange runs here, server-side,
 * as a partner's backend would with its secret key, so it takes no key at all but the page
 * load's one-time demo cookie, and only for the session that page started (connect/demo.ts).
 */
export function register(app: HttpApp, services: Services) {
  const { demo } = services;
  const demoApp = async (): Promise<App | undefined> => {
    const apps = (await services.apps.list()).filter((a) => a.mode === 'test');
    return apps.find((a) => a.name === 'Sandbox') ?? apps[0];
  };

  app.get('/connect/demo', {
    config: { auth: 'none' },
    schema: { summary: 'Connect demo page (test-mode apps)', tags: ['Connect widget'], hide: true },
    handler: async (request, reply) => {
      const chosen = await demoApp();
      if (chosen) {
        const { value, maxAgeSeconds } = await demo.mint(chosen.id);
        const secure = request.protocol === 'https' ? '; Secure' : '';
        reply.header('set-cookie', `${DEMO_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`);
      }
      reply.headers({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'",
        'cache-control': 'no-store',
      });
      return demoPage(chosen, chosen ? await services.sandbox.changedPasswords() : []);
    },
  });

  app.post('/connect/demo/exchange', {
    config: { auth: 'none' },
    schema: { hide: true, body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) }) },
    handler: async (request) => {
      const { appId, accountId } = await demo.exchange(request.headers.cookie, request.body.code);
      const account = await services.accounts.get(appId, accountId);
      return {
        account: {
          id: account.id,
          name: account.name,
          accountNumber: masked(account.accountNumber),
          type: account.type,
          institution: account.institution.name,
        },
      };
    },
  });
}

/** The last four digits are enough to recognise one's own account; the page shows no more. */
function masked(accountNumber: string): string {
  return '•'.repeat(Math.max(0, accountNumber.length - 4)) + accountNumber.slice(-4);
}

/** The password cell: the default, and where a reset-login changed it, the current one at that bank. */
function passwordCell(username: string, password: string, changed: ChangedSandboxPassword[]): string {
  const now = changed
    .filter((c) => c.username === username)
    .map((c) =>
      c.password ? `<br>now <code>${escapeHtml(c.password)}</code> at ${escapeHtml(c.institution)}` : `<br>changed at ${escapeHtml(c.institution)}`,
    );
  return now.length === 0 ? `<code>${escapeHtml(password)}</code>` : `<s><code>${escapeHtml(password)}</code></s>${now.join('')}`;
}

function demoPage(app: App | undefined, changed: ChangedSandboxPassword[]): string {
  const rows = SANDBOX_CREDENTIALS.map(
    (c) =>
      `<tr><td><code>${escapeHtml(c.values.username)}</code></td><td>${passwordCell(c.values.username, c.values.password, changed)}</td><td>${escapeHtml(c.description)}</td></tr>`,
  ).join('');
  const resetNote =
    changed.length > 0
      ? `<p id="changed">A reset-login changed the passwords shown; <code>npx relink sandbox reset</code> (or <code>POST /v2/sandbox/reset</code>) puts every user back to <code>pass_good</code>.</p>`
      : '';
  const inputs = SANDBOX_INPUTS.map(
    (i) => `<li><code>${escapeHtml(i.name)}</code>: <code>${escapeHtml(i.value)}</code> (${escapeHtml(i.description)})</li>`,
  ).join('');
  const body = app
    ? `<div id="demo" data-key="${escapeHtml(app.publicKey)}">
  <p>This page plays a partner's website. The button opens Relink Connect for the test-mode app <b>${escapeHtml(app.name)}</b>; log in with a sandbox user below. The code the widget returns is exchanged for the account, as the partner's server would with its secret key; this page may exchange only the code of the session it started, once, within 15 minutes.</p>
  <button id="link" type="button" disabled>Link a bank account</button>
  <dl id="result" class="result" hidden aria-live="polite"></dl>
</div>
<h2>Sandbox users</h2>
<table><thead><tr><th>username</th><th>password</th><th>what happens</th></tr></thead><tbody>${rows}</tbody></table>
${resetNote}
<ul>${inputs}</ul>
<script src="/connect/demo.js"></script>`
    : `<p>There is no test-mode app. Create one with <code>npx relink apps create --name Sandbox</code> and reload.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Relink Connect demo</title><link rel="icon" href="data:,">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:760px;margin:32px auto;padding:0 16px;color:#14213d}
button{font:inherit;font-weight:600;padding:12px 20px;border-radius:10px;border:0;background:#0b6e4f;color:#fff;cursor:pointer}
button:disabled{opacity:.6;cursor:default}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-bottom:1px solid #d9dee7;padding:6px 8px;text-align:left;vertical-align:top}
.result{margin:16px 0;padding:12px 16px;border-radius:10px;background:#fdeceb}.result.ok{background:#e3f5ec}
.result div{display:flex;gap:12px}.result dt{flex:0 0 110px;color:#5c6675}.result dd{margin:0;word-break:break-all}
</style></head>
<body><h1>Relink Connect demo</h1>${body}</body></html>
`;
}
