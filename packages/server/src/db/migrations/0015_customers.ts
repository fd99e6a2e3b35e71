import { type Kysely, sql } from 'kysely';

// Mono's customer resource (/v2/customers): an individual (first and last name) or a business,
// its phone, address and KYC identity (the number sealed in the vault, `identity_secret_id`),
// and a deletion that erases its details and keeps the row, which unlinked accounts still name.
// An email names one customer per app, as linking with `customer: {name, email}` always meant:
// duplicates that two racing sessions could make are merged into the oldest first, their
// accounts, sessions and hosted links moved to it, so the index can be unique. The accounts list
// (GET /v2/accounts) reads an app's accounts in link order, and a customer's by customer.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update customers set email = lower(email) where email is not null and email <> lower(email)`.execute(db);
  const duplicated = await sql<{ app_id: string; email: string }>`
    select app_id, email from customers where email is not null group by app_id, email having count(*) > 1`.execute(db);
  for (const { app_id, email } of duplicated.rows) {
    const ids = (
      await sql<{ id: string }>`select id from customers where app_id = ${app_id} and email = ${email} order by created_at, id`.execute(db)
    ).rows.map((r) => r.id);
    const [keep, ...merged] = ids as [string, ...string[]];
    const others = sql.join(merged);
    for (const table of ['accounts', 'sessions', 'connect_links']) {
      await sql`update ${sql.table(table)} set customer_id = ${keep} where customer_id in (${others})`.execute(db);
    }
    await sql`delete from customers where id in (${others})`.execute(db);
  }

  await db.schema
    .alterTable('customers')
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('individual'))
    .execute();
  for (const column of ['first_name', 'last_name', 'business_name', 'phone', 'address', 'identity_secret_id']) {
    await db.schema.alterTable('customers').addColumn(column, 'text').execute();
  }
  await db.schema
    .alterTable('customers')
    .addColumn('updated_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('customers').addColumn('deleted_at', 'bigint').execute();
  await sql`update customers set updated_at = created_at`.execute(db);

  await db.schema.dropIndex('customers_app_email').execute();
  await db.schema.createIndex('customers_app_email_unique').unique().on('customers').columns(['app_id', 'email']).execute();
  await db.schema.createIndex('customers_app_created').on('customers').columns(['app_id', 'created_at']).execute();
  await db.schema.createIndex('accounts_app_created').on('accounts').columns(['app_id', 'created_at']).execute();
  await db.schema.createIndex('accounts_customer').on('accounts').columns(['customer_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('accounts_customer').execute();
  await db.schema.dropIndex('accounts_app_created').execute();
  await db.schema.dropIndex('customers_app_created').execute();
  await db.schema.dropIndex('customers_app_email_unique').execute();
  await db.schema.createIndex('customers_app_email').on('customers').columns(['app_id', 'email']).execute();
  for (const column of ['deleted_at', 'updated_at', 'identity_secret_id', 'address', 'phone', 'business_name', 'last_name', 'first_name', 'type']) {
    await db.schema.alterTable('customers').dropColumn(column).execute();
  }
}
