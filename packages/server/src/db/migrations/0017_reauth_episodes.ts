import type { Kysely } from 'kysely';

// A re-authorisation episode (docs/metrics.md): from the sync that moves an account into
// `reauth_required` (and records `reauthorisation_required`) to the re-authorisation that ends
// it (`account_reauthorized`), or to an unlink or a new link of the same bank account. Whoever
// ends it may be another instance days later, so when it began and why are kept on the account:
// the time-to-reauth histogram and the episode counters' `reason` come from here. Accounts
// already waiting when this runs get neither (their episode began unseen) and are not counted
// when it ends: the events table holds when it began, but finding it there takes a scan of
// every event, which a migration at start should not.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('reauth_required_at', 'bigint').execute();
  await db.schema.alterTable('accounts').addColumn('reauth_cause', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('reauth_cause').execute();
  await db.schema.alterTable('accounts').dropColumn('reauth_required_at').execute();
}
