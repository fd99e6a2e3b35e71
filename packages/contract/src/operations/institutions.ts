import { Type } from 'typebox';
import { V1Failure, V2Envelope, V2Failure } from '../envelope.ts';
import { InstitutionV1, InstitutionV3 } from '../institutions.ts';
import { operation } from '../operation.ts';

const V1Query = Type.Object({ scope: Type.Optional(Type.String()), country: Type.Optional(Type.String()) });

/** Bare arrays and no key: connect.js sends none. */
export const listInstitutionsV1 = operation({
  method: 'GET',
  path: '/v1/institutions',
  summary: 'List institutions (v1)',
  tags: ['Institutions'],
  auth: 'none',
  query: V1Query,
  response: Type.Array(InstitutionV1),
  failure: V1Failure,
});

export const coverage = operation({
  method: 'GET',
  path: '/coverage',
  summary: 'List institutions (coverage)',
  tags: ['Institutions'],
  auth: 'none',
  query: V1Query,
  response: Type.Array(InstitutionV1),
  failure: V1Failure,
});

export const listInstitutions = operation({
  method: 'GET',
  path: '/v3/institutions',
  summary: 'List institutions (v3)',
  tags: ['Institutions'],
  query: Type.Object({
    scope: Type.Optional(Type.Enum(['financial_data', 'payments'])),
    auth_method: Type.Optional(Type.Enum(['internet_banking', 'mobile_banking'])),
    bank_code: Type.Optional(Type.String({ maxLength: 16 })),
  }),
  response: V2Envelope(Type.Array(InstitutionV3)),
  failure: V2Failure,
});
