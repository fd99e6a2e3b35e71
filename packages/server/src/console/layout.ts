import { CSRF_FIELD } from './security.ts';
import { STYLESHEET } from './style.ts';
import { type Html, html } from './html.ts';

/** The console's sections, in the header's order. */
export const SECTIONS = [
  { key: 'overview', label: 'Overview', path: '/dashboard' },
  { key: 'accounts', label: 'Accounts', path: '/dashboard/accounts' },
  { key: 'apps', label: 'Apps', path: '/dashboard/apps' },
  { key: 'webhooks', label: 'Webhooks', path: '/dashboard/webhooks' },
  { key: 'audit', label: 'Audit log', path: '/dashboard/audit' },
] as const;
export type Section = (typeof SECTIONS)[number]['key'];

/** What every signed-in page's frame needs: who is signed in, and the token its forms carry. */
export interface Frame {
  email: string;
  csrf: string;
}

/** A whole page: the frame (header, navigation, sign-out) around `body` when signed in; the bare page otherwise. */
export function document(title: string, body: Html, frame?: Frame & { section: Section | null }): string {
  const header = frame
    ? html`<header class="top">
<a class="brand" href="/dashboard">Relink console</a>
<nav aria-label="Console sections"><ul>
${SECTIONS.map((s) => html`<li><a href="${s.path}"${s.key === frame.section ? html` aria-current="page"` : ''}>${s.label}</a></li>`)}
</ul></nav>
<div class="who"><span>Signed in as <strong>${frame.email}</strong></span>
<form method="post" action="/dashboard/sign-out">${csrfField(frame.csrf)}<button type="submit">Sign out</button></form></div>
</header>`
    : html`<header class="top"><span class="brand">Relink console</span></header>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Relink console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLESHEET.path}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${header}
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>
`.text;
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/** A one-line confirmation or problem above a page's content. */
export function banner(kind: 'notice' | 'problem', text: string | undefined): Html {
  if (!text) return html``;
  return kind === 'problem' ? html`<p class="problem" role="alert">${text}</p>` : html`<p class="notice" role="status">${text}</p>`;
}
