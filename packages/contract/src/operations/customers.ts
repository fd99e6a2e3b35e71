import { Type } from 'typebox';
import { AccountListItem } from '../accounts.ts';
import { CreateCustomerBody, Customer, CustomerAccountsQuery, CustomerId, CustomersQuery, UpdateCustomerBody } from '../customers.ts';
import { Paging, V2Envelope, V2Failure } from '../envelope.ts';
import { operation } from '../operation.ts';

/** Mono's customer resource (`/v2/customers`): the person or business a partner links accounts for. */
export const createCustomer = operation({
  method: 'POST',
  path: '/v2/customers',
  summary: 'Create a customer (an individual or a business)',
  description: 'Its email is unique among the app’s customers: a second customer with it is 400 `CUSTOMER_EXISTS`. Link accounts for it with `customer: {id}`.',
  tags: ['Customers'],
  body: CreateCustomerBody,
  status: 201,
  response: V2Envelope(Customer),
  failure: V2Failure,
});

export const listCustomers = operation({
  method: 'GET',
  path: '/v2/customers',
  summary: "List the app's customers, oldest first",
  tags: ['Customers'],
  query: CustomersQuery,
  response: V2Envelope(Type.Array(Customer), { meta: Paging }),
  failure: V2Failure,
});

export const getCustomer = operation({
  method: 'GET',
  path: '/v2/customers/:id',
  summary: 'Retrieve a customer',
  tags: ['Customers'],
  params: CustomerId,
  response: V2Envelope(Customer),
  failure: V2Failure,
});

/** Mono answers `data: null`; Relink answers the customer as it now is. */
export const updateCustomer = operation({
  method: 'PATCH',
  path: '/v2/customers/:id',
  summary: 'Update a customer: the fields sent replace the stored ones',
  tags: ['Customers'],
  params: CustomerId,
  body: UpdateCustomerBody,
  response: V2Envelope(Customer),
  failure: V2Failure,
});

/** Refused (409 `CUSTOMER_HAS_ACCOUNTS`) while the customer has a linked account: unlink them first. */
export const deleteCustomer = operation({
  method: 'DELETE',
  path: '/v2/customers/:id',
  summary: 'Delete a customer with no linked account: its details are erased and its id answers 404',
  tags: ['Customers'],
  params: CustomerId,
  response: V2Envelope(Type.Null()),
  failure: V2Failure,
});

export const listCustomerAccounts = operation({
  method: 'GET',
  path: '/v2/customers/:id/accounts',
  summary: "A customer's linked accounts, as GET /v2/accounts lists them",
  tags: ['Customers', 'Accounts'],
  params: CustomerId,
  query: CustomerAccountsQuery,
  response: V2Envelope(Type.Array(AccountListItem), { meta: Paging }),
  failure: V2Failure,
});
