import type { AccountDetail, Breakdown, EpisodeView, OperatorAccount, ReauthHealth, TimelineEntry, WindowHealth } from '../operations/model.ts';
import { type CliContext, numberFlag, optionalApp, withServices } from './context.ts';
import { duration, share } from './format.ts';

const USE = 'use accounts list [--reauth-required] [--failing-sync] [--app ID] [--institution X] [--limit N] [--page N], accounts show ID, or accounts health';

/** `relink accounts …`: every app's accounts, one account's timeline, re-authorisation health (operations/). */
export async function accountsCommand(context: CliContext, sub: string | undefined, args: string[]): Promise<number> {
  switch (sub) {
    case 'list':
      return list(context);
    case 'show': {
      const id = args[0];
      if (!id) throw new Error('name the account: relink accounts show ACCOUNT_ID');
      const detail = await withServices(context, (s) => s.operations.account(id));
      if (!detail) throw new Error(`no account ${id}`);
      if (context.values.json) context.out(JSON.stringify(detail));
      else show(context, detail);
      return 0;
    }
    case 'health': {
      const health = await withServices(context, (s) => s.operations.reauthHealth());
      if (context.values.json) context.out(JSON.stringify(health));
      else printHealth(context, health);
      return 0;
    }
    default:
      throw new Error(`unknown command "accounts ${sub ?? ''}": ${USE}`);
  }
}

async function list(context: CliContext): Promise<number> {
  const { values } = context;
  const filter = {
    appId: optionalApp(context),
    institution: values.institution,
    reauthRequired: values['reauth-required'] === true,
    failingSync: values['failing-sync'] === true,
    search: values.search,
    includeUnlinked: values.unlinked === true,
  };
  const page = { page: numberFlag(context, 'page', 1, 1, 1_000_000), limit: numberFlag(context, 'limit', 50, 1, 500) };
  const result = await withServices(context, (s) => s.operations.accounts(filter, page));
  if (context.values.json) {
    context.out(JSON.stringify(result));
    return 0;
  }
  if (result.items.length === 0) {
    context.out(
      result.total === 0
        ? `No ${filter.reauthRequired ? 'accounts waiting for re-authorisation' : 'accounts'}${filter.appId ? ` for app ${filter.appId}` : ''}.`
        : `No accounts on page ${result.page}.`,
    );
    return 0;
  }
  for (const account of result.items) context.out(accountLine(account));
  const first = (result.page - 1) * result.limit + 1;
  if (result.total > result.items.length)
    context.out(`(${first}–${first + result.items.length - 1} of ${result.total}, newest first; --page ${result.page + 1} for more)`);
  return 0;
}

function accountLine(a: OperatorAccount): string {
  const state = a.unlinked_at
    ? `unlinked ${a.unlinked_at}`
    : a.reauth_required
      ? `REAUTH REQUIRED${a.reauth_cause ? ` (${a.reauth_cause})` : ''}${a.reauth_required_at ? ` since ${a.reauth_required_at}` : ''}`
      : a.last_sync_error
        ? `SYNC FAILING: ${a.last_sync_error}`
        : `${a.data_status}${a.last_synced_at ? `, synced ${a.last_synced_at}` : ''}`;
  return `${a.id}  app=${a.app_id}  ${a.institution.name}  ${a.account_number}  ${a.name}  linked ${a.linked_at}  ${state}`;
}

function show(context: CliContext, d: AccountDetail) {
  const a = d.account;
  context.out(`Account ${a.id}: ${a.name}, ${a.institution.name} ${a.account_number} (${a.type}, ${a.currency})`);
  context.out(`  app ${a.app_id}${a.app_name ? ` "${a.app_name}"` : ''}, customer ${a.customer_id}`);
  context.out(`  linked ${a.linked_at}; data ${a.data_status}; last synced ${a.last_synced_at ?? 'never'}`);
  if (a.unlinked_at) context.out(`  unlinked ${a.unlinked_at}`);
  else if (a.reauth_required)
    context.out(`  WAITING FOR RE-AUTHORISATION${a.reauth_cause ? ` (${a.reauth_cause})` : ''}${a.reauth_required_at ? ` since ${a.reauth_required_at}` : ''}`);
  else if (a.last_sync_error) context.out(`  last sync failed: ${a.last_sync_error}`);
  context.out('');
  if (d.episodes.length === 0) context.out('Re-authorisation episodes: none');
  else {
    context.out('Re-authorisation episodes, newest first:');
    for (const e of d.episodes) episode(context, e);
  }
  context.out('');
  context.out(`Timeline, oldest first${d.events_truncated ? ' (the newest 500 events only)' : ''}:`);
  for (const entry of d.timeline) timelineLine(context, entry);
}

