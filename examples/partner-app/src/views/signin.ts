import { DEMO_USERS } from '../db.ts';
import { html, type SafeHtml } from './html.ts';
import { APP_NAME } from './layout.ts';

export function signin(): SafeHtml {
  return html`<div class="card">
<h1>Welcome to ${APP_NAME}</h1>
<p>Small loans, decided from your bank data. This is a demo: sign in as one of the demo people below, no password needed.</p>
<form method="post" action="/signin" class="stack">
${DEMO_USERS.map((u) => html`<button type="submit" name="user" value="${u.id}" class="primary wide">Sign in as ${u.name}</button>`)}
</form>
</div>`;
}
