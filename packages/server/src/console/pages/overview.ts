import type { Services } from '../../http/types.ts';
import type { DeliveryBacklog } from '../../metrics/metrics.ts';
import type { Breakdown, ReauthHealth, WindowHealth } from '../../operations/model.ts';
import { barChart, dailyChart, dayLabel, legend } from '../chart.ts';
import { type ConsoleApp, frameOf, sendPage } from '../context.ts';
import { causeLabel, count, duration, share } from '../format.ts';
import { type Html, html } from '../html.ts';
import { document, type Frame } from '../layout.ts';
import { type AppSummary, appSummaries } from '../summaries.ts';
import { modeBadge } from './apps.ts';

export interface OverviewData {
  apps: AppSummary[];
  backlog: DeliveryBacklog;
  health: ReauthHealth;
}

/** The windows the overview reads (days): the figures show both, the breakdowns the longer. */
const WEEK = 7;
const MONTH = 30;

export function overviewPage(frame: Frame, data: OverviewData): string {
  const { health } = data;
  const week = windowOf(health, WEEK);
  const month = windowOf(health, MONTH);
  const { linked, waiting } = health.accounts;
  return document(
    'Overview',
    html`<h1>Overview</h1>
${health.truncated ? html`<p class="problem" role="status">More re-authorisations touched the last 30 days than the overview reads at once: the oldest are left out of the figures below.</p>` : ''}
<section aria-labelledby="health"><h2 id="health">Re-authorisation health</h2>
<p class="muted">When a bank asks a user to log in again (a changed password, an OTP), their account waits for re-authorisation until they do it in the Connect widget (docs/reauth.md). These figures count every app’s accounts.</p>
<div class="grid figures">
<div class="card"><h3>Linked accounts</h3><p class="figure">${linked}</p><p class="muted">across ${count(data.apps.length, 'app')}</p></div>
<div class="card"><h3>Waiting for re-authorisation now</h3><p class="figure">${waiting}</p><p class="muted">${
      waiting > 0
        ? html`<a href="/dashboard/accounts?reauth=1">See the ${count(waiting, 'account')} waiting</a>`
        : linked > 0
          ? 'none of them'
          : 'no accounts linked'
    }</p></div>
<div class="card"><h3>Re-authorised, last 7 days</h3><p class="figure">${week.reauthorised}</p><p class="muted">${count(week.began, 'account')} began to wait in that time</p></div>
<div class="card"><h3>Re-authorised, last 30 days</h3><p class="figure">${month.reauthorised}</p><p class="muted">${count(month.began, 'account')} began to wait in that time</p></div>
<div class="card"><h3>Re-authorisation success, last 30 days</h3><p class="figure">${share(month.success_share)}</p><p class="muted">${
      month.began === 0
        ? 'no re-authorisation began in that time'
        : `${month.funnel.done} of the ${count(month.began, 'wait')} that began ended re-authorised; last 7 days: ${share(week.success_share)}`
    }</p></div>
<div class="card"><h3>Time to re-authorise, last 30 days</h3><p class="figure">${duration(month.median_seconds)}</p><p class="muted">${
      month.median_seconds === null
        ? 'no re-authorisation completed in that time'
        : `median, from reauthorisation_required to account_reauthorized; 90% within ${duration(month.p90_seconds)}`
    }</p></div>
<div class="card"><h3>Webhook deliveries pending</h3><p class="figure">${data.backlog.pending}</p><p class="muted">${
      data.backlog.pending === 0
        ? 'every event delivered'
        : html`<a href="/dashboard/webhooks?state=failing">${data.backlog.failing} failing</a>; the oldest due for ${Math.round(data.backlog.oldestDueSeconds)} s`
    }</p></div>
</div>
</section>
${month.began === 0 && month.reauthorised === 0 ? emptyHealth() : details(health, month)}
<section aria-labelledby="by-app"><h2 id="by-app">By app</h2>
${
  data.apps.length === 0
    ? html`<p>No apps yet: <a href="/dashboard/apps">create one</a>.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="by-app" tabindex="0"><table>
<thead><tr><th scope="col">App</th><th scope="col">Linked accounts</th><th scope="col">Waiting for re-authorisation</th></tr></thead>
<tbody>${data.apps.map(
        (s) =>
          html`<tr><th scope="row"><a href="/dashboard/apps/${s.app.id}">${s.app.name}</a> ${modeBadge(s.app.mode)}</th><td><a href="/dashboard/accounts?app=${s.app.id}">${s.accounts}</a></td><td>${s.waitingForReauth > 0 ? html`<a href="/dashboard/accounts?app=${s.app.id}&amp;reauth=1">${s.waitingForReauth}</a>` : '0'}</td></tr>`,
      )}</tbody>
</table></div>`
}
</section>`,
    { ...frame, section: 'overview' },
  );
}

