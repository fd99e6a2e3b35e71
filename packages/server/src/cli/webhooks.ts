import type { WebhookDelivery } from '@relink/contract';
import { DELIVERY_STATUSES } from '@relink/contract/names';
import { EVENT_TYPES, type EventType } from '../events/events.ts';
import { type CliContext, requireFlag, withServices } from './context.ts';

const USE = 'use webhooks deliveries --app ID [STATUS], webhooks replay DELIVERY_ID|EVENT_ID --app ID, or webhooks fire EVENT ACCOUNT_ID --app ID';

/** `relink webhooks …`: an app's deliveries, replays and sandbox events, straight from the database. */
export async function webhooksCommand(context: CliContext, sub: string | undefined, args: string[]): Promise<number> {
  const appId = sub === 'deliveries' || sub === 'replay' || sub === 'fire' ? requireFlag(context, 'app') : '';
  switch (sub) {
    case 'deliveries': {
      const status = args[0];
      if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
        throw new Error(`status must be one of ${DELIVERY_STATUSES.join(', ')} (got "${status}")`);
      }
      const { items, total } = await withServices(context, (s) =>
        s.webhooks.deliveries(appId, { status: status as (typeof DELIVERY_STATUSES)[number] | undefined }, { page: 1, limit: 100 }),
      );
      if (context.values.json) context.out(JSON.stringify(items));
      else if (items.length === 0) context.out(`No${status ? ` ${status}` : ''} deliveries for app ${appId}.`);
      else {
        for (const delivery of items) print(context, delivery);
        if (total > items.length) context.out(`(${items.length} newest of ${total}; use GET /v2/webhooks/deliveries to page)`);
      }
      return 0;
    }
    case 'replay': {
      const id = args[0];
      if (!id) throw new Error('name what to replay: relink webhooks replay DELIVERY_ID|EVENT_ID --app ID');
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

function print(context: CliContext, d: WebhookDelivery) {
  context.out(`${d.id}  ${d.status.padEnd(9)}  ${d.event}  ${d.event_id}  attempts=${d.attempt_count}  ${d.url}`);
  for (const a of d.attempts) {
    context.out(`    ${a.attempted_at}  ${a.status_code ?? '---'}  ${a.duration_ms} ms${a.error ? `  ${a.error}` : ''}`);
  }
  if (d.status === 'pending' && d.next_attempt_at) context.out(`    next attempt at ${d.next_attempt_at}`);
}
