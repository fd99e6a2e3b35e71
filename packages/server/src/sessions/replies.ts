import type { CreatedSession } from './service.ts';
import type { StepReply } from './machine.ts';
import { AppError } from '../http/errors.ts';
import { successV2 } from '../http/envelope.ts';
import { describeValidation } from '../http/validation.ts';

/**
 * Partner steps answer in Mono's shapes. Failures become AppErrors carrying
 * `responseCode: 400` (and, on v1, a numeric `status` as Mono's v1 sends).
 */
export function stepFailure(error: unknown, api: 'v1' | 'v2'): unknown {
  if (!(error instanceof AppError)) return error;
  const extra = api === 'v1' ? { status: error.status, responseCode: 400, data: null } : { responseCode: 400 };
  return new AppError(error.code, error.message, { ...extra, ...error.extra }, error.headers);
}

/**
 * A step whose body or headers fail the route schema is still a failed step: the routes
 * attach the validation error and throw this, so it goes through `stepFailure` and carries
 * `responseCode: 400` like every other failed login/commit.
 */
export function invalidStep(error: { validation: any; validationContext: string }): AppError {
  return new AppError('INVALID_INPUT', describeValidation(error.validationContext ?? 'body', error.validation ?? []));
}

export function v1StepBody(reply: StepReply) {
  switch (reply.responseCode) {
    case 99:
      return { status: 200, responseCode: 99, data: { code: reply.code } };
    case 101:
      return {
        status: 200,
        responseCode: 101,
        data: { accounts: reply.accounts.map((a, index) => ({ index, name: a.name, accountNumber: a.accountNumber, type: a.type, currency: a.currency, balance: a.balance })) },
      };
    case 102:
      return { status: 200, responseCode: 102, data: reply.ui };
    case 400:
      throw stepFailure(new AppError(reply.error, reply.message), 'v1');
  }
}

export function v2StepBody(reply: StepReply) {
  switch (reply.responseCode) {
    case 99:
      return successV2('Login successful', { code: reply.code }, { responseCode: 99 });
    case 101:
      return successV2(
        'Multiple accounts found',
        { accounts: reply.accounts.map((a) => ({ accountNumber: a.accountNumber, name: a.name, type: a.type, currency: a.currency, status: 'active', balance: a.balance })) },
        { responseCode: 101 },
      );
    case 102:
      return successV2(reply.ui.title, { userInput: reply.ui }, { responseCode: 102 });
    case 400:
      throw stepFailure(new AppError(reply.error, reply.message), 'v2');
  }
}

export function v1SessionBody(session: CreatedSession) {
  return {
    status: 'successful',
    message: 'Session created successfully',
    id: session.id,
    app: session.appId,
    institution: session.institution.id,
    auth_method: session.authMethod,
    expiresAt: session.expiresAt,
    ui: session.ui,
  };
}

export function v2SessionData(session: CreatedSession) {
  return {
    session: {
      id: session.id,
      scope: 'financial_data',
      expiresAt: session.expiresAt,
      institution: { id: session.institution.id, name: session.institution.name, identifier: session.institution.identifier },
    },
    ui: session.ui,
  };
}