function windowOf(health: ReauthHealth, days: number): WindowHealth {
  const found = health.windows.find((w) => w.days === days);
  if (!found) throw new Error(`reauthHealth was asked for no ${days}-day window`);
  return found;
}

function emptyHealth(): Html {
  return html`<section class="card" aria-labelledby="no-reauth"><h2 id="no-reauth">No account has needed re-authorisation in the last 30 days</h2>
<p>When a bank asks one of your users to log in again, the account appears under <a href="/dashboard/accounts?reauth=1">Accounts, waiting for re-authorisation</a>, and the reasons, the banks, how far people get and how long they take appear here.</p>
<p>To see it work, open an account of a test-mode app from <a href="/dashboard/accounts">Accounts</a> and use <strong>Reset the bank login</strong>: the sandbox bank asks again, and the account waits for its user.</p>
</section>`;
}

function details(health: ReauthHealth, month: WindowHealth): Html {
  const f = month.funnel;
  const steps: { label: string; value: number; stopped: number | null }[] = [
    { label: 'Began to wait', value: f.began, stopped: f.stopped.none },
    { label: 'Opened the widget', value: f.session, stopped: f.stopped.session },
    { label: 'Sent their login', value: f.login, stopped: f.stopped.login },
    { label: 'Met a challenge (OTP, question)', value: f.challenge, stopped: f.stopped.challenge },
    { label: 'Re-authorised', value: f.done, stopped: null },
  ];
  const percent = (n: number) => (f.began === 0 ? '' : share(n / f.began));
  const days = health.series.map((d) => d.day);
  const counts = [
    { name: 'Began to wait', values: health.series.map((d) => d.broke), fill: 'red' as const },
    { name: 'Re-authorised', values: health.series.map((d) => d.came_back), fill: 'stripes' as const },
  ];
  const anyBack = health.series.some((d) => d.median_seconds !== null);
  return html`<section aria-labelledby="why"><h2 id="why">Why, and at which banks: last 30 days</h2>
<p class="muted">The re-authorisations that began in the last 30 days, by the reason the bank gave and by bank.</p>
${breakdownTable('by-reason', 'Reason', month.by_reason, (b) => causeLabel(b.key))}
${breakdownTable('by-institution', 'Bank', month.by_institution, (b) => b.name)}
</section>
<section aria-labelledby="funnel"><h2 id="funnel">Where people stop: last 30 days</h2>
<div class="card">
${barChart({
  id: 'funnel-chart',
  title: 'How far the users who had to re-authorise got',
  description: `Of ${f.began} that began to wait in the last 30 days: ${f.session} opened the widget, ${f.login} sent their login, ${f.challenge} met a challenge, ${f.done} re-authorised.`,
  bars: steps.map((s) => ({ label: s.label, value: s.value, note: percent(s.value) })),
})}
<p class="muted">Not every bank asks a question after the login, so more may re-authorise than met a challenge.</p>
<details><summary>The steps as a table</summary>
<div class="table-wrap" role="region" aria-label="How far people got, as a table" tabindex="0"><table>
<thead><tr><th scope="col">Step</th><th scope="col">Reached it</th><th scope="col">Stopped there (not re-authorised yet)</th></tr></thead>
<tbody>${steps.map((s) => html`<tr><th scope="row">${s.label}</th><td>${s.value}${f.began > 0 ? html` <span class="muted">(${percent(s.value)})</span>` : ''}</td><td>${s.stopped ?? '—'}</td></tr>`)}</tbody>
</table></div>
</details>
</div>
</section>
<section aria-labelledby="daily"><h2 id="daily">Day by day: last 30 days</h2>
<div class="card">
<h3>Accounts that began to wait, and that re-authorised</h3>
${dailyChart({
  id: 'daily-chart',
  title: 'Accounts that began to wait for re-authorisation, and accounts re-authorised, each day of the last 30 days',
  description: `In all ${health.series.reduce((n, d) => n + d.broke, 0)} began to wait and ${health.series.reduce((n, d) => n + d.came_back, 0)} re-authorised, from ${dayLabel(days[0]!)} to ${dayLabel(days[days.length - 1]!)} (UTC days).`,
  days,
  series: counts,
})}
${legend(counts)}
<h3>Median time to re-authorise</h3>
${
  anyBack
    ? dailyChart({
        id: 'median-chart',
        title: 'Median time to re-authorise, each day of the last 30 days',
        description: 'The median time from reauthorisation_required to account_reauthorized of the accounts re-authorised each day; days with none are empty.',
        days,
        series: [{ name: 'Median time', values: health.series.map((d) => d.median_seconds), fill: 'blue' }],
        format: (s) => duration(s),
        seconds: true,
      })
    : html`<p>No account was re-authorised in the last 30 days, so there is no time to show yet.</p>`
}
<details><summary>Each day as a table</summary>
<div class="table-wrap" role="region" aria-label="Each day of the last 30 days, as a table" tabindex="0"><table>
<thead><tr><th scope="col">Day (UTC)</th><th scope="col">Began to wait</th><th scope="col">Re-authorised</th><th scope="col">Median time</th></tr></thead>
<tbody>${[...health.series].reverse().map((d) => html`<tr><th scope="row">${d.day}</th><td>${d.broke}</td><td>${d.came_back}</td><td>${duration(d.median_seconds)}</td></tr>`)}</tbody>
</table></div>
</details>
</div>
</section>`;
}

