import type { AuthMethodType, InstitutionType, Ui } from '@relink/contract';
import type { BankConnector } from './types.ts';
import { incompatibility } from './version.ts';

/** A bank as partners see it in `GET /v3/institutions`, served by the module's connector. */
export interface InstitutionDefinition {
  /** 24 lowercase hex digits (Mono's ids are MongoDB ObjectIds); unique across every connector Relink loads. */
  id: string;
  name: string;
  type: InstitutionType;
  identifier: string;
  bankCode: string;
  nipCode: string;
  /** ISO 3166 alpha-2, lowercase: `ng`. */
  country: string;
  primaryColor: string;
  /** A URL or a path on Relink (`/static/...`). */
  icon: string;
  /** Each way of logging in, with the form the widget shows (`ui`). Ids as `id`. */
  authMethods: { id: string; type: AuthMethodType; name: string; ui: Ui }[];
}

/** A log line's sink, given to the connector; never pass it a credential. */
export interface ConnectorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What Relink hands a module when it creates the connector, once at start. */
export interface ConnectorEnvironment {
  /** The process environment: a connector reads its own settings (`ACME_BANK_URL`, ...) from it. */
  env: Readonly<Record<string, string | undefined>>;
  log: ConnectorLog;
}

/**
 * Logins at the bank's test environment the conformance kit (`relink-connector-test`) drives:
 * one per case it checks. A case whose login is absent is reported as skipped, not passed.
 */
export interface TestLogins {
  institutionId: string;
  /** `internet_banking` or `mobile_banking`: one of the institution's auth methods. */
  authMethod: string;
  /** Logs in with one account (or a choice of them). */
  good: Record<string, string>;
  /** Same user, wrong password: `invalid_credentials`. */
  wrongPassword: Record<string, string>;
  /** The bank reports the user locked: `locked`. */
  locked?: Record<string, string>;
  /** The bank is down for this user: `unavailable`. */
  down?: Record<string, string>;
  /** Several accounts: `select`, then `ok` with the one picked. */
  multi?: Record<string, string>;
  /** A login that asks a one-time password: `challenge`, `wrong_answer` for `wrong`, `ok` or `select` for `answer`. */
  otp?: { fields: Record<string, string>; answer: Record<string, string>; wrong: Record<string, string> };
  /** A login that takes longer than a second: it must stop when Relink's signal aborts. */
  slow?: Record<string, string>;
}

/** What a connector module exports (as its default export, or as `connector`). */
export interface ConnectorModule {
  /** The interface version this module implements (`CONNECTOR_INTERFACE_VERSION` when it was written). */
  interfaceVersion: string;
  /** The connector's name: unique among the connectors Relink loads; `create()`'s connector has it too. */
  name: string;
  institutions: InstitutionDefinition[];
  /** Makes the connector, once per Relink process. */
  create(environment: ConnectorEnvironment): BankConnector | Promise<BankConnector>;
  testLogins?: TestLogins;
}

/** Types a module's definition; returns it unchanged. */
export function defineConnector<M extends ConnectorModule>(module: M): M {
  return module;
}

const OBJECT_ID = /^[0-9a-f]{24}$/;
const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const AUTH_TYPES: readonly string[] = ['internet_banking', 'mobile_banking'];
const INSTITUTION_TYPES: readonly string[] = ['PERSONAL_BANKING', 'BUSINESS_BANKING'];

/**
 * Checks what a module exported and returns it as a `ConnectorModule`, or throws an Error whose
 * message is one line naming the first problem (Relink prints it at start-up and stops).
 */
export function checkModule(value: unknown, source: string): ConnectorModule {
  const candidate = pick(value);
  const fail = (problem: string): never => {
    throw new Error(`connector ${source}: ${problem}`);
  };
  if (!candidate) return fail('exports no connector module (a default export or `connector`, made with defineConnector)');
  const version = incompatibility(candidate.interfaceVersion);
  if (version) return fail(version);
  if (typeof candidate.name !== 'string' || !NAME.test(candidate.name))
    fail(`name must be 1-63 lowercase letters, digits, _ or - (got ${JSON.stringify(candidate.name)})`);
  if (typeof candidate.create !== 'function') fail('has no create(environment) function');
  if (!Array.isArray(candidate.institutions) || candidate.institutions.length === 0) fail('lists no institutions');
  const problem = (candidate.institutions as unknown[]).map(institutionProblem).find((p) => p !== undefined);
  if (problem) fail(problem);
  return candidate as unknown as ConnectorModule;
}

function pick(value: unknown): Record<string, unknown> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const namespace = value as Record<string, unknown>;
  for (const candidate of [namespace.default, namespace.connector, namespace]) {
    if (candidate && typeof candidate === 'object' && 'interfaceVersion' in candidate) return candidate as Record<string, unknown>;
  }
  return undefined;
}

/** Why an institution (from a module, or a remote connector's manifest) is unusable; undefined when it is fine. */
export function institutionProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return 'an institution is not an object';
  const i = value as Record<string, unknown>;
  const label = `institution ${JSON.stringify(i.id ?? i.name)}`;
  if (typeof i.id !== 'string' || !OBJECT_ID.test(i.id)) return `${label}: id must be 24 lowercase hex digits`;
  for (const field of ['name', 'identifier', 'bankCode', 'nipCode', 'country', 'primaryColor', 'icon'] as const) {
    if (typeof i[field] !== 'string' || i[field] === '') return `${label}: ${field} must be a non-empty string`;
  }
  if (!INSTITUTION_TYPES.includes(String(i.type))) return `${label}: type must be ${INSTITUTION_TYPES.join(' or ')}`;
  if (!Array.isArray(i.authMethods) || i.authMethods.length === 0) return `${label}: authMethods lists no way to log in`;
  for (const method of i.authMethods as Record<string, unknown>[]) {
    if (!method || typeof method.id !== 'string' || !OBJECT_ID.test(method.id)) return `${label}: an auth method's id must be 24 lowercase hex digits`;
    if (!AUTH_TYPES.includes(String(method.type))) return `${label}: an auth method's type must be ${AUTH_TYPES.join(' or ')}`;
    if (typeof method.name !== 'string' || method.name === '') return `${label}: auth method ${method.id} needs a name`;
    const ui = uiProblem(method.ui);
    if (ui) return `${label}: auth method ${method.id}: ${ui}`;
  }
  return undefined;
}

/** Why a form is not one the widget can show; undefined when it is fine. */
export function uiProblem(ui: unknown): string | undefined {
  if (!ui || typeof ui !== 'object') return 'ui must be an object with a title and a form';
  const { title, form } = ui as { title?: unknown; form?: unknown };
  if (typeof title !== 'string' || !Array.isArray(form) || form.length === 0) return 'ui needs a title and at least one form element';
  for (const element of form as Record<string, unknown>[]) {
    if (!element || typeof element.name !== 'string' || typeof element.hint !== 'string') return 'every form element needs a name and a hint';
    if (!['elements.input', 'elements.captcha_input', 'elements.switch'].includes(String(element.type))) return `form element ${element.name}: unknown type`;
    if (!['string', 'password', 'integer'].includes(String(element.contentType))) return `form element ${element.name}: unknown contentType`;
  }
  return undefined;
}
