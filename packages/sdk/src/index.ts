/**
 * @relink/sdk — for partners: webhook verification (Standard Webhooks signatures, or Mono's
 * secret header) with adapters for node:http, Express and Fastify, and the re-authorisation
 * tracker of Mono's recommended workflow. The contract's error catalogue, response codes and
 * event types are re-exported so partner code can switch on them. (The typed Partners API
 * client grows here with its own issue.)
 */
export { ERROR_CODES, EVENT_NAMES, RESPONSE_CODES, accountOf, isErrorCode, type ErrorCode, type EventName, type RelinkEvent, type ResponseCode } from '@relink/contract';
export { WebhookVerificationError, expressWebhookHandler, fastifyRawJson, fastifyWebhookHandler, nodeWebhookHandler, verifyWebhook, type VerifyInput, type WebhookHandler } from './webhooks.ts';
export { MemoryReauthStore, ReauthTracker, SqliteReauthStore, type ReauthState, type ReauthStore, type SqliteLike, type TrackerOptions } from './tracker.ts';
