import type { Services } from '../../http/types.ts';
import { type ConsoleApp, formOf, preSignInToken, seeOther, sendPage, sessionOf } from '../context.ts';
import { html } from '../html.ts';
import { banner, csrfField, document } from '../layout.ts';
import { PRE_COOKIE, SESSION_COOKIE, setCookie } from '../security.ts';

export interface SignInData {
  csrf: string;
  email: string;
  notice?: string | undefined;
  problem?: string | undefined;
}

const NOTICES: Record<string, string> = {
  'signed-out': 'You are signed out.',
  'set-up': 'Your password is set. Sign in with it now.',
};

export function signInPage(data: SignInData): string {
  return document(
    'Sign in',
    html`<div class="narrow card">
<h1>Sign in</h1>
${banner('notice', data.notice)}${banner('problem', data.problem)}
<form class="stack" method="post" action="/dashboard/sign-in">
${csrfField(data.csrf)}
<div><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${data.email}"></div>
<div><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
<div><button type="submit">Sign in</button></div>
</form>
<p class="muted">No account yet? An operator gets a one-time set-up link from <code>relink operators add EMAIL</code> on the server.</p>
</div>`,
  );
}

/** Sign-in and sign-out. */
export function register(scope: ConsoleApp, services: Services) {
  scope.get<{ Querystring: { done?: string } }>('/sign-in', {
    config: { console: 'public' },
    schema: { hide: true },
    handler: async (request, reply) => {
      if (request.console?.session) return seeOther(reply, '/dashboard');
      const done = typeof request.query.done === 'string' ? request.query.done : '';
      return sendPage(reply, 200, signInPage({ csrf: preSignInToken(request, reply, services), email: '', notice: NOTICES[done] }));
    },
  });

  scope.post('/sign-in', {
    config: { console: 'public' },
    schema: { hide: true },
    handler: async (request, reply) => {
      const form = formOf(request);
      const email = (form.email ?? '').slice(0, 320);
      const result = await services.operators.signIn(email, form.password ?? '', request.ip);
      if (result.kind === 'ok') {
        setCookie(request, reply, SESSION_COOKIE, result.session, services.publicUrl);
        setCookie(request, reply, PRE_COOKIE, null, services.publicUrl);
        return seeOther(reply, '/dashboard');
      }
      const csrf = preSignInToken(request, reply, services);
      if (result.kind === 'limited') {
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        reply.header('retry-after', String(result.retryAfterSeconds));
        return sendPage(
          reply,
          429,
          signInPage({
            csrf,
            email,
            problem: `Too many failed sign-ins for this email or from your network. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
          }),
        );
      }
      return sendPage(reply, 401, signInPage({ csrf, email, problem: 'That email and password do not match an operator.' }));
    },
  });

  scope.post('/sign-out', {
    schema: { hide: true },
    handler: async (request, reply) => {
      await services.operators.signOut(sessionOf(request), request.ip);
      setCookie(request, reply, SESSION_COOKIE, null, services.publicUrl);
      return seeOther(reply, '/dashboard/sign-in?done=signed-out');
    },
  });
}
