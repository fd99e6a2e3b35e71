import type { Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { CustomerRow, CustomersTable } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import { newObjectId } from '../lib/ids.ts';
import type { Vault } from '../vault/vault.ts';
import type { Customer, CustomerFields, IdentityType } from './model.ts';
import { type CustomerFilter, CustomerStore } from './store.ts';

export interface CustomerDeps {
  db: Db;
  vault: Vault;
  clock: Clock;
  /** How many live accounts the customer has, read in `trx` (the accounts service counts them). */
  linkedAccounts: (customerId: string, trx: Db) => Promise<number>;
}

/** How a session or a hosted link names its customer: Mono's `{id}`, or `{name, email}`. */
export interface CustomerRef {
  id?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
}

/**
 * Customers (Mono's `/v2/customers`): the people and businesses an app links accounts for, one
 * per email. The only code that reads or writes the customers table; their KYC identity numbers
 * live in the vault. Deleting a customer is refused while it has a linked account (Mono documents
 * nothing either way; refusing loses nothing), and erases its details.
 */
export class CustomerService {
  private readonly store: CustomerStore;
  private readonly db: Db;
  private readonly vault: Vault;
  private readonly clock: Clock;
  private readonly linkedAccounts: CustomerDeps['linkedAccounts'];

  constructor(deps: CustomerDeps) {
    ({ db: this.db, vault: this.vault, clock: this.clock, linkedAccounts: this.linkedAccounts } = deps);
    this.store = new CustomerStore(deps.db);
  }

  async create(appId: string, fields: CustomerFields): Promise<Customer> {
    if (fields.email === undefined) throw new DomainError('INVALID_INPUT', 'Invalid request: body.email is required');
    const type =
      fields.type ?? (fields.businessName !== undefined && fields.firstName === undefined && fields.lastName === undefined ? 'business' : 'individual');
    const named = namesOf(type, fields.firstName ?? null, fields.lastName ?? null, fields.businessName ?? null);
    const now = this.clock.now();
    const id = newObjectId();
    const inserted = await this.db.transaction().execute(async (trx) => {
      const identitySecretId = fields.identity ? await this.vault.seal('customer_identity', JSON.stringify(fields.identity), trx) : null;
      const made = await this.store.insert(
        {
          id,
          app_id: appId,
          type,
          ...named,
          email: fields.email!,
          phone: fields.phone ?? null,
          address: fields.address ?? null,
          identity_secret_id: identitySecretId,
          created_at: now,
          updated_at: now,
        },
        trx,
      );
      // The vault record goes with the customer that was not made.
      if (!made && identitySecretId) await this.vault.remove(identitySecretId, trx);
      return made;
    });
    if (!inserted) throw await this.emailTaken(appId, fields.email);
    return this.get(appId, id);
  }

  async get(appId: string, id: string): Promise<Customer> {
    const row = await this.store.find(appId, id);
    if (!row) throw notFound(id);
    return (await this.toCustomers([row]))[0]!;
  }

  /** A page of the app's customers, oldest first, and how many match in all. */
  async list(appId: string, filter: CustomerFilter, page: { limit: number; offset: number }): Promise<{ items: Customer[]; total: number }> {
    const { rows, total } = await this.store.list(appId, { ...filter, email: filter.email?.toLowerCase() }, page);
    return { items: await this.toCustomers(rows), total };
  }

  /** Replaces the fields given; the customer as it now is. */
  async update(appId: string, id: string, fields: CustomerFields): Promise<Customer> {
    const row = await this.store.find(appId, id);
    if (!row) throw notFound(id);
    const type = fields.type ?? row.type;
    const changes: Updateable<CustomersTable> = { updated_at: this.clock.now() };
    if (fields.type !== undefined || fields.firstName !== undefined || fields.lastName !== undefined || fields.businessName !== undefined) {
      // An individual has no business name: one becoming an individual drops it.
      const businessName = type === 'individual' ? (fields.businessName ?? null) : (fields.businessName ?? row.business_name);
      Object.assign(changes, { type }, namesOf(type, fields.firstName ?? row.first_name, fields.lastName ?? row.last_name, businessName));
    }
    if (fields.email !== undefined) changes.email = fields.email;
    if (fields.phone !== undefined) changes.phone = fields.phone;
    if (fields.address !== undefined) changes.address = fields.address;
    const outcome = await this.db
      .transaction()
      .execute(async (trx) => {
        if (fields.identity !== undefined) {
          const sealed = JSON.stringify(fields.identity);
          if (row.identity_secret_id) await this.vault.reseal(row.identity_secret_id, sealed, trx);
          else changes.identity_secret_id = await this.vault.seal('customer_identity', sealed, trx);
        }
        const result = await this.store.update(id, changes, trx);
        // Either way nothing of the update is kept: thrown, the transaction rolls back.
        if (result !== 'updated') throw new Undone(result);
        return result;
      })
      .catch((error: unknown) => {
        if (error instanceof Undone) return error.why;
        throw error;
      });
    if (outcome === 'missing') throw notFound(id);
    if (outcome === 'email_taken') throw await this.emailTaken(appId, fields.email!);
    return this.get(appId, id);
  }

  /**
   * Deletes a customer with no linked account: its details are erased (its identity's vault
   * record removed) and its id answers 404 from now on. With one, 409 `CUSTOMER_HAS_ACCOUNTS`.
   */
  async delete(appId: string, id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.store.lockLive(appId, id, trx);
      if (!row) throw notFound(id);
      const linked = await this.linkedAccounts(id, trx);
      if (linked > 0) {
        throw new DomainError(
          'CUSTOMER_HAS_ACCOUNTS',
          `Customer ${id} has ${linked} linked account${linked === 1 ? '' : 's'}: unlink ${linked === 1 ? 'it' : 'them'} first ` +
            `(GET /v2/customers/${id}/accounts lists them; POST /v2/accounts/{id}/unlink unlinks one)`,
        );
      }
      if (row.identity_secret_id) await this.vault.remove(row.identity_secret_id, trx);
      await this.store.erase(id, this.clock.now(), trx);
    });
  }

  /**
   * The customer a new session or hosted link is for: `{id}` must be a live customer of the app;
   * `{name, email}` is the app's customer with that email, made now if there is none (Mono's
   * widget and `accounts/initiate` take either). Undefined when none is named.
   */
  async customerFor(appId: string, customer: CustomerRef | undefined): Promise<string | null> {
    if (!customer) return null;
    if (customer.id !== undefined) {
      const row = await this.store.find(appId, customer.id);
      if (!row) throw new DomainError('INVALID_INPUT', `customer.id ${customer.id} is not a customer of this app`);
      return row.id;
    }
    const email = customer.email!.toLowerCase();
    for (let attempt = 0; attempt < 2; attempt++) {
      const found = await this.store.findByEmail(appId, email);
      if (found) return found.id;
      const id = newObjectId();
      const now = this.clock.now();
      // Lost to a racing create of the same email: the next look finds the winner.
      if (await this.store.insert({ id, app_id: appId, name: customer.name ?? null, email, created_at: now, updated_at: now })) return id;
    }
    throw new Error(`customer with email of app ${appId} neither found nor made`);
  }

  /**
   * Inside a link's completion (`trx`): holds the session's customer's row to the end of `trx`,
   * as deleting a customer does, so a delete cannot pass between. A customer deleted since the
   * session began fails the link, naming why.
   */
  async holdForLink(trx: Db, appId: string, customerId: string): Promise<void> {
    if (!(await this.store.lockLive(appId, customerId, trx))) {
      throw new DomainError('CUSTOMER_NOT_FOUND', `The customer this session links for (${customerId}) was deleted; nothing was linked, start a new session`);
    }
  }

  /** Inside a link's completion (`trx`) that named no customer: a new one, named after the account. */
  async createForLink(trx: Db, appId: string, accountName: string): Promise<string> {
    const id = newObjectId();
    const now = this.clock.now();
    await this.store.insert({ id, app_id: appId, name: accountName, email: null, created_at: now, updated_at: now }, trx);
    return id;
  }

  /** The names of the app's customers among `ids`, by id. */
  async names(appId: string, ids: string[]): Promise<Map<string, string | null>> {
    return new Map((await this.store.names(appId, [...new Set(ids)])).map((r) => [r.id, r.name]));
  }

  private async toCustomers(rows: CustomerRow[]): Promise<Customer[]> {
    const sealed = rows.map((r) => r.identity_secret_id).filter((id): id is string => id !== null);
    const open = sealed.length > 0 ? await this.vault.openMany(sealed) : () => '';
    return rows.map((r) => ({
      id: r.id,
      appId: r.app_id,
      type: r.type,
      name: r.name,
      firstName: r.first_name,
      lastName: r.last_name,
      businessName: r.business_name,
      email: r.email,
      phone: r.phone,
      address: r.address,
      identity: r.identity_secret_id ? (JSON.parse(open(r.identity_secret_id)) as { type: IdentityType; number: string }) : null,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  private async emailTaken(appId: string, email: string): Promise<DomainError> {
    const holder = await this.store.findByEmail(appId, email);
    return new DomainError(
      'CUSTOMER_EXISTS',
      `Customer already exists: ${holder ? `customer ${holder.id} of this app` : 'another customer of this app'} has this email`,
    );
  }
}

/** An update given up inside its transaction, so that it rolls back: why. */
class Undone extends Error {
  constructor(readonly why: 'missing' | 'email_taken') {
    super(why);
  }
}

function notFound(id: string): DomainError {
  return new DomainError('CUSTOMER_NOT_FOUND', `No customer with id ${id}`);
}

/**
 * The name columns of a customer of `type`, checked: an individual has a first and a last name
 * (and no business name), a business its business name (a representative's names may stay).
 */
function namesOf(
  type: Customer['type'],
  firstName: string | null,
  lastName: string | null,
  businessName: string | null,
): Pick<CustomerRow, 'name' | 'first_name' | 'last_name' | 'business_name'> {
  if (type === 'business') {
    if (businessName === null) throw new DomainError('INVALID_INPUT', 'Invalid request: body.business_name is required for a business customer');
    return { name: businessName, first_name: firstName, last_name: lastName, business_name: businessName };
  }
  const missing = [firstName === null && 'body.first_name', lastName === null && 'body.last_name'].filter(Boolean);
  if (missing.length > 0)
    throw new DomainError(
      'INVALID_INPUT',
      `Invalid request: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required for an individual customer`,
    );
  if (businessName !== null) {
    throw new DomainError('INVALID_INPUT', 'Invalid request: body.business_name is for a business customer; send type "business", or leave it out');
  }
  return { name: `${firstName} ${lastName}`, first_name: firstName, last_name: lastName, business_name: null };
}
