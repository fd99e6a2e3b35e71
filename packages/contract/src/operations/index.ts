import * as accounts from './accounts.ts';
import * as insights from './insights.ts';
import * as customers from './customers.ts';
import * as institutions from './institutions.ts';
import * as links from './links.ts';
import * as reauth from './reauth.ts';
import * as sandbox from './sandbox.ts';
import * as sessions from './sessions.ts';
import * as statements from './statements.ts';
import * as webhooks from './webhooks.ts';
import * as widget from './widget.ts';
import type { Operation } from '../operation.ts';

export * from './accounts.ts';
export * from './insights.ts';
export * from './customers.ts';
export * from './institutions.ts';
export * from './links.ts';
export * from './reauth.ts';
export * from './sandbox.ts';
export * from './sessions.ts';
export * from './statements.ts';
export * from './webhooks.ts';
export * from './widget.ts';

const operationsOf = (modules: Record<string, unknown>): Readonly<Record<string, Operation>> =>
  Object.fromEntries(
    Object.entries(modules).filter(
      (entry): entry is [string, Operation] => typeof entry[1] === 'object' && entry[1] !== null && 'method' in entry[1] && 'path' in entry[1],
    ),
  );

/** Every Partners API operation, by name: what the server serves and the SDK calls. */
export const OPERATIONS = operationsOf({
  ...accounts,
  ...customers,
  ...insights,
  ...institutions,
  ...links,
  ...reauth,
  ...sandbox,
  ...sessions,
  ...statements,
  ...webhooks,
});

/** Every operation of the Connect widget's API (`/v2/connect/widget/*`, by the app's public key), by name: what the widget page calls. */
export const WIDGET_OPERATIONS = operationsOf(widget);
