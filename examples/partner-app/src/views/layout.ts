import type { Flash, User } from '../db.ts';
import { html, type SafeHtml } from './html.ts';

export const APP_NAME = 'Kudi Lend';

export interface Page {
  title: string;
  user?: User | undefined;
  flash?: Flash | null;
  body: SafeHtml;
  /** Scripts after the body: the app's own and, where the widget is used, Relink's connect.js. */
  scripts?: string[];
}

export function layout(page: Page): string {
  return `<!doctype html>\n${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · ${APP_NAME}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css"></head>
<body>
<header class="top"><a class="brand" href="/">${APP_NAME}</a>${
    page.user
      ? html`<form method="post" action="/signout" class="who"><span>${page.user.name}</span><button type="submit" class="link">Sign out</button></form>`
      : ''
  }</header>
<main id="main">
${page.flash ? html`<p class="flash ${page.flash.kind}" role="${page.flash.kind === 'error' ? 'alert' : 'status'}">${page.flash.text}${page.flash.code ? html` <code id="flash-code">${page.flash.code}</code>` : ''}</p>` : ''}
${page.body}
</main>
${(page.scripts ?? []).map((src) => html`<script src="${src}"></script>`)}
</body></html>`}\n`;
}
