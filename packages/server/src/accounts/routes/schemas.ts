import { Nullable } from '@relink/contract';
import { Type } from 'typebox';

export const AccountId = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{24}$', description: '24-hex account id' }) });

const DataStatus = Type.Enum(['AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED', 'PROCESSING']);

export const AccountV1Schema = Type.Object({
  meta: Type.Object({
    data_status: DataStatus,
    auth_method: Type.String(),
    reauth_required: Type.Boolean({ description: 'The account waits for re-authorisation [Relink]' }),
    last_synced_at: Nullable(Type.String({ description: 'When data was last synced, ISO 8601 [Relink]' })),
  }),
  account: Type.Object({
    _id: Type.String(),
    institution: Type.Object({ name: Type.String(), bankCode: Type.String(), type: Type.String() }),
    name: Type.String(),
    accountNumber: Type.String(),
    type: Type.String(),
    balance: Nullable(Type.Integer()),
    currency: Type.String(),
    bvn: Nullable(Type.String()),
  }),
});

export const AccountV2Schema = Type.Object({
  account: Type.Object({
    id: Type.String(),
    name: Type.String(),
    currency: Type.String(),
    type: Type.String(),
    account_number: Type.String(),
    balance: Nullable(Type.Integer()),
    bvn: Nullable(Type.String()),
    institution: Type.Object({ name: Type.String(), bank_code: Type.String(), type: Type.String() }),
  }),
  customer: Type.Object({ id: Type.String() }),
  meta: Type.Object({
    data_status: DataStatus,
    auth_method: Type.String(),
    retrieved_data: Type.Array(Type.String()),
    reauth_required: Type.Boolean({ description: 'The account waits for re-authorisation: no sync runs until it is re-authorised [Relink]' }),
    last_synced_at: Nullable(Type.String({ description: 'When data was last synced, ISO 8601 [Relink]' })),
    last_sync_error: Nullable(Type.String({ description: 'Why the last sync did not succeed; null after a successful one [Relink]' })),
  }),
});

export const V1Transaction = Type.Object({
  _id: Type.String(),
  type: Type.Enum(['debit', 'credit']),
  amount: Type.Integer(),
  narration: Type.String(),
  date: Type.String(),
  balance: Type.Integer(),
  currency: Type.String(),
});
