import type { Services } from '../../http/types.ts';
import { DomainError } from '../../lib/errors.ts';
import { PASSWORD_MIN } from '../../operators/service.ts';
import { type ConsoleApp, formOf, preSignInToken, seeOther, sendPage } from '../context.ts';
import { when } from '../format.ts';
import { html } from '../html.ts';
import { banner, csrfField, document } from '../layout.ts';
import { problemPage } from '../problem.ts';

export interface SetupData {
  csrf: string;
  token: string;
  /** The operator's email when it has one (it cannot be changed here); null: the operator chooses it. */
  email: string | null;
  typedEmail: string;
  expiresAt: number;
  problem?: string | undefined;
}

export function setupPage(data: SetupData): string {
  const email = data.email
    ? html`<p>You are setting the password of <strong>${data.email}</strong>.</p>`
    : html`<div><label for="email">Email<span class="hint">You sign in with it.</span></label><input id="email" name="email" type="email" autocomplete="username" required value="${data.typedEmail}"></div>`;
  return document(
    'Set up your operator account',
    html`<div class="narrow card">
<h1>Set up your operator account</h1>
${banner('problem', data.problem)}
<form class="stack" method="post" action="/dashboard/setup/${data.token}">
${csrfField(data.csrf)}
${email}
<div><label for="password">Password<span class="hint">At least ${PASSWORD_MIN} characters. A passphrase of several words is easiest.</span></label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${PASSWORD_MIN}" required></div>
<div><label for="confirm">Password again</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="${PASSWORD_MIN}" required></div>
<div><button type="submit">Set password</button></div>
</form>
<p class="muted">This link works once, until ${when(data.expiresAt)}.</p>
</div>`,
  );
}

const GONE = {
  status: 410,
  title: 'This set-up link does not work',
  message: 'It was used already, has expired, or was replaced by a newer one. Ask for a new one: relink operators reset-password EMAIL on the server.',
};

/** The one-time set-up link: the operator chooses a password (and an email, if it has none). */
export function register(scope: ConsoleApp, services: Services) {
  const params = { type: 'object', properties: { token: { type: 'string', pattern: '^[A-Za-z0-9_-]{20,64}$' } }, required: ['token'] } as const;
  scope.get<{ Params: { token: string } }>('/setup/:token', {
    config: { console: 'public' },
    schema: { hide: true, params },
    handler: async (request, reply) => {
      const operator = await services.operators.setupFor(request.params.token);
      if (!operator) return sendPage(reply, 410, problemPage(GONE));
      return sendPage(
        reply,
        200,
        setupPage({
          csrf: preSignInToken(request, reply, services),
          token: request.params.token,
          email: operator.email,
          typedEmail: '',
          expiresAt: operator.setupExpiresAt!,
        }),
      );
    },
  });

  scope.post<{ Params: { token: string } }>('/setup/:token', {
    config: { console: 'public' },
    schema: { hide: true, params },
    handler: async (request, reply) => {
      const { token } = request.params;
      const form = formOf(request);
      const operator = await services.operators.setupFor(token);
      if (!operator) return sendPage(reply, 410, problemPage(GONE));
      const again = (problem: string) =>
        sendPage(
          reply,
          400,
          setupPage({
            csrf: preSignInToken(request, reply, services),
            token,
            email: operator.email,
            typedEmail: form.email ?? '',
            expiresAt: operator.setupExpiresAt!,
            problem,
          }),
        );
      if ((form.password ?? '') !== (form.confirm ?? '')) return again('The two passwords are not the same.');
      try {
        const done = await services.operators.completeSetup(token, { email: form.email ?? '', password: form.password ?? '' }, request.ip);
        if (!done) return sendPage(reply, 410, problemPage(GONE));
      } catch (error) {
        if (error instanceof DomainError) return again(error.message);
        throw error;
      }
      return seeOther(reply, '/dashboard/sign-in?done=set-up');
    },
  });
}
