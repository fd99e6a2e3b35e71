import { Type, type Static } from 'typebox';
import { Nullable } from './envelope.ts';
import { DELIVERY_STATUSES } from './names.ts';

export { DELIVERY_STATUSES, type DeliveryState } from './names.ts';

/** The operator API's view of webhooks (`/v2/webhooks/*`), snake case like Mono's v2. */

const Time = Type.String({ format: 'date-time' });

export const WebhookEvent = Type.Object({
  id: Type.String({ description: 'The event id, also sent as `webhook-id` and `event_id`' }),
  event: Type.String(),
  account: Nullable(Type.String()),
  created_at: Time,
  payload: Type.Unknown({ description: 'The exact body delivered: {event, event_id, timestamp, data}' }),
});
export type WebhookEvent = Static<typeof WebhookEvent>;

export const WebhookAttempt = Type.Object({
  id: Type.String(),
  attempted_at: Time,
  url: Type.String(),
  status_code: Nullable(Type.Integer()),
  duration_ms: Type.Integer(),
  error: Nullable(Type.String()),
  response_body: Nullable(Type.String({ description: 'The first 256 bytes of the answer' })),
});
export type WebhookAttempt = Static<typeof WebhookAttempt>;

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  event: Type.String(),
  url: Type.String(),
  status: Type.Enum([...DELIVERY_STATUSES], {
    description: 'pending: not attempted yet; failing: attempted, failed, retried at next_attempt_at; succeeded; failed: given up',
  }),
  replay_of: Nullable(Type.String()),
  attempt_count: Type.Integer(),
  next_attempt_at: Nullable(Type.String({ format: 'date-time', description: 'When it is attempted (again); null once succeeded or failed' })),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String({ description: "The last attempt's error (ECONNREFUSED, a timeout, `receiver answered 500`)" })),
  created_at: Time,
  updated_at: Time,
  completed_at: Nullable(Time),
  attempts: Type.Array(WebhookAttempt),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookEndpoint = Type.Object({
  url: Nullable(Type.String()),
  disabled_at: Nullable(Time),
  disabled_reason: Nullable(Type.String()),
  previous_secret_expires_at: Nullable(Time),
});
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

/** Shown once, when an endpoint is set or its secret rotated. */
export const WebhookSecret = Type.Object({
  webhook_secret: Type.String({ description: 'whsec_…: sent as mono-webhook-secret and the Standard Webhooks signing key' }),
  previous_secret_expires_at: Nullable(Time),
});
