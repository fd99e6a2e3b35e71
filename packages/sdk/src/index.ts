/**
 * @relink/sdk — for partners: webhook verification (Standard Webhooks signatures, or Mono's
 * secret header) with adapters for node:http, Express and Fastify, and the re-authorisation
 * tracker of Mono's recommended workflow, and `Relink`, a typed client for every Partners API
 * operation. The contract's error catalogue, response codes and event types are re-exported
 * so partner code can switch on them.
 */
export { Relink, type ReauthStart, type Statement, type StatementJob, type StepReply, type StepReplyV1 } from './client.ts';
export { RelinkConnectionError, RelinkError } from './errors.ts';
export { DEFAULT_BASE_URL, type CallInput, type ClientOptions } from './transport.ts';
export {
  ERROR_CODES,
  EVENT_NAMES,
  RESPONSE_CODES,
  accountOf,
  isErrorCode,
  type ErrorCode,
  type EventData,
  type EventName,
  type RelinkEvent,
  type ResponseCode,
  type Operation,
} from '@relink/contract';
export * as operations from '@relink/contract/operations';
export {
  WebhookVerificationError,
  expressWebhookHandler,
  fastifyRawJson,
  fastifyWebhookHandler,
  nodeWebhookHandler,
  verifyWebhook,
  type VerifyInput,
  type WebhookHandler,
} from './webhooks.ts';
export { MemoryReauthStore, ReauthTracker, SqliteReauthStore, type ReauthState, type ReauthStore, type SqliteLike, type TrackerOptions } from './tracker.ts';
