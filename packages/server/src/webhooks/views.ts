import type { DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEvent } from '@relink/contract';
import type { EventRow, WebhookAttemptRow, WebhookDeliveryRow } from '../db/schema.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function eventView(row: EventRow): WebhookEvent {
  return { id: row.id, event: row.type, account: row.account_id, created_at: iso(row.created_at), payload: JSON.parse(row.body) };
}

export function attemptView(row: WebhookAttemptRow): WebhookAttempt {
  return {
    id: row.id,
    attempted_at: iso(row.attempted_at),
    url: row.url,
    status_code: row.status_code,
    duration_ms: row.duration_ms,
    error: row.error,
    response_body: row.response_body_excerpt,
  };
}

export function deliveryView(row: WebhookDeliveryRow & { event_type: string }, attempts: WebhookAttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    event_id: row.event_id,
    event: row.event_type,
    url: row.url,
    status: stateOf(row),
    replay_of: row.replay_of,
    attempt_count: row.attempt_count,
    next_attempt_at: isoOrNull(row.next_attempt_at),
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    completed_at: isoOrNull(row.completed_at),
    attempts: attempts.filter((a) => a.delivery_id === row.id).map(attemptView),
  };
}

/** `failing`: still to be delivered, after at least one failed attempt (DELIVERY_STATUSES). */
export function stateOf(row: Pick<WebhookDeliveryRow, 'status' | 'attempt_count'>): DeliveryState {
  return row.status === 'pending' && row.attempt_count > 0 ? 'failing' : row.status;
}
