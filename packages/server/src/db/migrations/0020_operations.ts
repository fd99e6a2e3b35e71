import { type Kysely, sql } from 'kysely';

// What an operator reads (`operations/`, docs/operations.md).
//
// `reauth_episodes`: one row per re-authorisation episode (docs/metrics.md), kept after it ends.
// The account keeps only the episode it is in (0017) and forgets it when it ends, so how long
// past episodes took, why they began and how far their person got could otherwise only be read
// back out of the events table, whose `reauthorisation_required` and `account_reauthorized`
// carry no cause and which has no index by type. Each row is written in the transaction of the
// change it records: begun by the sync that moves the account into `reauth_required`, its steps
// noted by the reauth session's own writes (a session opened, a person's login, a challenge
// shown), ended by the re-authorisation, unlink or new link that ends the wait.
//
// Accounts waiting when this runs get an open episode from their 0017 columns (when and why it
// began); episodes that ended before it are not recovered (finding them takes a scan of every
// event, which a migration at start should not), nor those of accounts that began waiting
// before 0017 noted when.
//
// `events_account`: an account's events in time order, for its timeline.
// `webhook_attempts_app`: an endpoint's newest attempts (its last success, its failures since).
// `webhook_deliveries_failing`: deliveries whose attempts fail and that are retried (`failing`:
// pending with at least one attempt), newest first, across apps, without reading the succeeded
// rows; like 0009's it is partial, so the queries name `pending` as a literal.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reauth_episodes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('institution_id', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('sessions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('session_at', 'bigint')
    .addColumn('login_at', 'bigint')
    .addColumn('challenge_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('outcome', 'text')
    .execute();
  await db.schema.createIndex('reauth_episodes_account').on('reauth_episodes').columns(['account_id', 'started_at']).execute();
  await db.schema.createIndex('reauth_episodes_started').on('reauth_episodes').column('started_at').execute();
  await db.schema.createIndex('reauth_episodes_ended').on('reauth_episodes').column('ended_at').execute();
  await sql`
    insert into reauth_episodes (id, app_id, account_id, institution_id, cause, started_at, sessions)
    select 'rep_' || id, app_id, id, institution_id, reauth_cause, reauth_required_at, 0 from accounts
    where reauth_required = 1 and reauth_required_at is not null and reauth_cause is not null and unlinked_at is null`.execute(db);

  await db.schema.createIndex('events_account').on('events').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('webhook_attempts_app').on('webhook_attempts').columns(['app_id', 'attempted_at']).execute();
  await db.schema
    .createIndex('webhook_deliveries_failing')
    .on('webhook_deliveries')
    .columns(['created_at', 'id'])
    .where(sql<boolean>`status = 'pending' and attempt_count > 0`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('webhook_deliveries_failing').execute();
  await db.schema.dropIndex('webhook_attempts_app').execute();
  await db.schema.dropIndex('events_account').execute();
  await db.schema.dropTable('reauth_episodes').execute();
}
