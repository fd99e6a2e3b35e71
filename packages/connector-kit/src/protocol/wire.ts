import { randomUUID } from 'node:crypto';
import { signatureHeader, signatureProblem } from '@relink/contract/signing';
import type { InstitutionDefinition, TestLogins } from '../module.ts';

/**
 * The connector protocol, version 1: a connector served over HTTP + JSON (openapi.ts documents
 * it). Every request and every answer is signed the way Relink signs webhooks (Standard
 * Webhooks: HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` with the shared secret);
 * an answer carries its request's `webhook-id`, so it cannot be passed off as another's.
 */
export const PATHS = {
  manifest: '/v1/manifest',
  login: '/v1/login',
  answer: '/v1/answer',
  selectAccount: '/v1/select-account',
  fetchData: '/v1/fetch-data',
  resetLogin: '/v1/reset-login',
  faults: '/v1/faults',
  openapi: '/openapi.json',
} as const;

/** The calls that must not run twice for one attempt: each one is a login at the bank (lockouts count them). */
export const IDEMPOTENT_PATHS: readonly string[] = [PATHS.login, PATHS.answer, PATHS.selectAccount, PATHS.resetLogin];

export const HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
  idempotencyKey: 'idempotency-key',
  /** How long Relink waits for this answer, in ms: the service stops the connector's work then. */
  timeout: 'relink-timeout-ms',
} as const;

/** What `GET /v1/manifest` answers: who the connector is and what it serves. */
export interface Manifest {
  protocol: 1;
  interfaceVersion: string;
  name: string;
  institutions: InstitutionDefinition[];
  /** The service answers `/v1/reset-login` (a sandbox bank). */
  sandboxControls: boolean;
  testLogins?: TestLogins | undefined;
}

/** Messages older or newer than this are refused (replays). */
export const TOLERANCE_SECONDS = 300;

export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The three signature headers for `body` sent as message `id`. */
export function signedHeaders(secret: string, id: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return { [HEADERS.id]: id, [HEADERS.timestamp]: timestamp, [HEADERS.signature]: signatureHeader([secret], id, timestamp, body) };
}

/** Why a signed message does not verify, or undefined when it does. */
export function signedProblem(header: (name: string) => string | undefined, body: string, secret: string): string | undefined {
  return signatureProblem({ id: header(HEADERS.id), timestamp: header(HEADERS.timestamp), signatures: header(HEADERS.signature), body }, [secret], {
    toleranceSeconds: TOLERANCE_SECONDS,
  });
}
