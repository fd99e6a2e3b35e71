// The presenters on their own: a step's reply in Mono's v1 and v2 shapes, the envelope each URL
// gets, and an account in v1, v2 and webhook form. Pure functions, no database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Ui } from '@relink/contract';
import { type Account, accountV1, accountV2, payloads } from '../../src/accounts/model.ts';
import { envelopeFor, failureBody } from '../../src/http/envelope.ts';
import { AppError } from '../../src/http/errors.ts';
import { SANDBOX_INSTITUTIONS } from '../../src/connectors/sandbox/module.ts';
import type { Institution } from '../../src/institutions/registry.ts';
import { v1StepBody, v2StepBody } from '../../src/sessions/routes/replies.ts';

const otpForm = { title: 'Enter the OTP', form: [{ name: 'otp' }] } as unknown as Ui;
const bankAccount = { accountNumber: '0123456789', name: 'Ada Obi', type: 'SAVINGS_ACCOUNT', currency: 'NGN', balance: 5000 };

describe('presenters: partner steps', () => {
  test('99, 101 and 102 in the v2 envelope', () => {
    const done = v2StepBody({ responseCode: 99, code: 'code_abc' });
    assert.equal(done.status, 'successful');
    assert.equal((done as Record<string, unknown>).responseCode, 99);
    assert.deepEqual(done.data, { code: 'code_abc' });
    assert.ok(!Number.isNaN(Date.parse(done.timestamp)));
    const select = v2StepBody({ responseCode: 101, accounts: [bankAccount] });
    assert.deepEqual(select.data, { accounts: [{ ...bankAccount, status: 'active' }] });
    const input = v2StepBody({ responseCode: 102, ui: otpForm });
    assert.equal(input.message, 'Enter the OTP');
    assert.deepEqual(input.data, { userInput: otpForm });
  });

  test('99, 101 (accounts by index) and 102 in the v1 shape', () => {
    assert.deepEqual(v1StepBody({ responseCode: 99, code: 'code_abc' }), { status: 200, responseCode: 99, data: { code: 'code_abc' } });
    assert.deepEqual(v1StepBody({ responseCode: 101, accounts: [bankAccount, bankAccount] })!.data, {
      accounts: [0, 1].map((index) => ({ index, ...bankAccount })),
    });
    assert.deepEqual(v1StepBody({ responseCode: 102, ui: otpForm }), { status: 200, responseCode: 102, data: otpForm });
  });

  test('a failed step throws an AppError carrying responseCode 400 (and v1 its numeric status)', () => {
    const failure = { responseCode: 400, error: 'OTP_INVALID', message: 'Wrong OTP; 2 tries left' } as const;
    assert.throws(
      () => v2StepBody(failure),
      (e: unknown) => e instanceof AppError && e.code === 'OTP_INVALID' && e.extra.responseCode === 400,
    );
    assert.throws(
      () => v1StepBody(failure),
      (e: unknown) => e instanceof AppError && e.extra.responseCode === 400 && e.extra.status === e.status && e.extra.data === null,
    );
  });
});

describe('presenters: envelopes', () => {
  test('v2 and v3 paths get the v2 envelope, everything else v1', () => {
    for (const url of ['/v2/connect/session', '/v3/institutions?x=1']) assert.equal(envelopeFor(url), 'v2');
    for (const url of ['/v1/connect/session', '/account/auth', '/accounts/x/transactions', '/v22/x']) assert.equal(envelopeFor(url), 'v1');
  });

  test('failure bodies: v2 has timestamp and data null, v1 does not', () => {
    const v2 = failureBody('v2', 'INVALID_API_KEY', 'nope', { responseCode: 400 });
    assert.deepEqual(Object.keys(v2), ['status', 'message', 'timestamp', 'data', 'code', 'responseCode']);
    assert.equal(v2.data, null);
    assert.deepEqual(failureBody('v1', 'INVALID_API_KEY', 'nope'), { status: 'failed', message: 'nope', code: 'INVALID_API_KEY' });
  });
});

describe('presenters: accounts', () => {
  const institution: Institution = { ...SANDBOX_INSTITUTIONS[0]!, connector: 'sandbox' };
  const account: Account = {
    id: '6a1f00000000000000000001',
    appId: 'app',
    customerId: 'cus_1',
    institution,
    authMethod: 'internet_banking',
    accountNumber: '0123456789',
    name: 'Ada Obi',
    type: 'SAVINGS_ACCOUNT',
    currency: 'NGN',
    balance: 5000,
    bvn: '22222222222',
    identity: null,
    dataStatus: 'AVAILABLE',
    retrievedData: ['transactions'],
    reauthRequired: false,
    lastSyncedAt: Date.UTC(2026, 0, 2),
    lastSyncError: null,
    loginExpiresAt: null,
    createdAt: Date.UTC(2026, 0, 1),
    updatedAt: Date.UTC(2026, 0, 2),
  };

  test('v1: _id and camelCase, institution by bankCode', () => {
    const body = accountV1(account);
    assert.equal(body.account._id, account.id);
    assert.equal(body.account.accountNumber, '0123456789');
    assert.equal(body.account.institution.bankCode, institution.bankCode);
    assert.deepEqual(body.meta, {
      data_status: 'AVAILABLE',
      auth_method: 'internet_banking',
      reauth_required: false,
      last_synced_at: '2026-01-02T00:00:00.000Z',
    });
  });

  test('v2: snake case, ISO times, reauth flag', () => {
    const body = accountV2(account);
    assert.equal(body.account.account_number, '0123456789');
    assert.equal(body.account.institution.bank_code, institution.bankCode);
    assert.deepEqual(body.customer, { id: 'cus_1' });
    assert.equal(body.meta.last_synced_at, '2026-01-02T00:00:00.000Z');
    assert.equal(body.meta.reauth_required, false);
    assert.equal(accountV2({ ...account, lastSyncedAt: null }).meta.last_synced_at, null);
  });

  test('webhook payloads: connected is PROCESSING with the ref only when given; updated carries sync_status only when given', () => {
    assert.deepEqual(payloads.accountConnected(account).meta, { data_status: 'PROCESSING', auth_method: 'internet_banking' });
    assert.equal(payloads.accountConnected(account, 'ref-1').meta.ref, 'ref-1');
    const updated = payloads.accountUpdated(account);
    assert.equal(updated.account._id, account.id);
    assert.equal(updated.account.created_at, '2026-01-01T00:00:00.000Z');
    assert.ok(!('sync_status' in updated.meta));
    assert.equal(payloads.accountUpdated(account, 'SUCCESSFUL').meta.sync_status, 'SUCCESSFUL');
    assert.ok(!('sync_error' in payloads.accountUpdated(account, 'SUCCESSFUL').meta));
    assert.deepEqual(payloads.accountUpdated(account, 'REAUTHORISATION_REQUIRED', 'MFA asked').meta, {
      data_status: 'AVAILABLE',
      auth_method: 'internet_banking',
      retrieved_data: ['transactions'],
      sync_status: 'REAUTHORISATION_REQUIRED',
      sync_error: 'MFA asked',
    });
  });
});
