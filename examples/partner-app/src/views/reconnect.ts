import type { FormElement, Ui } from '../relink.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * The app's own page for one step of a reconnect without the widget: the bank's form from
 * Relink's `userInput` (`{title, form}`), every field labelled, the first one focused, Enter
 * submits. Only the field names Relink asked for are sent back.
 */
export function reconnectStep(input: {
  bank: string;
  ui: Ui;
  message?: string | undefined;
  error?: string | undefined;
  note?: SandboxLogin | undefined;
}): SafeHtml {
  const { ui } = input;
  return html`<div class="card">
<p class="muted small">Reconnecting ${input.bank}</p>
<h1>${ui.title}</h1>
${input.message && input.message !== ui.title ? html`<p class="flash info" role="status">${input.message}</p>` : ''}
${input.error ? html`<p class="flash error" role="alert" id="step-error">${input.error}</p>` : ''}
<form method="post" action="/reconnect" class="stack" id="reconnect-form">
${ui.form.map((field, i) => fieldHtml(field, i === 0))}
<button type="submit" class="primary wide">Continue</button>
</form>
${input.note ? sandboxNote(input.note) : ''}
<p><a href="/">Back to your account</a> <span class="muted small">(Reconnect without the widget again within 10 minutes to carry on here.)</span></p>
</div>`;
}

/** Test mode: the sandbox bank's current login, after its password was changed. */
export interface SandboxLogin {
  username?: string;
  password?: string;
}

function sandboxNote(login: SandboxLogin): SafeHtml {
  return html`<p class="muted small" id="sandbox-note">Sandbox: ${
    login.password ? html`log in as <code>${login.username}</code> with the new password <code id="sandbox-password">${login.password}</code>; ` : ''
  }the OTP is <code>12345</code>.</p>`;
}

function fieldHtml(field: FormElement, first: boolean): SafeHtml {
  const id = `field-${field.name}`;
  const label = field.hint ?? field.name;
  if (field.type === 'elements.switch') {
    return html`<label class="check"><input type="checkbox" id="${id}" name="${field.name}" value="true" ${first ? 'autofocus' : ''}> ${label}</label>`;
  }
  if (Array.isArray(field.options) && field.options.length > 0) {
    return html`<label for="${id}">${label}</label><select id="${id}" name="${field.name}" required ${first ? 'autofocus' : ''}>${field.options.map((o) => {
      const value = typeof o === 'object' && o !== null ? String((o as { value?: unknown }).value ?? (o as { name?: unknown }).name ?? '') : String(o);
      const text = typeof o === 'object' && o !== null ? String((o as { name?: unknown }).name ?? value) : String(o);
      return html`<option value="${value}">${text}</option>`;
    })}</select>`;
  }
  const type = field.contentType === 'password' ? 'password' : 'text';
  const autocomplete =
    field.name === 'username' ? 'username' : field.name === 'password' ? 'current-password' : /otp|token|code/i.test(field.name) ? 'one-time-code' : 'off';
  return html`<label for="${id}">${label}</label>
<input id="${id}" name="${field.name}" type="${type}" autocomplete="${autocomplete}" required ${field.contentType === 'integer' || /otp/i.test(field.name) ? html`inputmode="numeric"` : ''} ${
    field.maxLength ? html`maxlength="${field.maxLength}"` : ''
  } ${field.value && field.contentType !== 'password' ? html`value="${field.value}"` : ''} ${first ? 'autofocus' : ''}>`;
}

/** When the attempt cannot go on (expired, too many wrong answers, the bank unreachable). */
export function reconnectEnded(message: string): SafeHtml {
  return html`<div class="card">
<h1>We could not reconnect your account</h1>
<p class="flash error" role="alert">${message}</p>
<div class="actions">
<form method="post" action="/reconnect/start"><button type="submit" class="primary">Try again</button></form>
<a class="button secondary" href="/">Back to your account</a>
</div>
</div>`;
}
