import { Type, type Static } from 'typebox';
import { AccountsQuery } from './accounts.ts';
import { Nullable } from './envelope.ts';

/** Path parameter of every customer operation. */
export const CustomerId = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{24}$', description: '24-hex customer id' }) });

export const CUSTOMER_TYPES = ['individual', 'business'] as const;
/** The KYC identities a customer may carry: both 11 digits. */
export const IDENTITY_TYPES = ['bvn', 'nin'] as const;

/** Mono's `identity`: the KYC document's type and number (Relink keeps the number in its vault). */
export const CustomerIdentity = Type.Object(
  {
    type: Type.Enum([...IDENTITY_TYPES], { description: '`bvn` (Bank Verification Number) or `nin` (National Identification Number)' }),
    number: Type.String({ pattern: '^[0-9]{11}$', description: '11 digits, no spaces' }),
  },
  { additionalProperties: false },
);

const name = (what: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: what }));

/**
 * A customer's fields as a partner sends them. Mono's docs spell the names both `first_name`
 * and `firstName`; either is taken. An individual needs a first and a last name, a business its
 * `business_name`; `type` defaults to `business` when only `business_name` is given.
 */
const CustomerFields = {
  type: Type.Optional(Type.Enum([...CUSTOMER_TYPES])),
  first_name: name("An individual's first name"),
  last_name: name("An individual's last name"),
  firstName: name('`first_name`, as some of Mono’s docs spell it'),
  lastName: name('`last_name`, as some of Mono’s docs spell it'),
  business_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "A business's registered name" })),
  email: Type.String({ format: 'email', maxLength: 320, description: 'Unique among the app’s customers (case-insensitive)' }),
  phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{7,15}$', description: '7 to 15 digits, a leading + allowed, no spaces' })),
  address: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'At most 100 characters, as Mono allows' })),
  identity: Type.Optional(CustomerIdentity),
};

export const CreateCustomerBody = Type.Object(CustomerFields, {
  additionalProperties: false,
  examples: [
    {
      email: 'samuel.olamide@example.com',
      first_name: 'Samuel',
      last_name: 'Olamide',
      phone: '08012345678',
      address: 'Agungi, Lagos',
      identity: { type: 'bvn', number: '22345678901' },
    },
  ],
});
export type CreateCustomerBody = Static<typeof CreateCustomerBody>;

/** Any of the fields, at least one; those sent replace the stored ones. */
export const UpdateCustomerBody = Type.Object(
  { ...CustomerFields, email: Type.Optional(CustomerFields.email) },
  { additionalProperties: false, minProperties: 1, examples: [{ phone: '08098765432', address: '12 Marina, Lagos' }] },
);
export type UpdateCustomerBody = Static<typeof UpdateCustomerBody>;

/** A customer as Mono answers it; `type`, `created_at` and `updated_at` are Relink's beside Mono's fields. */
export const Customer = Type.Object({
  id: Type.String(),
  type: Type.Enum([...CUSTOMER_TYPES]),
  name: Nullable(Type.String({ description: 'First and last name, or the business name' })),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  business_name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  address: Nullable(Type.String()),
  identification_type: Nullable(Type.Enum([...IDENTITY_TYPES])),
  identification_no: Nullable(Type.String()),
  bvn: Nullable(Type.String({ description: 'The identity number when it is a BVN' })),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type Customer = Static<typeof Customer>;

/** `GET /v2/customers`: Mono's `page`, `email` and `phone` filters, and a bounded `limit`. */
export const CustomersQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'Only the customer with this email (case-insensitive)' })),
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 16, description: 'Only customers with this phone number' })),
});
export type CustomersQuery = Static<typeof CustomersQuery>;

/** `GET /v2/customers/{id}/accounts`: the accounts list's query, its customer given by the path. */
export const CustomerAccountsQuery = Type.Omit(AccountsQuery, ['customer']);