function episode(context: CliContext, e: EpisodeView) {
  const end = e.outcome === null ? `waiting for ${duration(e.seconds)}` : `${e.outcome} after ${duration(e.seconds)}, ${e.steps.ended_at}`;
  context.out(`  ${e.id}  ${e.cause}  required ${e.required_at}  ${end}`);
  const steps = [
    `sessions ${e.steps.sessions}${e.steps.session_at ? ` (first ${e.steps.session_at})` : ''}`,
    `login ${e.steps.login_at ?? '-'}`,
    `challenge ${e.steps.challenge_at ?? '-'}`,
  ];
  context.out(`    got to: ${e.stage}; ${steps.join('; ')}`);
  for (const s of e.sessions) context.out(`    session ${s.id}  ${s.origin}  ${s.status}  ${s.created_at}${s.failure ? `  ${s.failure}` : ''}`);
}

function timelineLine(context: CliContext, t: TimelineEntry) {
  switch (t.kind) {
    case 'linked':
    case 'unlinked':
      context.out(`  ${t.at}  ${t.kind}`);
      return;
    case 'session':
      context.out(
        `  ${t.at}  ${t.session.kind} session ${t.session.id} (${t.session.origin}): ${t.session.status}${t.session.failure ? `: ${t.session.failure}` : ''}`,
      );
      return;
    case 'reauth_required':
      context.out(`  ${t.at}  re-authorisation required (${t.cause}), episode ${t.episode}`);
      return;
    case 'reauth_ended':
      context.out(`  ${t.at}  episode ${t.episode} ended: ${t.outcome} after ${duration(t.seconds)}`);
      return;
    case 'realtime_job':
      context.out(`  ${t.at}  real-time job ${t.id} ${t.name}: ${t.status}${t.error ? `: ${t.error}` : ''}`);
      return;
    case 'event': {
      const sync = t.sync ? `  sync ${t.sync.status ?? '?'}${t.sync.error ? `: ${t.sync.error}` : ''}` : '';
      context.out(`  ${t.at}  ${t.type} ${t.id}${sync}`);
      if (t.deliveries.length === 0) context.out('      not delivered: the app had no enabled webhook URL');
      for (const d of t.deliveries) {
        const next = d.next_attempt_at ? `, next attempt ${d.next_attempt_at}` : '';
        const error = d.last_error ? `, last error: ${d.last_error}` : '';
        context.out(`      delivery ${d.id} ${d.status} (${d.attempt_count} attempt${d.attempt_count === 1 ? '' : 's'}${next}${error})`);
      }
      return;
    }
  }
}

function printHealth(context: CliContext, h: ReauthHealth) {
  const reasons = Object.entries(h.accounts.waiting_by_reason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  context.out(`Re-authorisation health at ${h.now}`);
  context.out(`Accounts: ${h.accounts.linked} linked, ${h.accounts.waiting} waiting for re-authorisation now${reasons ? ` (${reasons})` : ''}`);
  for (const w of h.windows) windowLines(context, w);
  const active = h.series.filter((d) => d.broke > 0 || d.came_back > 0);
  context.out('');
  context.out(`Daily, last ${h.series.length} UTC days (days with none left out): day, broke, came back, median time`);
  if (active.length === 0) context.out('  none');
  for (const d of active) context.out(`  ${d.day}  ${d.broke}  ${d.came_back}  ${d.median_seconds === null ? '-' : duration(d.median_seconds)}`);
  if (h.truncated) context.out('(more episodes than the report reads: the oldest were left out)');
}

function windowLines(context: CliContext, w: WindowHealth) {
  const time = w.median_seconds === null ? 'no time yet' : `median ${duration(w.median_seconds)}, p90 ${duration(w.p90_seconds!)}`;
  context.out('');
  context.out(`Last ${w.days} days: ${w.began} broke, ${w.reauthorised} came back, ${w.abandoned} unlinked or relinked; time to re-authorise: ${time}`);
  context.out(`  of those that broke, back by now: ${w.success_share === null ? '-' : share(w.success_share)}`);
  const f = w.funnel;
  context.out(`  how far they got: ${f.began} broke, ${f.session} opened a session, ${f.login} logged in, ${f.challenge} saw a challenge, ${f.done} done`);
  context.out(
    `  where those not back stopped: no session ${f.stopped.none}, session ${f.stopped.session}, login ${f.stopped.login}, challenge ${f.stopped.challenge}`,
  );
  breakdownLine(context, 'by reason', w.by_reason);
  breakdownLine(context, 'by institution', w.by_institution);
}

function breakdownLine(context: CliContext, title: string, rows: Breakdown[]) {
  if (rows.length === 0) return;
  context.out(`  ${title}:`);
  for (const b of rows) {
    const time = b.median_seconds === null ? '' : `, median ${duration(b.median_seconds)}`;
    context.out(`    ${b.name}: ${b.began} broke, ${b.reauthorised} back, ${b.waiting} waiting${time}`);
  }
}
