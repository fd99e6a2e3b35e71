import type { Customer as CustomerWire, CreateCustomerBody, UpdateCustomerBody } from '@relink/contract';
import type { CustomerType } from '../db/schema.ts';
import { DomainError } from '../lib/errors.ts';

export type IdentityType = 'bvn' | 'nin';

/** A customer of an app: the person or business its accounts are linked for. */
export interface Customer {
  id: string;
  appId: string;
  type: CustomerType;
  /** First and last name, the business name, or (customers made by linking) the name the link gave. */
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  businessName: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  /** The KYC identity, opened from the vault. */
  identity: { type: IdentityType; number: string } | null;
  createdAt: number;
  updatedAt: number;
}

/** What a partner may set on a customer; a field left out is not changed. */
export interface CustomerFields {
  type?: CustomerType | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  businessName?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  address?: string | undefined;
  identity?: { type: IdentityType; number: string } | undefined;
}

/** A create or update body as fields: `first_name` and Mono's other spelling `firstName` are one field. */
export function customerFieldsOf(body: CreateCustomerBody | UpdateCustomerBody): CustomerFields {
  return {
    type: body.type,
    firstName: oneOf('first_name', body.first_name, 'firstName', body.firstName),
    lastName: oneOf('last_name', body.last_name, 'lastName', body.lastName),
    businessName: body.business_name,
    email: body.email?.toLowerCase(),
    phone: body.phone,
    address: body.address,
    identity: body.identity,
  };
}

function oneOf(name: string, value: string | undefined, alias: string, aliased: string | undefined): string | undefined {
  if (value !== undefined && aliased !== undefined && value !== aliased) {
    throw new DomainError('INVALID_INPUT', `Invalid request: body.${name} and body.${alias} are the same field and differ; send one of them`);
  }
  return value ?? aliased;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The v2 wire shape (Mono's fields, and Relink's `type`, `created_at`, `updated_at`). */
export function customerV2(c: Customer): CustomerWire {
  return {
    id: c.id,
    type: c.type,
    name: c.name,
    first_name: c.firstName,
    last_name: c.lastName,
    business_name: c.businessName,
    email: c.email,
    phone: c.phone,
    address: c.address,
    identification_type: c.identity?.type ?? null,
    identification_no: c.identity?.number ?? null,
    bvn: c.identity?.type === 'bvn' ? c.identity.number : null,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}
