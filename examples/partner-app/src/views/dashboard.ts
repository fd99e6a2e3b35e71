import type { User } from '../db.ts';
import type { AccountDetails, Transaction } from '../relink.ts';
import { accountType, day, masked, moment, money } from './format.ts';
import { html, type SafeHtml } from './html.ts';

export interface AccountView {
  details: AccountDetails;
  transactions: Transaction[];
}

export interface PanelInput {
  user: User;
  publicKey: string;
  /** The linked account as Relink reports it, or why it could not be read. */
  account?: AccountView | undefined;
  error?: string | undefined;
  testMode: boolean;
  /** The live-update version this panel was rendered at (read before the data). */
  version: number;
}

/**
 * The part of the dashboard that changes with the account: swapped in place when Relink says
 * something happened. It carries no Relink account id: the widget's reconnect asks the server for
 * a reauth token of the signed-in user's own account (`POST /reconnect/token`) instead.
 */
export function panel(input: PanelInput): SafeHtml {
  const { user, account } = input;
  const pending = account?.details.meta.data_status === 'PROCESSING';
  return html`<section id="panel" data-key="${input.publicKey}" data-customer-name="${user.name}" data-customer-email="${user.email}" data-reauth="${String(user.reauthRequired)}" data-pending="${String(pending)}" data-version="${input.version}">
${user.accountId ? linked(input) : unlinked()}
</section>`;
}

function unlinked(): SafeHtml {
  return html`<div class="card">
<h2>Link your bank account</h2>
<p>To make you a loan offer we look at your balance and recent transactions. Linking takes a minute: pick your bank and log in as you do in its app. We never see your password.</p>
<button type="button" class="primary" data-widget="link" id="link">Link a bank account</button>
</div>`;
}

function linked(input: PanelInput): SafeHtml {
  const { user, account, error } = input;
  return html`${user.reauthRequired ? banner(account) : ''}
${error ? html`<p class="flash error" role="alert">${error}</p>` : ''}
${account ? accountCard(account, user.reauthRequired) : ''}
${account ? offer(account, user.reauthRequired) : ''}
${account ? transactions(account.transactions) : ''}
${input.testMode ? sandboxControls(account) : ''}`;
}

function banner(account: AccountView | undefined): SafeHtml {
  const bank = account?.details.account.institution.name ?? 'Your bank';
  return html`<div id="reauth-banner" class="banner" role="alert">
<h2>Reconnect your bank account</h2>
<p>${bank} asked us to confirm it is really you. Until you reconnect, your balance and transactions stay as they were on the last update and your loan offer cannot change.</p>
<div class="actions">
<button type="button" class="primary" data-widget="reauth" id="reconnect">Reconnect</button>
<form method="post" action="/reconnect/start"><button type="submit" class="secondary" id="reconnect-direct">Reconnect without the widget</button></form>
</div>
</div>`;
}

function accountCard({ details }: AccountView, stale: boolean): SafeHtml {
  const { account, meta } = details;
  return html`<div class="card" id="account">
<h2>${account.institution.name}</h2>
<p class="muted">${account.name} · ${masked(account.account_number)} · ${accountType(account.type)}</p>
<p class="balance"><span class="muted">Balance</span> <strong id="balance">${money(account.balance, account.currency)}</strong></p>
<p class="muted small" id="synced">${
    meta.data_status === 'PROCESSING'
      ? html`<span class="spinner" aria-hidden="true"></span> Fetching your data from the bank…`
      : meta.last_synced_at
        ? html`${stale ? 'Last updated' : 'Updated'} <time id="last-synced" datetime="${meta.last_synced_at}">${moment(meta.last_synced_at)}</time>`
        : 'Not updated yet'
  }</p>
</div>`;
}

function offer({ details }: AccountView, stale: boolean): SafeHtml {
  const balance = details.account.balance ?? 0;
  return html`<div class="card offer">
<h2>Your loan offer</h2>
${
  stale
    ? html`<p>We need up-to-date bank data to change your offer. Reconnect your account above.</p>`
    : html`<p>You can borrow up to <strong>${money(Math.max(0, Math.floor(balance * 0.5)), details.account.currency)}</strong>, repaid over 3 months.</p>`
}
</div>`;
}

function transactions(list: Transaction[]): SafeHtml {
  return html`<div class="card">
<h2>Recent transactions</h2>
${
  list.length === 0
    ? html`<p class="muted">No transactions yet.</p>`
    : html`<ul class="transactions" id="transactions">${list.map(
        (t) =>
          html`<li><span class="what">${t.narration}<span class="muted small">${day(t.date)}</span></span><span class="amount ${t.type}">${t.type === 'debit' ? '−' : '+'}${money(t.amount, t.currency)}</span></li>`,
      )}</ul>`
}
</div>`;
}

function sandboxControls(view: AccountView | undefined): SafeHtml {
  const account = view?.details.meta.data_status === 'PROCESSING' ? undefined : view;
  return html`<details class="card sandbox" id="sandbox">
<summary>Sandbox controls (test mode)</summary>
<p class="muted small">Make the sandbox bank behave as a real one does when a linked account needs re-authorisation. ${
    account ? '' : 'Available once the first update from the bank has finished.'
  }</p>
<form method="post" action="/sandbox/reset-login" class="actions">
<button type="submit" name="reason" value="mfa_required" class="secondary" ${account ? '' : 'disabled'}>Bank asks for an OTP again</button>
<button type="submit" name="reason" value="password_changed" class="secondary" ${account ? '' : 'disabled'}>Password changed at the bank</button>
</form>
</details>`;
}

export function dashboard(panelHtml: SafeHtml): SafeHtml {
  return html`<h1 class="visually-hidden">Your account</h1>
<p id="status" class="flash" role="status" aria-live="polite" hidden></p>
${panelHtml}`;
}
