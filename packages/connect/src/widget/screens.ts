/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import type { BankAccountChoice, FormField, FormUi, WidgetInstitution } from './config.ts';
import { html } from './html.ts';

type Submit<T> = (value: T) => void;

export function InstitutionPicker(props: { institutions: WidgetInstitution[]; onPick: Submit<WidgetInstitution> }) {
  const [query, setQuery] = useState('');
  const shown = props.institutions.filter((i) => i.name.toLowerCase().includes(query.trim().toLowerCase()));
  const submit = (event: Event) => {
    event.preventDefault();
    if (shown[0]) props.onPick(shown[0]);
  };
  return html`
    <form class="screen" data-screen="institutions" onSubmit=${submit}>
      <h1 id="screen-title">Select your bank</h1>
      <label class="field">
        <span>Search banks</span>
        <input type="search" name="search" autocomplete="off" value=${query} onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} autofocus />
      </label>
      <ul class="institutions" aria-labelledby="screen-title">
        ${shown.map(
          (i) => html`<li key=${i.id}>
            <button type="button" class="institution" data-institution=${i.id} onClick=${() => props.onPick(i)}>
              <span class="logo" style=${{ background: i.primaryColor }} aria-hidden="true">${i.name.slice(0, 1)}</span>
              <span class="name">${i.name}</span>
              <span class="kind">${i.type === 'BUSINESS_BANKING' ? 'Business' : 'Personal'}</span>
            </button>
          </li>`,
        )}
      </ul>
      ${shown.length === 0 ? html`<p class="empty" role="status">No bank matches “${query}”.</p>` : null}
    </form>
  `;
}

/**
 * A bank form (login, OTP, security question) rendered from its `ui`: one input per field, named
 * after it. `lead` says why the person is asked (a re-authorisation); `error` is the last
 * attempt's problem, told on the form itself; `values` fills in what the person typed before
 * (never a field shown masked). Focus goes to the first field left to fill.
 */
export function FieldsForm(props: {
  screen: string;
  ui: FormUi;
  note?: string | null;
  lead?: string | null;
  error?: string | null;
  values?: Record<string, string>;
  submitLabel: string;
  onSubmit: Submit<Record<string, string>>;
}) {
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const fields: Record<string, string> = {};
    for (const field of props.ui.form) fields[field.name] = String(data.get(field.name) ?? '');
    props.onSubmit(fields);
  };
  const values = props.values ?? {};
  const empty = props.ui.form.find((f) => !values[f.name]) ?? props.ui.form[0];
  return html`
    <form class="screen" data-screen=${props.screen} onSubmit=${submit}>
      ${props.lead ? html`<p class="lead" id="screen-lead">${props.lead}</p>` : null}
      <h1 id="screen-title">${props.ui.title}</h1>
      ${props.note ? html`<p class="note">${props.note}</p>` : null}
      ${props.error ? html`<p class="form-error" id="screen-error" role="alert">${props.error}</p>` : null}
      ${props.ui.form.map(
        (field, index) =>
          html`<${Field}
            key=${field.name}
            field=${field}
            value=${values[field.name] ?? ''}
            focus=${field === empty}
            invalid=${!!props.error}
            describedBy=${[index === 0 && props.lead ? 'screen-lead' : '', props.error ? 'screen-error' : ''].filter(Boolean).join(' ') || undefined}
          />`,
      )}
      <button type="submit" class="primary">${props.submitLabel}</button>
    </form>
  `;
}

function Field({ field, value, focus, invalid, describedBy }: { field: FormField; value: string; focus: boolean; invalid: boolean; describedBy?: string }) {
  const label = field.hint || field.name;
  const numeric = field.contentType === 'integer' || field.name === 'otp';
  const masked = field.contentType === 'password';
  return html`
    <label class="field">
      <span>${label}</span>
      ${field.type === 'elements.captcha_input' && field.value ? html`<img src=${field.value} alt="Captcha" />` : null}
      <input
        name=${field.name}
        type=${masked ? 'password' : 'text'}
        inputmode=${numeric ? 'numeric' : undefined}
        autocomplete=${field.name === 'otp' ? 'one-time-code' : masked ? 'current-password' : 'off'}
        maxlength=${field.maxLength}
        value=${masked ? undefined : value || undefined}
        aria-invalid=${invalid ? 'true' : undefined}
        aria-describedby=${describedBy}
        required
        autofocus=${focus}
      />
    </label>
  `;
}

export function AccountPicker(props: { accounts: BankAccountChoice[]; onSubmit: Submit<string> }) {
  const submit = (event: Event) => {
    event.preventDefault();
    const chosen = new FormData(event.target as HTMLFormElement).get('accountNumber');
    if (chosen) props.onSubmit(String(chosen));
  };
  return html`
    <form class="screen" data-screen="accounts" onSubmit=${submit}>
      <h1 id="screen-title">Choose an account</h1>
      <fieldset class="accounts">
        <legend>Your bank has several accounts for this login. Which one do you want to link?</legend>
        ${props.accounts.map(
          (a, index) => html`<label class="account" key=${a.accountNumber}>
            <input type="radio" name="accountNumber" value=${a.accountNumber} checked=${index === 0} autofocus=${index === 0} />
            <span class="name">${a.name}</span>
            <span class="detail">${accountType(a.type)} · ${a.accountNumber} · ${money(a.balance, a.currency)}</span>
          </label>`,
        )}
      </fieldset>
      <button type="submit" class="primary">Link this account</button>
    </form>
  `;
}

export function Busy(props: { message: string }) {
  return html`<div class="screen busy" data-screen="busy" role="status" aria-live="polite">
    <div class="spinner" aria-hidden="true"></div>
    <p>${props.message}</p>
  </div>`;
}

/** The end: a new link ("Account linked") or a re-authorisation ("Account reconnected"). */
export function Success(props: { title: string; message: string; hosted: boolean; onContinue: () => void }) {
  return html`<form class="screen success" data-screen="success" onSubmit=${(e: Event) => (e.preventDefault(), props.onContinue())}>
    <div class="tick" aria-hidden="true">✓</div>
    <h1 id="screen-title">${props.title}</h1>
    <p>${props.message}</p>
    <button type="submit" class="primary" autofocus>${props.hosted ? 'Continue' : 'Done'}</button>
  </form>`;
}

export interface ProblemAction {
  label: string;
  run: () => void;
}

export function Problem(props: { kind: string; title: string; message: string; actions: ProblemAction[] }) {
  return html`<div class="screen problem" data-screen="error" data-error=${props.kind} role="alert">
    <div class="cross" aria-hidden="true">!</div>
    <h1 id="screen-title">${props.title}</h1>
    <p>${props.message}</p>
    <div class="actions">
      ${props.actions.map((a, index) => html`<button type="button" class=${index === 0 ? 'primary' : 'secondary'} onClick=${a.run} autofocus=${index === 0}>${a.label}</button>`)}
    </div>
  </div>`;
}

function accountType(type: string): string {
  const words = type.replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function money(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-NG', { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${currency} ${(minor / 100).toFixed(2)}`;
  }
}
