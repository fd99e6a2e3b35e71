import { Nullable, V1Failure, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { openIdentity } from '../identity.ts';
import { accountV1, accountV2 } from '../model.ts';
import { AccountId, AccountV1Schema, AccountV2Schema } from './schemas.ts';

export function register(app: HttpApp, { accounts, vault }: Services) {
  app.get('/accounts/:id', {
    schema: {
      summary: 'Account details (v1)',
      tags: ['Accounts'],
      params: AccountId,
      response: { 200: AccountV1Schema, '4xx': V1Failure },
    },
    handler: async (request) => accountV1(await accounts.get(request.partner!.id, request.params.id)),
  });
  app.get('/v2/accounts/:id', {
    schema: {
      summary: 'Account details (v2)',
      tags: ['Accounts'],
      params: AccountId,
      response: { 200: V2Envelope(AccountV2Schema), '4xx': V2Failure },
    },
    handler: async (request) => successV2('Request was successfully completed', accountV2(await accounts.get(request.partner!.id, request.params.id))),
  });
  app.get('/v2/accounts/:id/balance', {
    schema: {
      summary: 'Account balance (v2)',
      tags: ['Accounts'],
      params: AccountId,
      response: {
        200: V2Envelope(Type.Object({ id: Type.String(), name: Type.String(), account_number: Type.String(), balance: Type.Union([Type.Integer(), Type.Null()]), currency: Type.String() })),
        '4xx': V2Failure,
      },
    },
    handler: async (request) => {
      const a = await accounts.get(request.partner!.id, request.params.id);
      return successV2('Request was successfully completed', { id: a.id, name: a.name, account_number: a.accountNumber, balance: a.balance, currency: a.currency });
    },
  });
  app.get('/v2/accounts/:id/identity', {
    schema: {
      summary: 'Account holder identity from the bank (v2)',
      tags: ['Accounts'],
      params: AccountId,
      response: {
        200: V2Envelope(
          Type.Object({
            full_name: Nullable(Type.String()),
            email: Nullable(Type.String()),
            phone: Nullable(Type.String()),
            bvn: Nullable(Type.String()),
            gender: Nullable(Type.String()),
            date_of_birth: Nullable(Type.String()),
            address: Nullable(Type.String()),
          }),
        ),
        '4xx': V2Failure,
      },
    },
    handler: async (request) => {
      const i = await openIdentity(vault, (await accounts.get(request.partner!.id, request.params.id)).identity);
      return successV2('Request was successfully completed', {
        full_name: i?.fullName ?? null,
        email: i?.email ?? null,
        phone: i?.phone ?? null,
        bvn: i?.bvn ?? null,
        gender: i?.gender ?? null,
        date_of_birth: i?.dateOfBirth ?? null,
        address: i?.address ?? null,
      });
    },
  });
  app.get('/accounts/:id/identity', {
    schema: {
      summary: 'Account holder identity from the bank (v1)',
      tags: ['Accounts'],
      params: AccountId,
      response: { 200: Type.Record(Type.String(), Type.Unknown()), '4xx': V1Failure },
    },
    handler: async (request) => {
      const a = await accounts.get(request.partner!.id, request.params.id);
      return (await openIdentity(vault, a.identity)) ?? {};
    },
  });
}
