// What a sync's bank answers mean (sync/answer.ts), on their own: no database, no bank.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AccountData, LinkedOutcome } from '../../src/connectors/types.ts';
import { REAUTH_REASONS, readFetch, readLogin } from '../../src/sync/answer.ts';

const data = {
  account: { accountNumber: '0001', name: 'A', type: 'SAVINGS_ACCOUNT', currency: 'NGN', balance: 5, bvn: '1' },
  identity: {},
  transactions: [],
} as unknown as AccountData;

describe('a sync reads its login with the stored credentials', () => {
  test('a bank session to fetch with', () => {
    assert.deepEqual(readLogin({ kind: 'ok', accounts: [], state: { cookie: 'x' } } as unknown as LinkedOutcome), { kind: 'session', state: { cookie: 'x' } });
  });

  test('a bank that did not answer is retried, not re-authorised', () => {
    assert.deepEqual(readLogin({ kind: 'unavailable', message: 'Bank down' }), { kind: 'unavailable', message: 'Bank down' });
  });

  test('every way the bank wants the person means re-authorisation, each with its reason and its cause', () => {
    const cases: [LinkedOutcome, string][] = [
      [{ kind: 'challenge', ui: { title: 'OTP', form: [] }, state: {} }, 'mfa_required'],
      [{ kind: 'wrong_answer', ui: { title: 'OTP', form: [] }, state: {} }, 'mfa_required'],
      [{ kind: 'invalid_credentials', message: 'Wrong password' }, 'password_changed'],
      [{ kind: 'locked', message: 'Locked' }, 'locked'],
      [{ kind: 'other_user', message: 'Someone else' }, 'other_user'],
    ] as unknown as [LinkedOutcome, string][];
    for (const [login, cause] of cases) {
      const read = readLogin(login);
      assert.equal(read.kind, 'reauth', login.kind);
      assert.equal((read as { reason: string }).reason, REAUTH_REASONS[login.kind as keyof typeof REAUTH_REASONS]);
      assert.equal((read as { cause: string }).cause, cause, login.kind);
    }
    assert.match(REAUTH_REASONS.invalid_credentials, /password was changed/);
    assert.match(REAUTH_REASONS.challenge, /multi-factor/);
  });
});

describe('a sync reads its fetch', () => {
  test('data carries the session a login opened and the identity as claimed', () => {
    let read = 0;
    const answer = readFetch({ kind: 'ok', data }, { cookie: 'new' }, () => (read++, '{"fullName":"A"}'));
    assert.deepEqual(answer, { kind: 'data', data, newState: { cookie: 'new' }, storedIdentity: '{"fullName":"A"}' });
    assert.equal(read, 1);
  });

  test('a bank that asks for a new login even after one means re-authorisation; the identity is not read', () => {
    const answer = readFetch({ kind: 'session_expired', message: 'log in again' }, undefined, () => assert.fail('identity read'));
    assert.deepEqual(answer, { kind: 'reauth', reason: 'The bank asked for a new login: log in again', cause: 'session_expired' });
  });

  test('a bank that did not answer is a failure to retry', () => {
    assert.deepEqual(
      readFetch({ kind: 'unavailable', message: 'timeout' }, undefined, () => undefined),
      { kind: 'failed', reason: 'timeout' },
    );
  });
});
