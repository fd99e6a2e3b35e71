import type { FastifyInstance, FastifyReply } from 'fastify';
import type { User } from '../db.ts';
import { RelinkError, type StepReply, type Ui } from '../relink.ts';
import { layout } from '../views/layout.ts';
import { reconnectEnded, reconnectStep } from '../views/reconnect.ts';
import { requireUser } from './auth.ts';
import { type DashboardDeps, failure, finishReconnect } from './dashboard.ts';

/** Failures after which the same form may be answered again; any other ends the attempt. */
const RETRYABLE = new Set(['OTP_INVALID', 'BANK_LOGIN_FAILED', 'BANK_USER_MISMATCH', 'INVALID_INPUT', 'SESSION_BUSY', 'RATE_LIMITED']);
const LOGIN = '/v2/connect/reauth/login';

/**
 * "Reconnect without the widget": the Partners API re-authorisation (seed `003_…`) behind the
 * app's own pages. Relink first tries the stored login; when the bank wants something, its
 * `userInput` form is rendered here, answered, and sent to the endpoint Relink named in
 * `next` (`/v2/connect/reauth/login` for a login form, `/v2/connect/commit` for an OTP or a
 * question), until the reply is 99 with a code.
 */
export function registerReconnect(app: FastifyInstance, deps: DashboardDeps) {
  const { db, relink } = deps;
  const note = (user: User) => (deps.testMode ? (deps.sandboxNotes.get(user.id) ?? {}) : undefined);
  const page = (reply: FastifyReply, user: User, title: string, body: ReturnType<typeof reconnectStep>) =>
    reply.type('text/html; charset=utf-8').send(layout({ title, user, body }));
  const done = (reply: FastifyReply, token: string) => {
    db.sessions.setFlash(token, { kind: 'ok', text: 'Your bank account is reconnected. Your data is being refreshed.' });
    return reply.redirect('/', 303);
  };
  const ended = (reply: FastifyReply, user: User, message: string) => {
    db.reconnects.delete(user.id);
    return page(reply.code(200), user, 'Reconnect', reconnectEnded(message));
  };

  app.post('/reconnect/start', async (request, reply) => {
    const signed = requireUser(db, request, reply);
    if (!signed) return reply;
    const { user } = signed;
    if (!user.accountId) return reply.redirect('/', 303);
    const current = db.reconnects.get(user.id);
    if (current && current.expiresAt > Date.now()) return reply.redirect('/reconnect', 303);
    try {
      const started = await relink.reauth.start(user.accountId);
      if (started.responseCode === 99) {
        await finishReconnect(deps, user.id, started.code);
        return done(reply, signed.token);
      }
      db.reconnects.put(user.id, { sessionId: started.session.id, next: started.next, userInput: started.userInput, expiresAt: started.session.expiresAt });
      return reply.redirect('/reconnect', 303);
    } catch (error) {
      if (error instanceof RelinkError && error.code === 'REAUTH_IN_PROGRESS') {
        return ended(
          reply,
          user,
          'A reconnect of this account is already under way, perhaps in the widget or another window. Finish it there, or try again once it has expired (10 minutes).',
        );
      }
      return ended(reply, user, failure(error, 'Your bank could not be reached just now. Please try again in a few minutes.'));
    }
  });

  app.get('/reconnect', async (request, reply) => {
    const signed = requireUser(db, request, reply);
    if (!signed) return reply;
    const attempt = db.reconnects.get(signed.user.id);
    if (!attempt) return reply.redirect('/', 303);
    if (attempt.expiresAt <= Date.now()) return ended(reply, signed.user, 'This reconnect attempt timed out. Start again.');
    return page(
      reply,
      signed.user,
      'Reconnect',
      reconnectStep({ bank: await bankName(deps, signed.user), ui: attempt.userInput, message: intro(attempt.next), note: note(signed.user) }),
    );
  });

  app.post<{ Body: Record<string, unknown> }>('/reconnect', async (request, reply) => {
    const signed = requireUser(db, request, reply);
    if (!signed) return reply;
    const { user } = signed;
    const attempt = db.reconnects.get(user.id);
    if (!attempt) return reply.redirect('/', 303);
    const answers = pick(attempt.userInput, request.body ?? {});
    let step: StepReply;
    try {
      step = await relink.reauth.answer(attempt.next, attempt.sessionId, answers);
    } catch (error) {
      if (error instanceof RelinkError && error.code && RETRYABLE.has(error.code)) {
        const bank = await bankName(deps, user);
        // What the person typed stays in the form, except what the bank treats as secret.
        const ui = {
          ...attempt.userInput,
          form: attempt.userInput.form.map((f) => (f.contentType === 'password' || f.type !== 'elements.input' ? f : { ...f, value: answers[f.name] })),
        };
        return page(reply.code(200), user, 'Reconnect', reconnectStep({ bank, ui, error: retryMessage(error, bank), note: note(user) }));
      }
      return ended(reply, user, failure(error, 'Your bank could not be reached just now. Please try again in a few minutes.'));
    }
    if (step.responseCode === 99) {
      try {
        await finishReconnect(deps, user.id, step.data.code);
      } catch (error) {
        return ended(reply, user, failure(error, 'We could not finish reconnecting. Please try again.'));
      }
      return done(reply, signed.token);
    }
    if (step.responseCode === 102) {
      db.reconnects.put(user.id, { ...attempt, next: '/v2/connect/commit', userInput: step.data.userInput });
      return reply.redirect('/reconnect', 303);
    }
    return ended(reply, user, 'Your bank asked to choose an account, which a reconnect should never do. Please try again.');
  });
}

/** Only the fields the bank's form asked for go to Relink (it refuses any other). */
function pick(ui: Ui, body: Record<string, unknown>): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const field of ui.form) {
    const value = body[field.name];
    answers[field.name] = field.type === 'elements.switch' ? String(value === 'true') : String(value ?? '').trim();
  }
  return answers;
}

/** What went wrong, in words for the person at the form (Relink's own message in brackets). */
function retryMessage(error: RelinkError, bank: string): string {
  if (error.code === 'BANK_LOGIN_FAILED')
    return `${bank} did not accept these details (${error.message}). Check your username and password and try again; after 3 wrong tries you will need to start again.`;
  if (error.code === 'OTP_INVALID') return `${bank} did not accept that answer (${error.message}).`;
  return error.message;
}

function intro(next: string): string {
  return next === LOGIN
    ? 'Your bank did not accept the login we had saved, perhaps because your password changed. Log in with your current details.'
    : 'Your bank wants to check it is really you.';
}

async function bankName(deps: DashboardDeps, user: User): Promise<string> {
  try {
    return (await deps.relink.accounts.get(user.accountId!)).account.institution.name;
  } catch {
    return 'your bank';
  }
}
