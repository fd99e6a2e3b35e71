import type { WidgetConfig } from '@relink/connect/widget-config';
import type { CurrentPassword } from '../connectors/sandbox/index.ts';
import type { App } from '../apps/service.ts';
import type { InstitutionRegistry } from '../institutions/registry.ts';
import { originOf } from './origins.ts';

/** connect.js's query string (research §6.2): every value a string, JSON for `data` and `selectedInstitution`. */
export interface WidgetQuery {
  key?: string;
  referrer?: string;
  version?: string;
  scope?: string;
  data?: string;
  reference?: string;
  selectedInstitution?: string;
  reauth_token?: string;
}

export type Problem = { status: number; title: string; message: string };

/**
 * The widget's configuration for one page load, or the problem that stops it: a bad key, an
 * origin the app does not allow, a malformed `data`. Problems still render the page (so the
 * user sees why), with a 4xx status.
 */
export function widgetConfig(input: {
  app: App | undefined;
  query: WidgetQuery;
  allowedOrigins: string[] | null;
  institutions: InstitutionRegistry;
  /** Test-mode apps: the sandbox passwords a reset-login changed, for the login form's hint. */
  sandboxPasswords?: CurrentPassword[];
}): {
  config: WidgetConfig;
  problem: Problem | null;
} {
  const { app, query } = input;
  const parentOrigin = originOf(query.referrer);
  let problem: Problem | null = null;
  const data = parseJson(query.data);
  const selected = parseJson(query.selectedInstitution);
  if (!app)
    problem = {
      status: 401,
      title: 'This link is not set up correctly',
      message: 'The widget was opened with a key that no app has. The website that opened it needs to use its Relink public key.',
    };
  else if (input.allowedOrigins && (!parentOrigin || !input.allowedOrigins.includes(parentOrigin))) {
    problem = { status: 403, title: 'This website may not open the widget', message: `${app.name} only allows the widget on its own websites.` };
  } else if (data === INVALID || selected === INVALID) {
    problem = {
      status: 400,
      title: 'This link is not set up correctly',
      message: 'The widget was opened with settings it cannot read (data or selectedInstitution is not valid JSON).',
    };
  }
  const customer = isObject(data) && isObject(data.customer) ? customerOf(data.customer) : null;
  const account = isObject(data) && typeof data.account === 'string' && data.account !== '' ? data.account : null;
  const institution =
    isObject(selected) && typeof selected.id === 'string'
      ? { id: selected.id, authMethod: typeof selected.auth_method === 'string' ? selected.auth_method : 'internet_banking' }
      : null;
  const config: WidgetConfig = {
    key: app?.publicKey ?? '',
    appName: app?.name ?? 'Relink Connect',
    mode: 'embedded',
    parentOrigin: problem?.status === 403 ? null : parentOrigin,
    scope: query.scope === 'reauth' || account || query.reauth_token ? 'reauth' : 'auth',
    reference: query.reference && query.reference.length <= 256 ? query.reference : null,
    customer,
    account,
    reauthToken: account ? null : (query.reauth_token ?? null),
    link: null,
    cancelUrl: null,
    selectedInstitution: institution,
    institutions: input.institutions.all().map((i) => ({
      id: i.id,
      name: i.name,
      type: i.type,
      primaryColor: i.primaryColor,
      authMethods: i.authMethods.map((m) => ({ type: m.type, name: m.name })),
    })),
    problem: problem && { title: problem.title, message: problem.message },
    sandbox: app?.mode === 'test',
    sandboxPasswords:
      app?.mode === 'test'
        ? (input.sandboxPasswords ?? []).map(({ institutionId, username, password }) => ({ institution: institutionId, username, password }))
        : [],
  };
  return { config, problem };
}

const INVALID = Symbol('invalid');

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function customerOf(value: Record<string, unknown>): WidgetConfig['customer'] {
  if (typeof value.id === 'string' && value.id !== '') return { id: value.id };
  if (typeof value.name === 'string' && typeof value.email === 'string') return { name: value.name, email: value.email };
  return null;
}
