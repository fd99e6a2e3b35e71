import { DELIVERY_STATUSES, type DeliveryState } from '@relink/contract/names';
import type { OperatorDelivery } from '../operations/model.ts';
import { EVENT_TYPES, type EventType } from '../events/events.ts';
import { type CliContext, numberFlag, optionalApp, requireFlag, withServices } from './context.ts';

const USE =
  'use webhooks deliveries [--app ID] [STATUS|--failing], webhooks endpoints, webhooks replay DELIVERY_ID… [--app ID] | EVENT_ID --app ID, or webhooks fire EVENT ACCOUNT_ID --app ID';

/**
 * `relink webhooks …`: deliveries and endpoints across apps (an operator's view; `--app`
 * narrows), replays, and sandbox events, straight from the database.
 */
export async function webhooksCommand(context: CliContext, sub: string | undefined, args: string[]): Promise<number> {
  switch (sub) {
    case 'deliveries':
      return deliveries(context, args);
    case 'endpoints':
      return endpoints(context);
    case 'replay': {
      const appId = optionalApp(context);
      if (args.length === 0) throw new Error('name what to replay: relink webhooks replay DELIVERY_ID… [--app ID], or EVENT_ID --app ID');
      if (appId === undefined) return replayMany(context, args);
      const id = args[0]!;
      // An event id (evt_…) delivers that event; anything else names a delivery to repeat.
      const isEvent = id.startsWith('evt_');
      const result = await withServices(context, (s) => (isEvent ? s.webhooks.replayEvent(appId, id) : s.webhooks.replay(appId, id)));
      if (result === 'not_found') throw new Error(`no ${isEvent ? 'event' : 'delivery'} ${id} for app ${appId}`);
      if (result === 'not_configured') throw new Error(`app ${appId} has no enabled webhook URL; set one with PUT /v2/webhooks/endpoint`);
      if (context.values.json) context.out(JSON.stringify(result));
      else context.out(`Queued ${result.id}: ${isEvent ? 'a delivery of event' : `a replay of ${id}, event`} ${result.event_id} to ${result.url}.`);
      return 0;
    }
    case 'fire': {
      const appId = requireFlag(context, 'app');
      const [name, accountId] = args;
      const type = (name?.startsWith('mono.') ? name : `mono.events.${name ?? ''}`) as EventType;
      if (!name || !EVENT_TYPES.includes(type)) throw new Error(`event must be one of ${EVENT_TYPES.join(', ')}`);
      if (!accountId) throw new Error('name the account: relink webhooks fire EVENT ACCOUNT_ID --app ID');
      const fired = await withServices(context, async (s) => {
        const app = await s.apps.get(appId);
        if (!app) throw new Error(`no app with id ${appId}`);
        if (app.mode !== 'test') throw new Error('webhooks fire is a sandbox helper: it works for test-mode apps only');
        return s.webhooks.fire(appId, type, accountId);
      });
      if (!fired) throw new Error(`no account ${accountId} for app ${appId}`);
      if (context.values.json) context.out(JSON.stringify({ event_id: fired.eventId, event: type, delivery_id: fired.deliveryId }));
      else
        context.out(
          `Recorded ${type} (${fired.eventId}); ${fired.deliveryId ? `delivery ${fired.deliveryId} queued` : 'not delivered: the app has no enabled webhook URL'}.`,
        );
      return 0;
    }
    default:
      throw new Error(`unknown command "webhooks ${sub ?? ''}": ${USE}`);
  }
}

/** Every app's deliveries (or one app's), newest first; `--failing` or a STATUS narrows. */
async function deliveries(context: CliContext, args: string[]): Promise<number> {
  const appId = optionalApp(context);
  const status = context.values.failing ? 'failing' : args[0];
  if (context.values.failing && args[0] !== undefined && args[0] !== 'failing') throw new Error(`--failing and the status "${args[0]}" disagree: give one`);
  if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
    throw new Error(`status must be one of ${DELIVERY_STATUSES.join(', ')} (got "${status}")`);
  }
  const state = status as DeliveryState | undefined;
  const limit = numberFlag(context, 'limit', 100, 1, 500);
  const page = numberFlag(context, 'page', 1, 1, 1_000_000);
  const { items, total } = await withServices(context, (s) => s.operations.deliveries({ appId, state }, { page, limit }));
  if (context.values.json) context.out(JSON.stringify(items));
  else if (items.length === 0)
    context.out(`No${status ? ` ${status}` : ''} deliveries${appId ? ` for app ${appId}` : ''}${page > 1 ? ` on page ${page}` : ''}.`);
  else {
    for (const delivery of items) print(context, delivery);
    const first = (page - 1) * limit + 1;
    if (total > items.length) context.out(`(${first}–${first + items.length - 1} of ${total}, newest first; --page ${page + 1} for more)`);
  }
  return 0;
}

function print(context: CliContext, d: OperatorDelivery) {
  context.out(`${d.id}  ${d.status.padEnd(9)}  app=${d.app_id}  ${d.event}  ${d.event_id}  attempts=${d.attempt_count}  ${d.url}`);
  for (const a of d.attempts) {
    context.out(`    ${a.attempted_at}  ${a.status_code ?? '---'}  ${a.duration_ms} ms${a.error ? `  ${a.error}` : ''}`);
  }
  if (d.next_attempt_at && (d.status === 'pending' || d.status === 'failing')) context.out(`    next attempt at ${d.next_attempt_at}`);
}

/** Each app's webhook URL and how delivery to it goes. */
async function endpoints(context: CliContext): Promise<number> {
  const list = await withServices(context, (s) => s.operations.endpoints());
  if (context.values.json) {
    context.out(JSON.stringify(list));
    return 0;
  }
  if (list.length === 0) context.out('No app has a webhook URL.');
  for (const e of list) {
    const failures = `${e.consecutive_failures}${e.consecutive_failures_capped ? '+' : ''}`;
    const state = e.disabled_at ? `DISABLED ${e.disabled_at}: ${e.disabled_reason ?? ''}` : e.consecutive_failures > 0 && e.last_attempt_at ? 'FAILING' : 'ok';
    context.out(`${e.app_id}  ${e.mode}  ${e.app_name}  ${e.url}  ${state}`);
    context.out(
      `    last success ${e.last_success_at ?? 'never'}; failures since ${failures}; last attempt ${e.last_attempt_at ?? 'never'}${e.last_error ? ` (${e.last_error})` : ''}`,
    );
    context.out(`    waiting: ${e.pending} pending, ${e.failing} failing${e.oldest_due_at ? `; next due ${e.oldest_due_at}` : ''}`);
  }
  return 0;
}

/** Operator scope: replays deliveries of any app by id. Exits 1 when any was not queued. */
async function replayMany(context: CliContext, ids: string[]): Promise<number> {
  if (ids.some((id) => id.startsWith('evt_'))) throw new Error('an event id needs its app: relink webhooks replay EVENT_ID --app ID');
  const results = await withServices(context, (s) => s.operations.replay(ids));
  if (context.values.json) context.out(JSON.stringify(results));
  else
    for (const r of results) {
      if (r.result === 'queued') context.out(`Queued ${r.delivery.id}: a replay of ${r.id}, event ${r.delivery.event_id} to ${r.delivery.url}.`);
      else if (r.result === 'not_found') context.err(`relink: no delivery ${r.id}`);
      else context.err(`relink: ${r.id}: its app has no enabled webhook URL; set one with PUT /v2/webhooks/endpoint`);
    }
  return results.every((r) => r.result === 'queued') ? 0 : 1;
}