function breakdownTable(id: string, heading: string, rows: Breakdown[], name: (b: Breakdown) => string): Html {
  return html`<div class="table-wrap" role="region" aria-labelledby="${id}" tabindex="0"><table class="stack">
<caption id="${id}">By ${heading.toLowerCase()}</caption>
<thead><tr><th scope="col">${heading}</th><th scope="col">Began to wait</th><th scope="col">Re-authorised</th><th scope="col">Still waiting</th><th scope="col">Success</th><th scope="col">Median time</th></tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr><td colspan="6">None began in the last 30 days.</td></tr>`
      : rows.map(
          (b) =>
            html`<tr><th scope="row">${name(b)}</th><td data-label="Began to wait">${b.began}</td><td data-label="Re-authorised">${b.reauthorised}</td><td data-label="Still waiting">${b.waiting}</td><td data-label="Success">${share(
              b.began === 0 ? null : b.reauthorised / b.began,
            )}</td><td data-label="Median time">${duration(b.median_seconds)}</td></tr>`,
        )
  }</tbody>
</table></div>`;
}

export function register(scope: ConsoleApp, services: Services) {
  scope.get('/', {
    schema: { hide: true },
    handler: async (request, reply) => {
      const [apps, backlog, health] = await Promise.all([
        appSummaries(services),
        services.webhooks.backlog(),
        services.operations.reauthHealth({ windows: [WEEK, MONTH] }),
      ]);
      return sendPage(reply, 200, overviewPage(frameOf(request), { apps, backlog, health }));
    },
  });
}
