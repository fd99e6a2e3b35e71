import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './0001_foundation.ts';
import * as linking from './0002_linking.ts';
import * as webhooks from './0003_webhooks.ts';
import * as idempotencyExpiry from './0004_idempotency_expiry.ts';
import * as bootstrap from './0005_bootstrap.ts';
import * as reauth from './0006_reauth.ts';
import * as limits from './0007_limits.ts';
import * as connect from './0008_connect.ts';
import * as webhookClaims from './0009_webhook_claims.ts';
import * as reauthOrigin from './0010_reauth_origin.ts';
import * as connectDemos from './0011_connect_demos.ts';
import * as linkSessions from './0012_link_sessions.ts';
import * as customers from './0015_customers.ts';
import * as realtimeJobs from './0016_realtime_jobs.ts';
import * as statementJobs from './0018_statement_jobs.ts';
import * as reauthEpisodes from './0017_reauth_episodes.ts';
import * as operators from './0019_operators.ts';
import * as operations from './0020_operations.ts';
import * as reauthDue from './0021_reauth_due.ts';
import * as eventsByAccount from './0022_events_by_account.ts';

/** Every migration, in order. Listed statically so a build needs no file-system scan. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_linking': linking,
  '0003_webhooks': webhooks,
  '0004_idempotency_expiry': idempotencyExpiry,
  '0005_bootstrap': bootstrap,
  '0006_reauth': reauth,
  '0007_limits': limits,
  '0008_connect': connect,
  '0009_webhook_claims': webhookClaims,
  '0010_reauth_origin': reauthOrigin,
  '0011_connect_demos': connectDemos,
  '0012_link_sessions': linkSessions,
  '0015_customers': customers,
  '0016_realtime_jobs': realtimeJobs,
  '0018_statement_jobs': statementJobs,
  '0017_reauth_episodes': reauthEpisodes,
  '0019_operators': operators,
  '0020_operations': operations,
  '0021_reauth_due': reauthDue,
  '0022_events_by_account': eventsByAccount,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
