import type { CreatedSession } from '../service.ts';
import type { V1StepReply, V2StepReply } from '@relink/contract';
import type { FastifyRequest } from 'fastify';
import type { StepReply } from '../machine.ts';
import { AppError } from '../../http/errors.ts';
import { DomainError } from '../../lib/errors.ts';
import { successV2 } from '../../http/envelope.ts';
import { describeValidation } from '../../http/validation.ts';

/**
 * Partner steps answer in Mono's shapes. Failures become AppErrors carrying
 * `responseCode: 400` (and, on v1, a numeric `status` as Mono's v1 sends).
 */
export function stepFailure(error: unknown, api: 'v1' | 'v2'): unknown {
  if (!(error instanceof DomainError)) return error;
  const http = AppError.from(error);
  const extra = api === 'v1' ? { status: http.status, responseCode: 400, data: null } : { responseCode: 400 };
  return new AppError(http.code, http.message, { ...extra, ...http.extra }, http.headers);
}

/**
 * A step whose body or headers fail the route schema is still a failed step: the routes
 * attach the validation error and throw this, so it goes through `stepFailure` and carries
 * `responseCode: 400` like every other failed login/commit.
 */
/**
 * The body of every login and commit handler (v1, v2, reauth login, the widget's): a schema
 * failure, which the route attaches instead of answering, fails the step like any other, and
 * every failure answers with `responseCode: 400` in `api`'s shape.
 */
export async function asStep<T>(api: 'v1' | 'v2', request: Pick<FastifyRequest, 'validationError'>, run: () => Promise<T>): Promise<T> {
  try {
    if (request.validationError) throw invalidStep(request.validationError as Parameters<typeof invalidStep>[0]);
    return await run();
  } catch (error) {
    throw stepFailure(error, api);
  }
}

export function invalidStep(error: { validation: any; validationContext: string }): AppError {
  return new AppError('INVALID_INPUT', describeValidation(error.validationContext ?? 'body', error.validation ?? []));
}

export function v1StepBody(reply: StepReply): V1StepReply {
  switch (reply.responseCode) {
    case 99:
      return { status: 200, responseCode: 99, data: { code: reply.code } };
    case 101:
      return {
        status: 200,
        responseCode: 101,
        data: {
          accounts: reply.accounts.map((a, index) => ({
            index,
            name: a.name,
            accountNumber: a.accountNumber,
            type: a.type,
            currency: a.currency,
            balance: a.balance,
          })),
        },
      };
    case 102:
      return { status: 200, responseCode: 102, data: reply.ui };
    case 400:
      throw stepFailure(new AppError(reply.error, reply.message), 'v1');
  }
}

export function v2StepBody(reply: StepReply): V2StepReply {
  switch (reply.responseCode) {
    case 99:
      return successV2('Login successful', { code: reply.code }, { responseCode: 99 });
    case 101:
      return successV2(
        'Multiple accounts found',
        {
          accounts: reply.accounts.map((a) => ({
            accountNumber: a.accountNumber,
            name: a.name,
            type: a.type,
            currency: a.currency,
            status: 'active',
            balance: a.balance,
          })),
        },
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
