import { Type } from 'typebox';
import { PageQuery } from '../accounts.ts';
import { Paging, V2Envelope, V2Failure } from '../envelope.ts';
import { EVENT_NAMES } from '../events.ts';
import { operation } from '../operation.ts';
import { DELIVERY_STATUSES, WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookSecret } from '../webhooks.ts';

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const listEvents = operation({
  method: 'GET',
  path: '/v2/webhooks/events',
  summary: "List your app's events, newest first",
  tags: ['Webhooks'],
  query: Type.Object(PageQuery),
  response: V2Envelope(Type.Array(WebhookEvent), { meta: Paging }),
  failure: V2Failure,
});

export const replayEvent = operation({
  method: 'POST',
  path: '/v2/webhooks/events/:id/replay',
  summary: 'Deliver one of your events (again) by its event_id, also one recorded while the webhook was off',
  tags: ['Webhooks'],
  params: Id,
  status: 201,
  response: V2Envelope(WebhookDelivery),
  failure: V2Failure,
});

export const listDeliveries = operation({
  method: 'GET',
  path: '/v2/webhooks/deliveries',
  summary: 'List webhook deliveries with every attempt, newest first',
  tags: ['Webhooks'],
  query: Type.Object({
    ...PageQuery,
    status: Type.Optional(Type.Enum([...DELIVERY_STATUSES])),
    event_id: Type.Optional(Type.String({ maxLength: 64 })),
  }),
  response: V2Envelope(Type.Array(WebhookDelivery), { meta: Paging }),
  failure: V2Failure,
});

export const getDelivery = operation({
  method: 'GET',
  path: '/v2/webhooks/deliveries/:id',
  summary: 'Get one webhook delivery and its attempts',
  tags: ['Webhooks'],
  params: Id,
  response: V2Envelope(WebhookDelivery),
  failure: V2Failure,
});

export const replayDelivery = operation({
  method: 'POST',
  path: '/v2/webhooks/deliveries/:id/replay',
  summary: 'Send the event of a delivery again (same event_id and webhook-id)',
  tags: ['Webhooks'],
  params: Id,
  status: 201,
  response: V2Envelope(WebhookDelivery),
  failure: V2Failure,
});

export const getEndpoint = operation({
  method: 'GET',
  path: '/v2/webhooks/endpoint',
  summary: "Your app's webhook URL, and whether delivery to it is disabled",
  tags: ['Webhooks'],
  response: V2Envelope(WebhookEndpoint),
  failure: V2Failure,
});

export const setEndpoint = operation({
  method: 'PUT',
  path: '/v2/webhooks/endpoint',
  summary: 'Set the webhook URL: re-enables delivery and returns a new webhook secret, once',
  tags: ['Webhooks'],
  body: Type.Object({ url: Type.String({ minLength: 1, maxLength: 2048 }) }, { additionalProperties: false }),
  response: V2Envelope(Type.Object({ ...WebhookEndpoint.properties, ...WebhookSecret.properties })),
  failure: V2Failure,
});

export const rotateSecret = operation({
  method: 'POST',
  path: '/v2/webhooks/secret/rotate',
  summary: 'Issue a new webhook secret; the previous one keeps signing for 24 hours',
  tags: ['Webhooks'],
  response: V2Envelope(WebhookSecret),
  failure: V2Failure,
});

export const fireSandboxEvent = operation({
  method: 'POST',
  path: '/v2/sandbox/webhooks/fire',
  summary: 'Sandbox: send any event for one of your accounts (test keys only)',
  tags: ['Sandbox', 'Webhooks'],
  body: Type.Object({ event: Type.Enum([...EVENT_NAMES]), account: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
  response: V2Envelope(Type.Object({ event_id: Type.String(), event: Type.String(), delivery_id: Type.Union([Type.String(), Type.Null()]) })),
  failure: V2Failure,
});
